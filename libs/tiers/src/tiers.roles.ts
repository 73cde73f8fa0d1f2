import { Role } from '@siyu/platform';

/** Owners (always allowed) and operators change the ladder; everyone else who works with members reads it. */
export const TIER_WRITERS: Role[] = ['operator'];
export const TIER_READERS: Role[] = ['operator', 'marketer', 'community_manager'];
