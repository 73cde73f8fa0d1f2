import { Injectable } from '@nestjs/common';
import {
  ChannelAccountsService,
  ChannelErrorCode,
  ChannelException,
  ChannelFailure,
  ChannelRateLimiter,
  ChannelResult,
  Errcode,
  GroupChatDetail,
  GroupChatSummary,
  Paged,
  WecomAccountAccess,
  WecomClient,
} from '@siyu/channels';
import { GroupSnapshot } from './group-store';

/** A group read with groupchat/get: its snapshot, gone from WeCom (40050), or a classified failure. */
export type GroupRead =
  | { kind: 'ok'; snapshot: GroupSnapshot }
  | { kind: 'gone'; failure: ChannelFailure }
  | { kind: 'failed'; failure: ChannelFailure };

const GET_API = 'externalcontact/groupchat/get';
/** How long one call may wait for the corp's budget before the caller is told to defer. */
const MAX_BUDGET_WAIT_MS = 5_000;

/** groupchat/get's answer as a snapshot; staff are member type 1, customers type 2. */
export function toSnapshot(d: GroupChatDetail, wecomStatus?: number): GroupSnapshot {
  const version = (d as GroupChatDetail & { member_version?: unknown }).member_version;
  return {
    chatId: d.chat_id,
    name: d.name ?? '',
    owner: d.owner,
    notice: d.notice ? d.notice : null,
    createdAt: typeof d.create_time === 'number' && d.create_time > 0 ? new Date(d.create_time * 1000) : null,
    memberVersion: typeof version === 'string' && version ? version : null,
    ...(wecomStatus !== undefined ? { wecomStatus } : {}),
    admins: (d.admin_list ?? []).map((a) => a.userid).filter(Boolean),
    members: (d.member_list ?? []).map((p) => ({
      userid: p.userid,
      type: p.type === 1 ? 'staff' : 'external',
      joinedAt: new Date((typeof p.join_time === 'number' ? p.join_time : 0) * 1000),
      joinScene: typeof p.join_scene === 'number' ? p.join_scene : null,
      invitor: p.invitor?.userid ?? null,
      name: p.type === 1 && p.name ? p.name.slice(0, 80) : null,
      unionid: p.type === 2 && p.unionid ? p.unionid : null,
    })),
  };
}

/**
 * Reads customer groups from WeCom for the sync and the callbacks, within the corp's shared call
 * budget (ChannelRateLimiter, the same Redis budget every worker draws on): a call waits for the
 * next window, and one the limiter keeps refusing (a 45009 block) comes back as a `rate_limited`
 * failure without being made.
 */
@Injectable()
export class WecomGroupsReader {
  constructor(
    private readonly accounts: ChannelAccountsService,
    private readonly client: WecomClient,
    private readonly limiter: ChannelRateLimiter,
  ) {}

  /** The brand's corp, or null when it has none configured. */
  async access(brandId: string): Promise<WecomAccountAccess | null> {
    try {
      return await this.accounts.wecomAccess(brandId);
    } catch (err) {
      if (err instanceof ChannelException && err.code === ChannelErrorCode.WecomAccountNotFound) return null;
      throw err;
    }
  }

  /**
   * One call from the corp's budget. A spent window (a second, by default) is waited out here, so
   * a page of groups goes through at the corp's pace; a block after WeCom's own 45009, or a limiter
   * that cannot be asked, comes back as a failure for the caller to defer.
   */
  private async budget(access: WecomAccountAccess, api: string): Promise<ChannelFailure | null> {
    const key = WecomClient.accountKey(access.credentials.corpId);
    const deadline = Date.now() + MAX_BUDGET_WAIT_MS;
    let decision = await this.limiter.acquire(key, access.limit);
    while (
      !decision.allowed &&
      decision.reason === 'limit' &&
      Date.now() + decision.retryAfterMs <= deadline
    ) {
      await new Promise((r) => setTimeout(r, decision.allowed ? 0 : decision.retryAfterMs));
      decision = await this.limiter.acquire(key, access.limit);
    }
    if (decision.allowed) return null;
    return {
      class: 'rate_limited',
      errcode: null,
      errmsg: `the corp's call budget is spent (${decision.reason})`,
      api,
      retryAt: new Date(Date.now() + decision.retryAfterMs),
      local: true,
    };
  }

  async list(
    access: WecomAccountAccess,
    q: { cursor?: string; limit: number },
  ): Promise<ChannelResult<Paged<GroupChatSummary>>> {
    const refused = await this.budget(access, 'externalcontact/groupchat/list');
    if (refused) return { ok: false, failure: refused };
    return this.client.listGroupChats(access.credentials, {
      statusFilter: 0,
      cursor: q.cursor,
      limit: q.limit,
    });
  }

  async get(access: WecomAccountAccess, chatId: string, wecomStatus?: number): Promise<GroupRead> {
    const refused = await this.budget(access, GET_API);
    if (refused) return { kind: 'failed', failure: refused };
    const res = await this.client.getGroupChat(access.credentials, chatId, true);
    if (res.ok) return { kind: 'ok', snapshot: toSnapshot(res.value, wecomStatus) };
    if (res.failure.errcode === Errcode.CHAT_NOT_FOUND) return { kind: 'gone', failure: res.failure };
    return { kind: 'failed', failure: res.failure };
  }
}
