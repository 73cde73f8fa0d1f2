/** A WeCom customer group holds at most this many people (staff and customers together). */
export const GROUP_CAPACITY = 500;

export const GROUP_STATUSES = ['active', 'dismissed'] as const;
export type GroupStatus = (typeof GROUP_STATUSES)[number];

/** Who a group membership is: a staff member (WeCom userid) or a customer (external_userid). */
export const MEMBERSHIP_TYPES = ['staff', 'external'] as const;
export type MembershipType = (typeof MEMBERSHIP_TYPES)[number];

export const FOLLOW_STATUSES = ['active', 'ended'] as const;
export type FollowStatus = (typeof FOLLOW_STATUSES)[number];

/** Who ended a staff–customer relationship: the staff member (del_external_contact) or the customer (del_follow_user). */
export const FOLLOW_ENDED_BY = ['staff', 'customer'] as const;
export type FollowEndedBy = (typeof FOLLOW_ENDED_BY)[number];

export const SYNC_STATUSES = ['pending', 'running', 'completed', 'failed'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/**
 * groupchat/list `status`: 0 normal; 1 the owner left the company (pending handover);
 * 2 handover in progress; 3 handover done.
 */
export const WECOM_GROUP_STATUS = {
  normal: 0,
  ownerLeft: 1,
  handoverInProgress: 2,
  handoverDone: 3,
} as const;

/** Timeline event types this lib appends to members' timelines. */
export const COMMUNITY_EVENT_TYPES = {
  groupJoined: 'community.group_joined',
  groupLeft: 'community.group_left',
  contactAdded: 'community.contact_added',
  contactEdited: 'community.contact_edited',
  contactEnded: 'community.contact_ended',
} as const;

/**
 * WeCom external contacts' ids start with `wm` (WeChat users) or `wo` (other corps' WeCom users);
 * staff userids are chosen by the corp. A callback's MemChangeList does not say which is which.
 */
export const EXTERNAL_USERID = /^w[mo]/;

/** Default and largest page of groupchat/list one sync step asks for. */
export const SYNC_PAGE_SIZE = 100;
export const SYNC_MAX_PAGE_SIZE = 1000;
/** groupchat/get calls in flight at once during a sync page. */
export const SYNC_FETCH_CONCURRENCY = 4;
/** Pages one job applies before it gives the run back (the same job picks it up again). */
export const SYNC_PAGES_PER_JOB = 20;
/** A run whose attempts failed this many times in a row (retryable errors, no page applied) is marked failed. */
export const SYNC_MAX_ATTEMPTS = 8;

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
