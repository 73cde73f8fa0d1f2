import { Role } from '@siyu/platform';

/** Operators run draws; community managers (who run the group chats) and marketers read them. */
export const DRAW_READERS: Role[] = ['operator', 'community_manager', 'marketer'];
export const DRAW_WRITERS: Role[] = ['operator'];
/** Who may enter a draw for a member (besides the member, with a member token). */
export const DRAW_ENTERERS: Role[] = ['operator', 'community_manager'];
