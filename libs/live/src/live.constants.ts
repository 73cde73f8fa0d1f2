export const LIVE_PLATFORMS = ['wechat_channels', 'taobao_live', 'douyin', 'other'] as const;
export type LivePlatform = (typeof LIVE_PLATFORMS)[number];

/** planned → live → ended; planned or live → cancelled. */
export const LIVE_STATUSES = ['planned', 'live', 'ended', 'cancelled'] as const;
export type LiveStatus = (typeof LIVE_STATUSES)[number];

/**
 * When a reminder is due:
 * - `day_before`: the start's wall-clock time on the previous calendar day in the brand's zone (23 or
 *   25 hours before across a daylight-saving change);
 * - `before_start`: `minutes` (an exact duration) before the planned start;
 * - `now_live`: at the start (also sent to the members who RSVP'd);
 * - `after_end`: `minutes` after the planned end (the replay);
 * - `cancel_notice`: not planned; sent now when a session is cancelled with a notice.
 */
export const REMINDER_KINDS = [
  'day_before',
  'before_start',
  'now_live',
  'after_end',
  'cancel_notice',
] as const;
export type ReminderKind = (typeof REMINDER_KINDS)[number];
export const PLANNABLE_KINDS = ['day_before', 'before_start', 'now_live', 'after_end'] as const;
export type PlannableKind = (typeof PLANNABLE_KINDS)[number];

/**
 * `scheduled`: its campaigns wait for their time; `sent`: they started; `skipped` (reason
 * `time_passed`, `no_audience`), `cancelled` (the session was cancelled or the plan changed) or
 * `failed` (a campaign could not be scheduled; reason says why).
 */
export const REMINDER_STATUSES = ['scheduled', 'sent', 'skipped', 'cancelled', 'failed'] as const;
export type ReminderStatus = (typeof REMINDER_STATUSES)[number];

export const DEFAULT_COUPON_GRACE_MINUTES = 30;
export const DEFAULT_REPLAY_MINUTES = 30;
export const MAX_AUDIENCE_IDS = 100;
export const MAX_REMINDERS = 10;

/** The audience resolver kind live sessions register in members' AudienceRegistry. */
export const LIVE_AUDIENCE = 'live_session';

/** Order statuses that count as sales in the report (net of refunds). */
export const COUNTED_ORDER_STATUSES = ['paid', 'partially_refunded'] as const;

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
