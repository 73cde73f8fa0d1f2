import { Injectable } from '@nestjs/common';
import { AppConfig, FieldError } from '@siyu/platform';
import { ChannelException, ChannelResult, Errcode, ok } from '../channel-errors';
import { AccessTokenCache } from '../http/access-token-cache';
import { CgiAccount, CgiClient, secretFingerprint } from '../http/cgi-client';
import { CgiReply } from '../http/cgi-transport';
import { ChannelRateLimiter } from '../rate-limit/channel-rate-limiter';
import { validateWecomMessage, WECOM_LIMITS, WecomMessage, wecomMessageBody } from './wecom-message';

/** A corp's credentials for the customer-contact APIs (the 客户联系 secret). */
export interface WecomCredentials {
  corpId: string;
  secret: string;
}

export interface AddMsgTemplateRequest {
  chatType: 'group' | 'single';
  /** The staff userid who confirms and sends: required for `group`, optional for `single`. */
  sender?: string;
  /** group: the customer group chat_ids, 1 to 2,000. */
  chatIds?: string[];
  /** single: the customers' external_userids, 1 to 10,000. */
  externalUserIds?: string[];
  message: WecomMessage;
  allowSelect?: boolean;
  /**
   * Sent as `client_msg_id`. WeCom documents no idempotency field for add_msg_template and ignores
   * it; wecom-sim counts duplicates by it (dedupeKeyPath). What prevents a double send is the
   * caller's ledger claim: see the README.
   */
  idempotencyKey?: string;
}

/** Per-recipient send status in get_groupmsg_send_result. */
export const WecomSendStatus = { NotSent: 0, Sent: 1, NotFriend: 2, LimitReached: 3 } as const;

export interface SendResultItem {
  externalUserId?: string;
  chatId?: string;
  userid: string;
  status: number;
  sendTime?: number;
}

export interface GroupMsgTaskItem {
  userid: string;
  /** 0 not sent yet, 2 sent. */
  status: number;
  sendTime?: number;
}

export interface GroupChatSummary {
  chatId: string;
  status: number;
}

export interface GroupChatMember {
  userid: string;
  type: number;
  join_time: number;
  join_scene: number;
  invitor?: { userid: string };
  group_nickname?: string;
  name?: string;
  unionid?: string;
}

export interface GroupChatDetail {
  chat_id: string;
  name: string;
  owner: string;
  create_time: number;
  notice?: string;
  member_list: GroupChatMember[];
  admin_list?: Array<{ userid: string }>;
}

export interface Paged<T> {
  items: T[];
  /** null when this was the last page. */
  nextCursor: string | null;
}

/** The fields of a contact way ("联系我") that Siyu sets. */
export interface ContactWayRequest {
  type?: 1 | 2;
  scene?: 1 | 2;
  /** ≤ 30 characters. */
  remark?: string;
  skipVerify?: boolean;
  /** ≤ 30 characters; comes back on the add_external_contact event. */
  state?: string;
  /** Staff userids: exactly one for type 1. */
  user?: string[];
}

const contactWayBody = (w: ContactWayRequest): Record<string, unknown> => ({
  ...(w.type !== undefined ? { type: w.type } : {}),
  ...(w.scene !== undefined ? { scene: w.scene } : {}),
  ...(w.remark !== undefined ? { remark: w.remark } : {}),
  ...(w.skipVerify !== undefined ? { skip_verify: w.skipVerify } : {}),
  ...(w.state !== undefined ? { state: w.state } : {}),
  ...(w.user !== undefined ? { user: w.user } : {}),
});

const cursorOf = (reply: CgiReply): string | null =>
  typeof reply.next_cursor === 'string' && reply.next_cursor !== '' ? reply.next_cursor : null;

/**
 * The WeCom server API (base URL from WECOM_BASE_URL) for customer broadcasts, their results,
 * customer groups and welcome messages. Every method returns a typed result: `ok` with the value,
 * or a classified failure (see ChannelFailure). Requests that break WeCom's documented limits are
 * refused with a ChannelException (422) before any call is made.
 */
@Injectable()
export class WecomClient extends CgiClient {
  constructor(tokens: AccessTokenCache, limiter: ChannelRateLimiter, config: AppConfig) {
    super(
      {
        baseUrl: config.get('WECOM_BASE_URL').replace(/\/+$/, ''),
        timeoutMs: config.get('CHANNEL_HTTP_TIMEOUT_MS'),
        rateLimitBackoffMs: config.get('CHANNEL_RATE_LIMIT_BACKOFF_MS'),
      },
      tokens,
      limiter,
      new Set([Errcode.INVALID_ACCESS_TOKEN, Errcode.ACCESS_TOKEN_EXPIRED]),
    );
  }

  static accountKey(corpId: string): string {
    return `wecom-${corpId}`;
  }

  account(creds: WecomCredentials): CgiAccount {
    return {
      accountKey: WecomClient.accountKey(creds.corpId),
      tokenSource: {
        key: `wecom-${creds.corpId}-${secretFingerprint(creds.secret)}`,
        issue: () => this.issueToken('gettoken', { corpid: creds.corpId, corpsecret: creds.secret }),
      },
    };
  }

  /** Checks a broadcast against WeCom's limits; empty when it may be sent. */
  static validateAddMsgTemplate(req: AddMsgTemplateRequest): FieldError[] {
    const errors = validateWecomMessage(req.message);
    if (req.chatType === 'group') {
      if (!req.sender)
        errors.push({ field: 'sender', message: 'a group broadcast needs its sender (staff userid)' });
      const n = req.chatIds?.length ?? 0;
      if (n === 0) errors.push({ field: 'chatIds', message: 'a group broadcast needs at least one chat_id' });
      if (n > WECOM_LIMITS.maxGroupChatsPerCall)
        errors.push({
          field: 'chatIds',
          message: `${n} chats; one call takes at most ${WECOM_LIMITS.maxGroupChatsPerCall}`,
        });
      if (req.externalUserIds?.length)
        errors.push({
          field: 'externalUserIds',
          message: 'a group broadcast takes chat_ids, not external_userids',
        });
    } else {
      const n = req.externalUserIds?.length ?? 0;
      if (n === 0)
        errors.push({
          field: 'externalUserIds',
          message: 'a 1:1 broadcast needs at least one external_userid',
        });
      if (n > WECOM_LIMITS.maxExternalUsersPerCall)
        errors.push({
          field: 'externalUserIds',
          message: `${n} customers; one call takes at most ${WECOM_LIMITS.maxExternalUsersPerCall}`,
        });
      if (req.chatIds?.length)
        errors.push({ field: 'chatIds', message: 'a 1:1 broadcast takes external_userids, not chat_ids' });
    }
    return errors;
  }

  /** externalcontact/add_msg_template: creates a broadcast task for the sender to confirm. */
  async addMsgTemplate(
    creds: WecomCredentials,
    req: AddMsgTemplateRequest,
  ): Promise<ChannelResult<{ msgid: string; failList: string[] }>> {
    const errors = WecomClient.validateAddMsgTemplate(req);
    if (errors.length > 0) throw ChannelException.requestInvalid(errors);
    const body = {
      chat_type: req.chatType,
      ...(req.sender ? { sender: req.sender } : {}),
      ...(req.chatType === 'group'
        ? { chat_id_list: req.chatIds }
        : { external_userid: req.externalUserIds }),
      ...(req.allowSelect ? { allow_select: true } : {}),
      ...wecomMessageBody(req.message),
      ...(req.idempotencyKey ? { client_msg_id: req.idempotencyKey } : {}),
    };
    const res = await this.call(this.account(creds), 'externalcontact/add_msg_template', body);
    if (!res.ok) return res;
    return ok({
      msgid: String(res.value.msgid),
      failList: Array.isArray(res.value.fail_list) ? (res.value.fail_list as string[]) : [],
    });
  }

  /** externalcontact/get_groupmsg_task: which staff members have sent the task. 41063 → not_ready. */
  async getGroupMsgTask(
    creds: WecomCredentials,
    msgid: string,
    cursor?: string,
  ): Promise<ChannelResult<Paged<GroupMsgTaskItem>>> {
    const res = await this.call(this.account(creds), 'externalcontact/get_groupmsg_task', {
      msgid,
      limit: 1000,
      ...(cursor ? { cursor } : {}),
    });
    if (!res.ok) return res;
    const list = Array.isArray(res.value.task_list)
      ? (res.value.task_list as Array<Record<string, unknown>>)
      : [];
    return ok({
      items: list.map((t) => ({
        userid: String(t.userid),
        status: Number(t.status),
        ...(typeof t.send_time === 'number' ? { sendTime: t.send_time } : {}),
      })),
      nextCursor: cursorOf(res.value),
    });
  }

  /** externalcontact/get_groupmsg_send_result: one page of per-recipient statuses. 41063 → not_ready. */
  async getGroupMsgSendResult(
    creds: WecomCredentials,
    q: { msgid: string; userid: string; cursor?: string; limit?: number },
  ): Promise<ChannelResult<Paged<SendResultItem>>> {
    const limit = Math.min(q.limit ?? 500, WECOM_LIMITS.maxResultPageSize);
    const res = await this.call(this.account(creds), 'externalcontact/get_groupmsg_send_result', {
      msgid: q.msgid,
      userid: q.userid,
      limit,
      ...(q.cursor ? { cursor: q.cursor } : {}),
    });
    if (!res.ok) return res;
    const list = Array.isArray(res.value.detail_list)
      ? (res.value.detail_list as Array<Record<string, unknown>>)
      : [];
    return ok({
      items: list.map((d) => ({
        ...(typeof d.external_userid === 'string' ? { externalUserId: d.external_userid } : {}),
        ...(typeof d.chat_id === 'string' ? { chatId: d.chat_id } : {}),
        userid: String(d.userid),
        status: Number(d.status),
        ...(typeof d.send_time === 'number' ? { sendTime: d.send_time } : {}),
      })),
      nextCursor: cursorOf(res.value),
    });
  }

  /** externalcontact/remind_groupmsg_send: nudges the staff member to confirm (WeCom allows 3 a day). */
  async remindGroupMsgSend(creds: WecomCredentials, msgid: string): Promise<ChannelResult<void>> {
    const res = await this.call(this.account(creds), 'externalcontact/remind_groupmsg_send', { msgid });
    return res.ok ? ok(undefined) : res;
  }

  /** externalcontact/cancel_groupmsg_send: stops a task the staff member has not sent yet. */
  async cancelGroupMsgSend(creds: WecomCredentials, msgid: string): Promise<ChannelResult<void>> {
    const res = await this.call(this.account(creds), 'externalcontact/cancel_groupmsg_send', { msgid });
    return res.ok ? ok(undefined) : res;
  }

  /** externalcontact/groupchat/list: one page of customer groups (for the communities sync). */
  async listGroupChats(
    creds: WecomCredentials,
    q: { statusFilter?: 0 | 1 | 2 | 3; ownerUserIds?: string[]; cursor?: string; limit?: number } = {},
  ): Promise<ChannelResult<Paged<GroupChatSummary>>> {
    const res = await this.call(this.account(creds), 'externalcontact/groupchat/list', {
      status_filter: q.statusFilter ?? 0,
      ...(q.ownerUserIds?.length ? { owner_filter: { userid_list: q.ownerUserIds } } : {}),
      ...(q.cursor ? { cursor: q.cursor } : {}),
      limit: Math.min(q.limit ?? 1000, 1000),
    });
    if (!res.ok) return res;
    const list = Array.isArray(res.value.group_chat_list)
      ? (res.value.group_chat_list as Array<{ chat_id: string; status: number }>)
      : [];
    return ok({
      items: list.map((c) => ({ chatId: c.chat_id, status: c.status })),
      nextCursor: cursorOf(res.value),
    });
  }

  /** externalcontact/groupchat/get: a group's details and members. */
  async getGroupChat(
    creds: WecomCredentials,
    chatId: string,
    needName = true,
  ): Promise<ChannelResult<GroupChatDetail>> {
    const res = await this.call(this.account(creds), 'externalcontact/groupchat/get', {
      chat_id: chatId,
      need_name: needName ? 1 : 0,
    });
    if (!res.ok) return res;
    return ok(res.value.group_chat as GroupChatDetail);
  }

  /**
   * externalcontact/add_contact_way: a "contact me" way (scene 2: a QR code). Answers its
   * config_id and QR code URL.
   */
  async addContactWay(
    creds: WecomCredentials,
    way: ContactWayRequest & { type: 1 | 2; scene: 1 | 2 },
  ): Promise<ChannelResult<{ configId: string; qrCode: string | null }>> {
    const res = await this.call(this.account(creds), 'externalcontact/add_contact_way', contactWayBody(way));
    if (!res.ok) return res;
    return ok({
      configId: String(res.value.config_id),
      qrCode: typeof res.value.qr_code === 'string' ? res.value.qr_code : null,
    });
  }

  /** externalcontact/update_contact_way: replaces the given fields of a contact way. */
  async updateContactWay(
    creds: WecomCredentials,
    configId: string,
    way: ContactWayRequest,
  ): Promise<ChannelResult<void>> {
    const res = await this.call(this.account(creds), 'externalcontact/update_contact_way', {
      config_id: configId,
      ...contactWayBody(way),
    });
    return res.ok ? ok(undefined) : res;
  }

  /** externalcontact/del_contact_way. */
  async delContactWay(creds: WecomCredentials, configId: string): Promise<ChannelResult<void>> {
    const res = await this.call(this.account(creds), 'externalcontact/del_contact_way', {
      config_id: configId,
    });
    return res.ok ? ok(undefined) : res;
  }

  /** externalcontact/send_welcome_msg: the welcome message for a WelcomeCode from an add event. */
  async sendWelcomeMsg(
    creds: WecomCredentials,
    welcomeCode: string,
    message: WecomMessage,
  ): Promise<ChannelResult<void>> {
    const errors = validateWecomMessage(message);
    if (!welcomeCode) errors.push({ field: 'welcomeCode', message: 'welcomeCode is required' });
    if (errors.length > 0) throw ChannelException.requestInvalid(errors);
    const res = await this.call(this.account(creds), 'externalcontact/send_welcome_msg', {
      welcome_code: welcomeCode,
      ...wecomMessageBody(message),
    });
    return res.ok ? ok(undefined) : res;
  }
}
