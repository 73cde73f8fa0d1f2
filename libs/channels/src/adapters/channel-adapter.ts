import type { FieldError } from '@siyu/platform';
import type { ChannelFailure } from '../channel-errors';
import type { OaMessage } from '../oa/oa-client';
import type { WecomAttachment } from '../wecom/wecom-message';

/** The three ways Siyu reaches people. */
export type ChannelKind = 'wecom_group' | 'wecom_single' | 'oa';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['wecom_group', 'wecom_single', 'oa'];

/** What a channel accepts per call, so the caller can size batches and validate content up front. */
export interface ChannelLimits {
  /** Recipients one submit() takes: 2,000 chats, 10,000 customers, or an OA batch size. */
  maxRecipientsPerCall: number;
  /** UTF-8 bytes of text (WeCom: 4,000); null where the channel has template fields instead. */
  maxTextBytes: number | null;
  maxAttachments: number;
  attachmentTypes: readonly string[];
  /**
   * `task`: submit() creates a task that staff confirm; outcomes come later from collect().
   * `immediate`: submit() returns each recipient's outcome.
   */
  mode: 'task' | 'immediate';
  /** True when one message goes to every recipient of a call (per-recipient variables need batches of one). */
  sharedContent: boolean;
}

/** The content of a send. WeCom broadcasts use text + attachments; OA sends use `oa`. */
export interface ChannelMessage {
  text?: string;
  attachments?: WecomAttachment[];
  oa?: OaMessage;
}

export interface ChannelRecipient {
  /** The caller's row, e.g. a delivery-ledger id; echoed in the outcomes. */
  ref: string;
  /** chat_id (wecom_group), external_userid (wecom_single) or openid (oa). */
  address: string;
  /** OA only: this recipient's rendered message; defaults to the batch's. */
  message?: ChannelMessage;
  /** OA only: this recipient's idempotency key; defaults to `<batch key>-<ref>`. */
  idempotencyKey?: string;
}

/**
 * One call's worth of sending, built by the caller from rows it has claimed.
 *
 * `idempotencyKey` is derived from the caller's rows. For WeCom it should name the logical
 * message (e.g. `c<campaign>-v<variant>`), the same for every recipient, so a recipient who ever
 * gets it twice is a visible duplicate whatever the batching; for OA each recipient's key (batch
 * key + ref, or its own) is sent as client_msg_id.
 */
export interface ChannelBatch {
  brandId: string;
  /** OA: the channel_oa_apps row id. WeCom: unused (one corp per brand). */
  accountId?: string;
  /** WeCom: the staff userid who sends (required for groups). */
  sender?: string;
  idempotencyKey: string;
  message: ChannelMessage;
  recipients: ChannelRecipient[];
}

/**
 * One recipient's outcome.
 * - `sent`: delivered (WeCom status 1; OA errcode 0);
 * - `pending`: WeCom task created, staff have not sent it yet (status 0);
 * - `rejected`: will not be delivered, with `reason`: `not_friend` (status 2), `limit_reached`
 *   (status 3: the customer already got a broadcast within WeCom's limit), `invalid_recipient`
 *   (fail_list, 40003, 40096), `not_subscribed` (43004), `user_refused` (43101), or `errcode_<n>`;
 * - `retry`: not sent this time for a transient reason; try again at `retryAt` (or with backoff).
 */
export type RecipientOutcomeStatus = 'sent' | 'pending' | 'rejected' | 'retry';

export interface RecipientOutcome {
  /** The caller's ref (submit); collect() knows only addresses and leaves it out. */
  ref?: string;
  address: string;
  status: RecipientOutcomeStatus;
  reason?: string;
  errcode?: number | null;
  errmsg?: string;
  retryAt?: Date;
  /** The provider's id for what was sent (OA msgid, WeCom task msgid). */
  providerMessageId?: string;
  sentAt?: Date;
}

/** Where a WeCom task's results can be read: serialisable, for the caller to store with its rows. */
export interface ChannelTaskRef {
  kind: 'wecom_group' | 'wecom_single';
  brandId: string;
  msgid: string;
  /** The staff member whose results to read; absent for a 1:1 broadcast without a sender. */
  sender?: string;
}

export type SubmitResult =
  /** A WeCom task was created: `outcomes` has every recipient, `pending` or `rejected` (fail_list). */
  | { kind: 'task'; taskRef: ChannelTaskRef; outcomes: RecipientOutcome[] }
  /** Immediate channels: every recipient's outcome. */
  | { kind: 'done'; outcomes: RecipientOutcome[] }
  /** Nothing was sent. Handle by `failure.class`: retry with backoff, wait until `retryAt`, or give up. */
  | { kind: 'failed'; failure: ChannelFailure };

export type CollectResult =
  /** 41063: the task is still being created. Ask again after `retryAfterMs`. */
  | { kind: 'not_ready'; retryAfterMs: number }
  /** Every recipient's current status; `complete` when none is still `pending`. */
  | { kind: 'collected'; outcomes: RecipientOutcome[]; complete: boolean }
  | { kind: 'failed'; failure: ChannelFailure };

export type TaskActionResult = { ok: true } | { ok: false; failure: ChannelFailure };

/**
 * One interface, three implementations (WeCom group broadcast, WeCom 1:1 broadcast, OA
 * template/subscribe). The campaign engine claims ledger rows, builds a batch of at most
 * `limits.maxRecipientsPerCall`, calls `submit`, and records the outcomes; for `task` channels it
 * stores the taskRef and calls `collect` later (re-queued with the returned delay) until complete
 * or until its own deadline, then may `remind` or `cancel`. The adapter takes the account's
 * rate-limit budget before calling; a refusal comes back as a `rate_limited` failure with retryAt.
 */
export interface ChannelAdapter {
  readonly kind: ChannelKind;
  readonly limits: ChannelLimits;
  /** Checks a message against the channel's limits (for campaign validation); empty means OK. */
  validate(message: ChannelMessage): FieldError[];
  submit(batch: ChannelBatch): Promise<SubmitResult>;
  /** `attempt` (0-based) sizes the not-ready backoff. */
  collect(taskRef: ChannelTaskRef, attempt?: number): Promise<CollectResult>;
  remind(taskRef: ChannelTaskRef): Promise<TaskActionResult>;
  cancel(taskRef: ChannelTaskRef): Promise<TaskActionResult>;
}

/** Exponential backoff with full jitter for polling: 1 s, 2 s, 4 s… capped at 60 s. */
export function pollBackoffMs(attempt: number, baseMs = 1_000, capMs = 60_000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.max(baseMs / 2, Math.round(ceiling / 2 + (Math.random() * ceiling) / 2));
}
