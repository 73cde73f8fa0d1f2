import { createHash } from 'node:crypto';
import { loadEnvironment } from '@siyu/platform';
import { DemoContext, DemoStep } from './demo-context';

interface SyncRun {
  id: string;
  status: string;
  pages: number;
  groupsSynced: number;
  membershipsJoined: number;
  membersCreated: number;
  error: { message: string } | null;
}

interface Group {
  id: string;
  chatId: string;
  name: string;
  owner: { userid: string; name: string | null } | null;
  memberCount: number;
  externalMemberCount: number;
  capacity: number;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const STAFF = [
  { userid: 'zhang.wei', name: '张伟' },
  { userid: 'li.na', name: '李娜' },
  { userid: 'wang.fang', name: '王芳' },
];
const GROUP_NAMES = [
  '龙井爱好者',
  '普洱收藏群',
  '乌龙茶友会',
  '新品试饮群',
  '杭州茶友',
  '上海茶友',
  '茶器交流',
  '会员福利群',
];
/** Each group holds a run of the demo members (the import's `wm-<seed>-<i>`), overlapping its neighbour's. */
const PER_GROUP = 150;
const OVERLAP = 40;
/** The members CSV rejected every 500th row: those people are new to Siyu when the sync meets them. */
const JOINER = 1_998;

/** What the two steps share: the corp's callback secrets, and the groups as synced. */
const demo: { corpId: string; token: string; aesKey: string; groups: Group[] } = {
  corpId: '',
  token: '',
  aesKey: '',
  groups: [],
};

const simUrl = () => loadEnvironment().WECOM_BASE_URL.replace(/\/+$/, '');

/** A call to wecom-sim's own routes (GET without a body, POST with one). */
export async function sim<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${simUrl()}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`wecom-sim ${path} -> ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function groupChats(seed: string): object[] {
  return GROUP_NAMES.map((name, g) => {
    const owner = STAFF[g % STAFF.length];
    const from = g * PER_GROUP;
    const customers = Array.from({ length: PER_GROUP + OVERLAP }, (_, k) => `wm-${seed}-${from + k}`);
    const newcomers = Array.from({ length: 3 }, (_, k) => `wm-${seed}-g${g}-new${k}`);
    return {
      chat_id: `wrdemo${seed}${g}`,
      name,
      owner: owner.userid,
      notice: g === 7 ? '会员专享：每周五晚八点直播上新' : '',
      create_time: 1_735_660_800 + g * 86_400,
      member_list: [
        { userid: owner.userid, type: 1, name: owner.name, join_time: 1_735_660_800 + g * 86_400 },
        ...[...customers, ...newcomers].map((userid, k) => ({
          userid,
          type: 2,
          join_time: 1_735_660_800 + g * 86_400 + k * 600,
          join_scene: 1 + (k % 3),
          invitor: { userid: owner.userid },
        })),
      ],
      admin_list: [],
    };
  });
}

/** Has wecom-sim push a signed, encrypted callback event to the demo brand. */
export async function pushCallback(ctx: DemoContext, event: Record<string, unknown>): Promise<void> {
  const res = await sim<{ status: number | null; body?: string; error?: string }>('/_sim/callbacks', {
    url: `${ctx.baseUrl}/v1/channels/wecom/callback/${ctx.brandId}`,
    token: demo.token,
    encodingAESKey: demo.aesKey,
    corpId: demo.corpId,
    event,
  });
  if (res.status !== 200)
    throw new Error(`Siyu refused the callback: ${res.status ?? res.error} ${res.body ?? ''}`);
}

/** Communities: the demo brand's WeCom customer groups, synced from wecom-sim, then kept current by its callbacks. */
export const COMMUNITIES_DEMO_STEPS: DemoStep[] = [
  {
    title: 'Communities: WeCom group chats synced from wecom-sim',
    async run(ctx) {
      await until('wecom-sim', () => sim<{ status: string }>('/health'));
      const seed = ctx.brandId.slice(0, 8);
      const secret = createHash('sha256').update(`demo-${ctx.brandId}`).digest('hex');
      demo.corpId = `wwdemo${seed}`;
      demo.token = `tok${secret.slice(0, 20)}`;
      demo.aesKey = Buffer.from(secret)
        .toString('base64')
        .replace(/[^A-Za-z0-9]/g, '')
        .slice(0, 43);
      await ctx.api('PUT', '/v1/channels/wecom', {
        corpId: demo.corpId,
        contactSecret: `contact-${secret.slice(20, 44)}`,
        callbackToken: demo.token,
        encodingAesKey: demo.aesKey,
      });
      ctx.print(`WeCom corp ${demo.corpId} configured against wecom-sim (${simUrl()})`);

      const chats = groupChats(seed);
      await sim('/_sim/groupchats', { group_chats: chats });
      ctx.print(
        `wecom-sim holds ${chats.length} customer groups of ${STAFF.length} staff; their customers are the imported members, plus 3 newcomers each`,
      );

      const started = await ctx.api<SyncRun>('POST', '/v1/groups/sync', { pageSize: 3 });
      const t0 = Date.now();
      const run = await until('the group sync', async () => {
        const r = await ctx.api<SyncRun>('GET', `/v1/groups/sync/${started.id}`);
        return r.status === 'completed' || r.status === 'failed' ? r : undefined;
      });
      if (run.status !== 'completed') throw new Error(`the group sync failed: ${run.error?.message}`);
      ctx.print(
        `POST /v1/groups/sync → run ${run.id} ${run.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` +
          `${run.pages} pages of groupchat/list, ${run.groupsSynced} groups, ${run.membershipsJoined} memberships, ` +
          `${run.membersCreated} members created for customers Siyu did not know`,
      );

      const page = await ctx.api<Page<Group>>('GET', '/v1/groups?limit=50');
      demo.groups = [...page.items].sort((a, b) => a.chatId.localeCompare(b.chatId));
      ctx.print('group chats (people now / capacity, of which customers):');
      for (const g of demo.groups)
        ctx.print(
          `  ${g.name.padEnd(6, '　')} owner ${(g.owner?.name ?? '?').padEnd(3, '　')} ${String(g.memberCount).padStart(4)} / ${g.capacity}, ${g.externalMemberCount} customers`,
        );
      const staff = await ctx.api<Page<{ userid: string; name: string | null; ownedGroups: number }>>(
        'GET',
        '/v1/staff',
      );
      ctx.print(
        `staff: ${staff.items.map((s) => `${s.name ?? s.userid} (${s.ownedGroups} groups)`).join(', ')}`,
      );
    },
  },
  {
    title: 'Communities: WeCom callbacks keep the groups and members current',
    async run(ctx) {
      const seed = ctx.brandId.slice(0, 8);
      const group = demo.groups[0];
      const joiner = `wm-${seed}-${JOINER}`;
      const member = await ctx.api<Page<{ id: string; nickname: string | null }>>(
        'GET',
        `/v1/members?q=${encodeURIComponent(joiner)}`,
      );
      await pushCallback(ctx, {
        Event: 'change_external_chat',
        ChangeType: 'update',
        ChatId: group.chatId,
        UpdateDetail: 'add_member',
        JoinScene: 3,
        MemChangeCnt: 1,
        MemChangeList: [joiner],
      });
      ctx.print(
        `wecom-sim pushed a signed, encrypted change_external_chat: ${joiner} joined "${group.name}" by its QR code`,
      );
      const stay = await until('the join to be applied', async () => {
        const people = await ctx.api<Page<{ userid: string; memberId: string | null; joinScene: number }>>(
          'GET',
          `/v1/groups/${group.id}/members?type=external&limit=1`,
        );
        return people.items[0]?.userid === joiner ? people.items[0] : undefined;
      });
      const after = await ctx.api<Group>('GET', `/v1/groups/${group.id}`);
      ctx.print(
        `applied: member ${stay.memberId} (${member.items[0]?.nickname ?? 'new'}) is in the group (join scene ${stay.joinScene}); ` +
          `"${group.name}" now has ${after.memberCount} people (was ${group.memberCount})`,
      );
      const theirs = await ctx.api<Page<{ groupName: string }>>('GET', `/v1/members/${stay.memberId}/groups`);
      ctx.print(
        `GET /v1/members/${stay.memberId}/groups → ${theirs.items.map((g) => g.groupName).join(', ')}`,
      );

      const newcomer = `wm-${seed}-live-1`;
      await pushCallback(ctx, {
        Event: 'change_external_contact',
        ChangeType: 'add_external_contact',
        UserID: STAFF[1].userid,
        ExternalUserID: newcomer,
        State: 'live-0618',
      });
      const created = await until('the new contact to be a member', async () => {
        const found = await ctx.api<
          Page<{ id: string; sourceChannel: string; utm: { source: string | null; campaign: string | null } }>
        >('GET', `/v1/members?q=${encodeURIComponent(newcomer)}`);
        return found.items[0];
      });
      ctx.print(
        `a customer added ${STAFF[1].name} through the live-stream contact way (State live-0618): member ${created.id}, ` +
          `source ${created.sourceChannel}, first touch utm_source=${created.utm.source} utm_campaign=${created.utm.campaign}`,
      );
    },
  },
];
