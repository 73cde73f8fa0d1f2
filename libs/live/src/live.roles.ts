import { Role } from '@siyu/platform';

/** Operators run live sessions; community managers and marketers read them. */
export const LIVE_READERS: Role[] = ['operator', 'community_manager', 'marketer'];
export const LIVE_WRITERS: Role[] = ['operator'];
/** Who may RSVP for a member (besides the member, with a member token). */
export const LIVE_RSVPERS: Role[] = ['operator', 'community_manager'];
