export const CAMPAIGN_STATUSES = [
  'draft',
  'scheduled',
  'sending',
  'paused',
  'completed',
  'cancelled',
  'failed',
] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

/** States in which an operator may still edit the campaign's content and audience. */
export const EDITABLE_STATUSES: readonly CampaignStatus[] = ['draft'];
/** States nothing leaves. */
export const FINAL_STATUSES: readonly CampaignStatus[] = ['completed', 'cancelled', 'failed'];

/**
 * A delivery-ledger row's life: `pending` → claimed as `sending` → `sent` (delivered), `submitted`
 * (a WeCom task waits for staff to confirm), `retry` (again later), `failed` or `skipped` (with a
 * reason), or `cancelled`.
 */
export const DELIVERY_STATUSES = [
  'pending',
  'retry',
  'sending',
  'submitted',
  'sent',
  'skipped',
  'failed',
  'cancelled',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
/** Rows still to be worked on by a chunk job. */
export const OPEN_DELIVERY_STATUSES: readonly DeliveryStatus[] = ['pending', 'retry', 'sending'];

/**
 * `registered`: members chosen by an audience resolver another lib registered in members'
 * AudienceRegistry (e.g. a live session's segments and RSVPs), resolved when the audience is snapshotted.
 */
export const AUDIENCE_KINDS = ['segment', 'groups', 'list', 'registered'] as const;
export type AudienceKind = (typeof AUDIENCE_KINDS)[number];

/** Largest explicit list of members an audience may name. */
export const MAX_LIST_AUDIENCE = 10_000;
export const MAX_VARIANTS = 5;

/** Delivery rows per chunk job, by channel (at most one WeCom/OA call's worth each). */
export const CHUNK_SIZE = { wecom_group: 2_000, wecom_single: 10_000, oa: 500 } as const;

/**
 * Rows claimed at a time, by channel. WeCom: one call's worth. OA: a whole chunk (one call per
 * recipient): each claim costs a transaction of four statements and a chunk recount, which at 100
 * rows a claim was a large share of a delivery's cost. Pause and cancel stay prompt: an OA claim is
 * sent OA_SEND_SLICE rows at a time, the campaign's status read before each slice, and the rows not
 * reached are released.
 */
export const CLAIM_SIZE = { wecom_group: 2_000, wecom_single: 10_000, oa: 500 } as const;

/** OA rows sent between two looks at the campaign's status (pause and cancel apply at the next). */
export const OA_SEND_SLICE = 100;

/** A snapshot of at least this many rows is followed by ANALYZE of the ledger (see CampaignEngine.start). */
export const ANALYZE_AFTER_ROWS = 50_000;

/**
 * A member-time-zone campaign: a member whose local send time passed longer ago than this when the
 * audience is snapshotted is skipped (`local_time_passed`) rather than sent late.
 */
export const LOCAL_TIME_TOLERANCE_MS = 15 * 60_000;

/** Reasons a failed delivery is not sent again by "resend to those not delivered". */
export const NOT_RESENDABLE_REASONS = ['outcome_unknown'] as const;

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
