import { Role } from '@siyu/platform';

/** Who may read groups, staff and memberships, and who may change them. Owners always may. */
export const COMMUNITY_READERS: Role[] = ['operator', 'community_manager', 'marketer'];
export const COMMUNITY_WRITERS: Role[] = ['operator', 'community_manager'];
