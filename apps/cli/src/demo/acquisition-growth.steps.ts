import { pushCallback, sim, until } from './communities.steps';
import { DemoContext, DemoStep } from './demo-context';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Group {
  id: string;
  chatId: string;
  name: string;
  memberCount: number;
}

interface JoinWay {
  id: string;
  state: string;
  qrCode: string | null;
  chatIds: string[];
  activeChatIds: string[];
  fullChatIds: string[];
  groupLimit: number;
  joins: number;
  joinsByChat: Array<{ chatId: string; joins: number }>;
}

interface Invite {
  id: string;
  state: string;
  code: string;
  qrCode: string | null;
  posterUrl: string;
}

interface Leader {
  rank: number;
  nickname: string | null;
  retained: number;
  pending: number;
  lost: number;
  refused: number;
  rewardTiers: number[];
}

interface ChurnRow {
  key: string;
  activeAtStart: number;
  added: number;
  lost: number;
  churnRate: string | null;
}

const STAFF = 'zhang.wei';

/** WeCom's event time (CreateTime, unix seconds) `minutesAgo` before now. */
const ago = (minutesAgo: number) => Math.floor(Date.now() / 1000) - minutesAgo * 60;

async function memberByExternal(
  ctx: DemoContext,
  external: string,
): Promise<{ id: string; nickname: string | null }> {
  const found = await ctx.api<Page<{ id: string; nickname: string | null }>>(
    'GET',
    `/v1/members?q=${encodeURIComponent(external)}`,
  );
  if (!found.items[0]) throw new Error(`no member for ${external}`);
  return found.items[0];
}

/** Acquisition growth: a group code rolling over, a referral campaign with invites and a delete, churn. */
export const ACQUISITION_GROWTH_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Acquisition: a group code rolls over to the next group when one fills',
    async run(ctx) {
      const seed = ctx.brandId.slice(0, 8);
      const groups = (await ctx.api<Page<Group>>('GET', '/v1/groups?limit=50')).items.sort((a, b) =>
        a.chatId.localeCompare(b.chatId),
      );
      const [first, second, third] = groups;
      // A limit one above the first group's size, so the next join through the code fills it.
      const way = await ctx.api<JoinWay>('POST', '/v1/acquisition/join-ways', {
        name: '门店海报进群',
        state: `jw_poster_${seed}`,
        chatIds: [first.chatId, second.chatId, third.chatId],
        groupLimit: first.memberCount + 1,
        autoCreateRoom: true,
        roomBaseName: '会员福利群',
        roomBaseId: 100,
        welcomeText: '欢迎进群！每周五晚八点直播上新。',
      });
      ctx.print(
        `POST /v1/acquisition/join-ways → ${way.state}: QR ${way.qrCode}, routes to ${way.activeChatIds.length} groups, full at ${way.groupLimit}`,
      );
      const joiner = `wm-${seed}-poster-1`;
      await pushCallback(ctx, {
        Event: 'change_external_chat',
        ChangeType: 'update',
        ChatId: first.chatId,
        UpdateDetail: 'add_member',
        JoinScene: 3,
        State: way.state,
        MemChangeCnt: 1,
        MemChangeList: [joiner],
      });
      const rolled = await until('the join way to roll over', async () => {
        const w = await ctx.api<JoinWay>('GET', `/v1/acquisition/join-ways/${way.id}`);
        return w.fullChatIds.length > 0 ? w : undefined;
      });
      ctx.print(
        `${joiner} scanned it into "${first.name}" (JoinScene 3, State ${way.state}): joins ${rolled.joins}; ` +
          `"${first.name}" is full, WeCom now routes to ${rolled.activeChatIds
            .map((c) => groups.find((g) => g.chatId === c)?.name ?? c)
            .join(', ')}`,
      );
    },
  },
  {
    title:
      'Acquisition: a referral campaign — invites, a self-invite, a quick delete, rewards and the leaderboard',
    async run(ctx) {
      const seed = ctx.brandId.slice(0, 8);
      await ctx.api('PUT', '/v1/acquisition/churn/settings', { appAlerts: true, agentId: 1000002 });
      const template = await ctx.api<{ id: string }>('POST', '/v1/coupon-templates', {
        name: '邀请 2 位好友 · 减 ¥20',
        kind: 'fixed_amount',
        amountOffMinor: 2000,
      });
      await ctx.api('POST', `/v1/coupon-templates/${template.id}/activate`);
      const campaign = await ctx.api<{ id: string; name: string }>(
        'POST',
        '/v1/acquisition/referral-campaigns',
        {
          name: '老带新 · 春季',
          startsAt: new Date(Date.now() - 3 * 3_600_000).toISOString(),
          retentionHours: 1,
          staffUserids: [STAFF],
          sourceChannel: 'wecom',
          welcomeText: '感谢朋友推荐，欢迎来到茶友会！',
          tiers: [{ invites: 2, couponTemplateId: template.id }],
        },
      );
      const inviters = await Promise.all([0, 1].map((i) => memberByExternal(ctx, `wm-${seed}-${i + 10}`)));
      const invites: Invite[] = [];
      for (const m of inviters)
        invites.push(
          await ctx.api<Invite>('POST', `/v1/acquisition/referral-campaigns/${campaign.id}/invites`, {
            memberId: m.id,
          }),
        );
      ctx.print(
        `campaign "${campaign.name}" (retained = still a contact 1 h later; 2 retained → coupon); invites: ` +
          invites.map((iv, i) => `${inviters[i].nickname} ${iv.state} (poster ${iv.posterUrl})`).join('; '),
      );

      // Two hours ago: friends added the staff member through the personal codes (one deleted five minutes later).
      const add = (external: string, state: string, minutesAgo: number) =>
        pushCallback(ctx, {
          Event: 'change_external_contact',
          ChangeType: 'add_external_contact',
          UserID: STAFF,
          ExternalUserID: external,
          State: state,
          CreateTime: ago(minutesAgo),
        });
      const friend = (k: number) => `wm-${seed}-friend-${k}`;
      await add(friend(1), invites[0].state, 120);
      await add(friend(2), invites[0].state, 119);
      await add(friend(3), invites[0].state, 118);
      await add(`wm-${seed}-10`, invites[0].state, 117); // the inviter scans their own code
      await add(friend(4), invites[1].state, 116);
      await add(`wm-${seed}-20`, invites[1].state, 115); // someone the brand already knew
      await pushCallback(ctx, {
        Event: 'change_external_contact',
        ChangeType: 'del_follow_user',
        UserID: STAFF,
        ExternalUserID: friend(3),
        CreateTime: ago(113),
      });
      await until('the invitees to be recorded', async () => {
        const board = await ctx.api<{ items: Leader[] }>(
          'GET',
          `/v1/acquisition/referral-campaigns/${campaign.id}/leaderboard`,
        );
        const n = board.items.reduce((a, r) => a + r.pending + r.refused + r.retained + r.lost, 0);
        return n >= 6 ? board : undefined;
      });
      const settled = await ctx.api<{ settled: number; rewardsIssued: number }>(
        'POST',
        `/v1/acquisition/referral-campaigns/${campaign.id}/settle`,
      );
      ctx.print(
        `the 1 h windows have passed: ${settled.settled} invitees settled, ${settled.rewardsIssued} reward coupon(s) issued`,
      );
      const board = await ctx.api<{ items: Leader[] }>(
        'GET',
        `/v1/acquisition/referral-campaigns/${campaign.id}/leaderboard`,
      );
      ctx.print('leaderboard (retained / pending / lost / refused, reward tiers):');
      for (const r of board.items)
        ctx.print(
          `  #${r.rank} ${(r.nickname ?? '?').padEnd(12)} ${r.retained} / ${r.pending} / ${r.lost} / ${r.refused}  tiers [${r.rewardTiers.join(', ')}]`,
        );
      const abuse = await ctx.api<{
        quickDeletes: Array<{ count: number }>;
        bursts: Array<{ maxInWindow: number }>;
      }>(
        'GET',
        `/v1/acquisition/referral-campaigns/${campaign.id}/abuse?quickDeleteMinutes=30&burstCount=4&burstMinutes=10`,
      );
      ctx.print(
        `abuse report: ${abuse.quickDeletes.reduce((a, q) => a + q.count, 0)} quick delete(s); ` +
          `${abuse.bursts.length} inviter(s) with ≥ 4 invites in 10 minutes`,
      );
    },
  },
  {
    title: 'Acquisition: churn — lost contacts, the staff alert, and churn rates',
    async run(ctx) {
      const seed = ctx.brandId.slice(0, 8);
      await pushCallback(ctx, {
        Event: 'change_external_contact',
        ChangeType: 'del_follow_user',
        UserID: STAFF,
        ExternalUserID: `wm-${seed}-friend-1`,
      });
      const events = await until('the churn events', async () => {
        const page = await ctx.api<
          Page<{ externalUserid: string; endedBy: string; alerts: Array<{ status: string }> }>
        >('GET', '/v1/acquisition/churn/events');
        // This step's delete (friend-1) is in, and every alert went out.
        return page.items.some((e) => e.externalUserid === `wm-${seed}-friend-1`) &&
          page.items.every((e) => e.alerts.every((a) => a.status === 'sent'))
          ? page
          : undefined;
      });
      for (const e of events.items)
        ctx.print(
          `  lost ${e.externalUserid} (ended by ${e.endedBy}); alerts: ${e.alerts.map((a) => a.status).join(', ') || 'none'}`,
        );
      const inbox = await sim<{ messages: Array<{ api: string }> }>(`/_sim/messages?recipient=${STAFF}`);
      ctx.print(
        `${STAFF} got ${inbox.messages.filter((m) => m.api === 'message/send').length} WeCom app alert(s)`,
      );
      const lost = await ctx.api<{ count: number }>('POST', '/v1/segments/preview', {
        rule: { field: 'lost_contact', op: 'eq', value: true },
      });
      ctx.print(`segment "lost_contact = true": ${lost.count} member(s)`);
      const from = new Date(Date.now() - 7 * 86_400_000).toISOString();
      for (const by of ['staff', 'state'] as const) {
        const rates = await ctx.api<{ rows: ChurnRow[]; total: ChurnRow }>(
          'GET',
          `/v1/acquisition/churn/rates?by=${by}&from=${encodeURIComponent(from)}`,
        );
        ctx.print(
          `churn rate by ${by} over 7 days (total ${rates.total.lost} lost, ${rates.total.churnRate ?? '—'}):`,
        );
        for (const r of rates.rows.filter((x) => x.lost > 0))
          ctx.print(
            `  ${(r.key || '(no state)').padEnd(24)} lost ${r.lost} of ${r.activeAtStart + r.added}: ${r.churnRate}`,
          );
      }
    },
  },
];
