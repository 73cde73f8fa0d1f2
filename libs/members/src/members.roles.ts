import { Role } from '@siyu/platform';

/** Who may read members, change them, and do the irreversible things (merge, erase). Owners always may. */
export const MEMBER_READERS: Role[] = ['operator', 'community_manager', 'marketer'];
export const MEMBER_WRITERS: Role[] = ['operator', 'community_manager'];
export const MEMBER_ADMINS: Role[] = ['operator'];
export const TAG_WRITERS: Role[] = ['operator', 'community_manager', 'marketer'];
