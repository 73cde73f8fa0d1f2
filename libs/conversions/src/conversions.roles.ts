import { Role } from '@siyu/platform';

/** Marketers and operators make links and manage attribution; community managers read links. */
export const LINK_READERS: Role[] = ['operator', 'marketer', 'community_manager'];
export const LINK_WRITERS: Role[] = ['operator', 'marketer'];
export const ATTRIBUTION_WRITERS: Role[] = ['operator', 'marketer'];
