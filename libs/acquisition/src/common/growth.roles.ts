import { Role } from '@siyu/platform';

/** Who may read group codes, referral campaigns and churn figures, and who may change them. Owners always may. */
export const GROWTH_READERS: Role[] = ['operator', 'community_manager', 'marketer'];
export const GROWTH_WRITERS: Role[] = ['operator', 'community_manager', 'marketer'];
