/** Statuses of a group join way: `full` when every group in its pool is full and WeCom may not create rooms. */
export const JOIN_WAY_STATUSES = ['active', 'full', 'deleted'] as const;
export type JoinWayStatus = (typeof JOIN_WAY_STATUSES)[number];

/** WeCom's own limits: a customer group holds 500 people; a join way routes to at most 5 groups. */
export const GROUP_MEMBER_LIMIT = 500;
export const JOIN_WAY_MAX_ACTIVE_CHATS = 5;
/** Siyu keeps a longer ordered pool; WeCom always gets the first 5 groups of it that are not full. */
export const JOIN_WAY_MAX_POOL = 20;
/** `JoinScene` of a change_external_chat add_member: 3 = joined by scanning a join way's QR code. */
export const JOIN_SCENE_QR = 3;

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
