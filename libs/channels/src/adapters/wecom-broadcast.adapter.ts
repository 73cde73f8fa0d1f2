import { Injectable } from '@nestjs/common';
import { FieldError } from '@siyu/platform';
import { ChannelErrorCode, ChannelException, ChannelFailure } from '../channel-errors';
import { ChannelAccountsService, WecomAccountAccess } from '../accounts/channel-accounts.service';
import { ChannelRateLimiter } from '../rate-limit/channel-rate-limiter';
import { WecomClient, WecomSendStatus } from '../wecom/wecom-client';
import { validateWecomMessage, WECOM_ATTACHMENT_TYPES, WECOM_LIMITS } from '../wecom/wecom-message';
import {
  ChannelAdapter,
  ChannelBatch,
  ChannelLimits,
  ChannelMessage,
  ChannelTaskRef,
  CollectResult,
  pollBackoffMs,
  RecipientOutcome,
  SubmitResult,
  TaskActionResult,
} from './channel-adapter';

const STATUS_OUTCOME: Record<number, Pick<RecipientOutcome, 'status' | 'reason'>> = {
  [WecomSendStatus.NotSent]: { status: 'pending' },
  [WecomSendStatus.Sent]: { status: 'sent' },
  [WecomSendStatus.NotFriend]: { status: 'rejected', reason: 'not_friend' },
  [WecomSendStatus.LimitReached]: { status: 'rejected', reason: 'limit_reached' },
};

/** Maps get_groupmsg_send_result's status (0 not sent, 1 sent, 2 not a friend, 3 over the limit). */
export function outcomeForStatus(status: number): Pick<RecipientOutcome, 'status' | 'reason'> {
  return STATUS_OUTCOME[status] ?? { status: 'rejected', reason: `status_${status}` };
}

const noAccount = (api: string): ChannelFailure => ({
  class: 'permanent',
  errcode: null,
  errmsg: 'the brand has no WeCom corp configured',
  api,
});

/**
 * WeCom customer broadcasts (企业群发) through externalcontact/add_msg_template: a task the sender
 * confirms in the WeCom app; per-recipient results from get_groupmsg_send_result.
 */
abstract class WecomBroadcastAdapter implements ChannelAdapter {
  abstract readonly kind: 'wecom_group' | 'wecom_single';
  abstract readonly limits: ChannelLimits;

  constructor(
    protected readonly accounts: ChannelAccountsService,
    protected readonly client: WecomClient,
    protected readonly limiter: ChannelRateLimiter,
  ) {}

  validate(message: ChannelMessage): FieldError[] {
    const errors = validateWecomMessage(message);
    if (message.oa)
      errors.push({ field: 'message.oa', message: 'WeCom broadcasts take text and attachments' });
    return errors;
  }

  private async access(brandId: string): Promise<WecomAccountAccess | null> {
    try {
      return await this.accounts.wecomAccess(brandId);
    } catch (err) {
      if (err instanceof ChannelException && err.code === ChannelErrorCode.WecomAccountNotFound) return null;
      throw err;
    }
  }

  async submit(batch: ChannelBatch): Promise<SubmitResult> {
    const api = 'externalcontact/add_msg_template';
    const group = this.kind === 'wecom_group';
    const errors = this.validate(batch.message);
    if (batch.recipients.length > this.limits.maxRecipientsPerCall)
      errors.push({
        field: 'recipients',
        message: `${batch.recipients.length} recipients; one call takes at most ${this.limits.maxRecipientsPerCall}`,
      });
    if (batch.recipients.length === 0) errors.push({ field: 'recipients', message: 'no recipients' });
    if (group && !batch.sender)
      errors.push({ field: 'sender', message: 'a group broadcast needs its sender' });
    if (errors.length > 0) throw ChannelException.requestInvalid(errors);

    const access = await this.access(batch.brandId);
    if (!access) return { kind: 'failed', failure: noAccount(api) };
    const accountKey = WecomClient.accountKey(access.credentials.corpId);
    const decision = await this.limiter.acquire(accountKey, access.limit, 1);
    if (!decision.allowed) {
      return {
        kind: 'failed',
        failure: {
          class: 'rate_limited',
          errcode: null,
          errmsg: `account over its limit (${decision.reason})`,
          api,
          retryAt: new Date(Date.now() + decision.retryAfterMs),
          local: true,
        },
      };
    }
    const addresses = [...new Set(batch.recipients.map((r) => r.address))];
    const res = await this.client.addMsgTemplate(access.credentials, {
      chatType: group ? 'group' : 'single',
      sender: batch.sender,
      ...(group ? { chatIds: addresses } : { externalUserIds: addresses }),
      message: { text: batch.message.text, attachments: batch.message.attachments },
      idempotencyKey: batch.idempotencyKey,
    });
    if (!res.ok) return { kind: 'failed', failure: res.failure };
    const failed = new Set(res.value.failList);
    const { msgid } = res.value;
    return {
      kind: 'task',
      taskRef: {
        kind: this.kind,
        brandId: batch.brandId,
        msgid,
        ...(batch.sender ? { sender: batch.sender } : {}),
      },
      outcomes: batch.recipients.map((r) =>
        failed.has(r.address)
          ? {
              ref: r.ref,
              address: r.address,
              status: 'rejected',
              reason: 'invalid_recipient',
              providerMessageId: msgid,
            }
          : { ref: r.ref, address: r.address, status: 'pending', providerMessageId: msgid },
      ),
    };
  }

  async collect(taskRef: ChannelTaskRef, attempt = 0): Promise<CollectResult> {
    const access = await this.access(taskRef.brandId);
    if (!access) return { kind: 'failed', failure: noAccount('externalcontact/get_groupmsg_send_result') };
    const creds = access.credentials;
    let senders: string[];
    if (taskRef.sender) senders = [taskRef.sender];
    else {
      senders = [];
      let cursor: string | undefined;
      do {
        const page = await this.client.getGroupMsgTask(creds, taskRef.msgid, cursor);
        if (!page.ok)
          return page.failure.class === 'not_ready'
            ? { kind: 'not_ready', retryAfterMs: pollBackoffMs(attempt) }
            : { kind: 'failed', failure: page.failure };
        senders.push(...page.value.items.map((t) => t.userid));
        cursor = page.value.nextCursor ?? undefined;
      } while (cursor);
    }
    const byAddress = new Map<string, RecipientOutcome>();
    for (const userid of senders) {
      let cursor: string | undefined;
      do {
        const page = await this.client.getGroupMsgSendResult(creds, {
          msgid: taskRef.msgid,
          userid,
          cursor,
          limit: WECOM_LIMITS.maxResultPageSize,
        });
        if (!page.ok)
          return page.failure.class === 'not_ready'
            ? { kind: 'not_ready', retryAfterMs: pollBackoffMs(attempt) }
            : { kind: 'failed', failure: page.failure };
        for (const item of page.value.items) {
          const address = item.chatId ?? item.externalUserId;
          if (!address) continue;
          const outcome: RecipientOutcome = {
            address,
            ...outcomeForStatus(item.status),
            providerMessageId: taskRef.msgid,
            ...(item.sendTime ? { sentAt: new Date(item.sendTime * 1000) } : {}),
          };
          // A customer several staff members share appears once per sender: "sent" wins.
          const prev = byAddress.get(address);
          if (!prev || outcome.status === 'sent' || prev.status === 'pending')
            byAddress.set(address, outcome);
        }
        cursor = page.value.nextCursor ?? undefined;
      } while (cursor);
    }
    const outcomes = [...byAddress.values()];
    return { kind: 'collected', outcomes, complete: outcomes.every((o) => o.status !== 'pending') };
  }

  async remind(taskRef: ChannelTaskRef): Promise<TaskActionResult> {
    const access = await this.access(taskRef.brandId);
    if (!access) return { ok: false, failure: noAccount('externalcontact/remind_groupmsg_send') };
    const res = await this.client.remindGroupMsgSend(access.credentials, taskRef.msgid);
    return res.ok ? { ok: true } : { ok: false, failure: res.failure };
  }

  async cancel(taskRef: ChannelTaskRef): Promise<TaskActionResult> {
    const access = await this.access(taskRef.brandId);
    if (!access) return { ok: false, failure: noAccount('externalcontact/cancel_groupmsg_send') };
    const res = await this.client.cancelGroupMsgSend(access.credentials, taskRef.msgid);
    return res.ok ? { ok: true } : { ok: false, failure: res.failure };
  }
}

const wecomLimits = (maxRecipientsPerCall: number): ChannelLimits => ({
  maxRecipientsPerCall,
  maxTextBytes: WECOM_LIMITS.maxTextBytes,
  maxAttachments: WECOM_LIMITS.maxAttachments,
  attachmentTypes: WECOM_ATTACHMENT_TYPES,
  mode: 'task',
  sharedContent: true,
});

/** Broadcast to customer group chats: ≤ 2,000 chat_ids per call, with the owner staff as sender. */
@Injectable()
export class WecomGroupAdapter extends WecomBroadcastAdapter {
  readonly kind = 'wecom_group' as const;
  readonly limits = wecomLimits(WECOM_LIMITS.maxGroupChatsPerCall);

  constructor(accounts: ChannelAccountsService, client: WecomClient, limiter: ChannelRateLimiter) {
    super(accounts, client, limiter);
  }
}

/** Broadcast to customers 1:1: ≤ 10,000 external_userids per call. */
@Injectable()
export class WecomSingleAdapter extends WecomBroadcastAdapter {
  readonly kind = 'wecom_single' as const;
  readonly limits = wecomLimits(WECOM_LIMITS.maxExternalUsersPerCall);

  constructor(accounts: ChannelAccountsService, client: WecomClient, limiter: ChannelRateLimiter) {
    super(accounts, client, limiter);
  }
}
