import { Injectable } from '@nestjs/common';
import { FieldError } from '@siyu/platform';
import { ChannelErrorCode, ChannelException, ChannelFailure, Errcode } from '../channel-errors';
import { ChannelAccountsService, OaAppAccess } from '../accounts/channel-accounts.service';
import { OaClient, validateOaMessage } from '../oa/oa-client';
import { ChannelRateLimiter } from '../rate-limit/channel-rate-limiter';
import {
  ChannelAdapter,
  ChannelBatch,
  ChannelLimits,
  ChannelMessage,
  ChannelRecipient,
  CollectResult,
  RecipientOutcome,
  SubmitResult,
  TaskActionResult,
} from './channel-adapter';

/** Errcodes about one recipient: the others in the batch are still sent. */
const RECIPIENT_REASONS: Record<number, string> = {
  [Errcode.INVALID_OPENID]: 'invalid_recipient',
  [Errcode.INVALID_EXTERNAL_USERID]: 'invalid_recipient',
  [Errcode.REQUIRE_SUBSCRIBE]: 'not_subscribed',
  [Errcode.USER_REFUSED]: 'user_refused',
};

/** How many of one batch's sends run at once. */
const CONCURRENCY = 32;
const MAX_BATCH = 500;

const noTask = (api: string): ChannelFailure => ({
  class: 'permanent',
  errcode: null,
  errmsg: 'Official Account sends are immediate: there is no task to read, remind or cancel',
  api,
});

/**
 * Official Account template and subscribe messages: one API call per recipient, each recipient's
 * outcome returned at once. Sends run CONCURRENCY at a time, in slices that each take their share
 * of the app's rate budget first. A 45009 (or our own limiter saying no) stops the batch: the
 * recipients not yet tried come back as `retry` with retryAt. A recipient's own refusal (43004,
 * 43101, 40003) rejects that recipient only; any other permanent error (bad template, bad secret)
 * rejects the rest of the batch without calling.
 */
@Injectable()
export class OaMessageAdapter implements ChannelAdapter {
  readonly kind = 'oa' as const;
  readonly limits: ChannelLimits = {
    maxRecipientsPerCall: MAX_BATCH,
    maxTextBytes: null,
    maxAttachments: 0,
    attachmentTypes: [],
    mode: 'immediate',
    sharedContent: false,
  };

  constructor(
    private readonly accounts: ChannelAccountsService,
    private readonly client: OaClient,
    private readonly limiter: ChannelRateLimiter,
  ) {}

  validate(message: ChannelMessage): FieldError[] {
    const errors = validateOaMessage(message.oa, 'message.oa');
    if (message.text || message.attachments?.length)
      errors.push({
        field: 'message',
        message: 'OA messages are templates: put the content in message.oa.data',
      });
    return errors;
  }

  async submit(batch: ChannelBatch): Promise<SubmitResult> {
    const api = 'message/send';
    const errors: FieldError[] = [];
    if (!batch.accountId) errors.push({ field: 'accountId', message: 'the OA app id is required' });
    if (batch.recipients.length === 0) errors.push({ field: 'recipients', message: 'no recipients' });
    if (batch.recipients.length > MAX_BATCH)
      errors.push({
        field: 'recipients',
        message: `${batch.recipients.length} recipients; a batch takes at most ${MAX_BATCH}`,
      });
    batch.recipients.forEach((r, i) => {
      if (r.message) errors.push(...validateOaMessage(r.message.oa, `recipients[${i}].message.oa`));
    });
    if (!batch.recipients.every((r) => r.message))
      errors.push(...validateOaMessage(batch.message.oa, 'message.oa'));
    if (errors.length > 0) throw ChannelException.requestInvalid(errors);

    let access: OaAppAccess;
    try {
      access = await this.accounts.oaAccess(batch.brandId, batch.accountId as string);
    } catch (err) {
      if (err instanceof ChannelException && err.code === ChannelErrorCode.OaAppNotFound)
        return { kind: 'failed', failure: { class: 'permanent', errcode: null, errmsg: err.message, api } };
      throw err;
    }
    const accountKey = OaClient.accountKey(access.credentials.appId);
    const outcomes = new Map<string, RecipientOutcome>();
    let stop: { outcome: (r: ChannelRecipient) => RecipientOutcome; failure: ChannelFailure } | null = null;
    const slice = Math.min(access.limit.points, MAX_BATCH);

    for (let start = 0; start < batch.recipients.length && !stop; start += slice) {
      const part = batch.recipients.slice(start, start + slice);
      const decision = await this.limiter.acquire(accountKey, access.limit, part.length);
      if (!decision.allowed) {
        const retryAt = new Date(Date.now() + decision.retryAfterMs);
        const failure: ChannelFailure = {
          class: 'rate_limited',
          errcode: null,
          errmsg: `account over its limit (${decision.reason})`,
          api,
          retryAt,
          local: true,
        };
        stop = {
          failure,
          outcome: (r) => ({
            ref: r.ref,
            address: r.address,
            status: 'retry',
            retryAt,
            errmsg: failure.errmsg,
          }),
        };
        break;
      }
      let next = 0;
      const worker = async () => {
        while (!stop && next < part.length) {
          const r = part[next++];
          const outcome = await this.sendOne(batch, access, r);
          outcomes.set(r.ref, outcome);
          if (outcome.reason === 'rate_limited') {
            const retryAt = outcome.retryAt ?? new Date();
            stop ??= {
              failure: {
                class: 'rate_limited',
                errcode: outcome.errcode ?? null,
                errmsg: outcome.errmsg ?? '',
                api,
                retryAt,
              },
              outcome: (x) => ({
                ref: x.ref,
                address: x.address,
                status: 'retry',
                retryAt,
                reason: 'rate_limited',
              }),
            };
          } else if (outcome.status === 'rejected' && outcome.reason?.startsWith('errcode_')) {
            const { reason, errcode, errmsg } = outcome;
            stop ??= {
              failure: { class: 'permanent', errcode: errcode ?? null, errmsg: errmsg ?? '', api },
              outcome: (x) => ({
                ref: x.ref,
                address: x.address,
                status: 'rejected',
                reason,
                errcode,
                errmsg: `not attempted: ${errmsg}`,
              }),
            };
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, part.length) }, worker));
    }
    const halted = stop as { outcome: (r: ChannelRecipient) => RecipientOutcome } | null;
    return {
      kind: 'done',
      outcomes: batch.recipients.map(
        (r) => outcomes.get(r.ref) ?? (halted as NonNullable<typeof halted>).outcome(r),
      ),
    };
  }

  private async sendOne(
    batch: ChannelBatch,
    access: OaAppAccess,
    r: ChannelRecipient,
  ): Promise<RecipientOutcome> {
    const message = (r.message ?? batch.message).oa;
    const key = r.idempotencyKey ?? `${batch.idempotencyKey}-${r.ref}`;
    const res = await this.client.send(
      access.credentials,
      r.address,
      message as NonNullable<typeof message>,
      key,
    );
    const base = { ref: r.ref, address: r.address };
    if (res.ok) return { ...base, status: 'sent', providerMessageId: res.value.msgid, sentAt: new Date() };
    const f = res.failure;
    const detail = { errcode: f.errcode, errmsg: f.errmsg };
    switch (f.class) {
      case 'rate_limited':
        return { ...base, status: 'retry', reason: 'rate_limited', retryAt: f.retryAt, ...detail };
      case 'retryable':
      case 'not_ready':
        return { ...base, status: 'retry', reason: f.ambiguous ? 'ambiguous' : 'transient', ...detail };
      default: {
        const reason =
          (f.errcode !== null && RECIPIENT_REASONS[f.errcode]) || `errcode_${f.errcode ?? 'none'}`;
        return { ...base, status: 'rejected', reason, ...detail };
      }
    }
  }

  async collect(): Promise<CollectResult> {
    return { kind: 'failed', failure: noTask('collect') };
  }

  async remind(): Promise<TaskActionResult> {
    return { ok: false, failure: noTask('remind') };
  }

  async cancel(): Promise<TaskActionResult> {
    return { ok: false, failure: noTask('cancel') };
  }
}
