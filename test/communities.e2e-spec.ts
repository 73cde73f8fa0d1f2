import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
// Type-only: the app must load after wecom-sim is up (see startAppWithSim).
import type { TestBrand, TestOperator } from './factories/brand.factory';
import type { TestApp } from './harness';
import { waitFor } from './support/processes';
import { startAppWithSim } from './support/sim-app';
import type { SimProcess } from './support/wecom-sim';

type BrandFactory = typeof import('./factories/brand.factory');
type Communities = typeof import('@siyu/communities');
type Members = typeof import('@siyu/members');

const TOKEN = 'siyuCallbackToken1';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const uniq = () => randomUUID().replace(/-/g, '').slice(0, 10);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface SeedGroup {
  chat_id: string;
  name?: string;
  owner: string;
  notice?: string;
  member_list?: Array<{ userid: string; type?: 1 | 2; join_time?: number; name?: string }>;
}

describe('communities: groups synced from wecom-sim and kept current by its callbacks (e2e)', () => {
  let t: TestApp;
  let sim: SimProcess;
  let base: string;
  let ds: DataSource;
  let f: BrandFactory;
  let communities: Communities;
  let members: Members;

  beforeAll(async () => {
    ({ sim, t } = await startAppWithSim(async () => {
      const c = await import('@siyu/communities');
      const ch = await import('@siyu/channels');
      return [c.CommunitiesWorkerModule, ch.ChannelsWorkerModule];
    }));
    f = await import('./factories/brand.factory');
    communities = await import('@siyu/communities');
    members = await import('@siyu/members');
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
  });
  // The simulator's groups are one list for every corp: each test starts from an empty one.
  beforeEach(() => sim.client.reset());

  const seed = (chats: SeedGroup[]) => sim.client.post('/_sim/groupchats', { group_chats: chats });

  async function brandWithCorp(): Promise<{ brand: TestBrand; corpId: string; cm: TestOperator }> {
    const brand = await f.createBrand(t.app);
    const corpId = `ww${uniq()}`;
    await t
      .http()
      .put('/v1/channels/wecom')
      .set(bearer(brand.owner.token))
      .send({ corpId, contactSecret: `secret-${uniq()}`, callbackToken: TOKEN, encodingAesKey: AES_KEY })
      .expect(200);
    const cm = await f.createOperator(t.app, brand, 'community_manager');
    return { brand, corpId, cm };
  }

  async function sync(token: string, pageSize?: number): Promise<Record<string, unknown>> {
    const started = await t
      .http()
      .post('/v1/groups/sync')
      .set(bearer(token))
      .send(pageSize ? { pageSize } : {})
      .expect(202);
    return waitFor(
      async () => {
        const res = await t.http().get(`/v1/groups/sync/${started.body.id}`).set(bearer(token)).expect(200);
        return res.body.status === 'completed' || res.body.status === 'failed' ? res.body : undefined;
      },
      30_000,
      'the group sync to finish',
    );
  }

  async function groupByChat(token: string, chatId: string): Promise<Record<string, unknown>> {
    const res = await t.http().get('/v1/groups').query({ q: chatId }).set(bearer(token)).expect(200);
    expect(res.body.items).toHaveLength(1);
    return res.body.items[0];
  }

  /** Pushes a callback through wecom-sim (signed, encrypted) and waits until the worker handled it. */
  async function push(brandId: string, corpId: string, event: Record<string, unknown>): Promise<void> {
    const before = await eventCount(brandId);
    const res = await sim.client.post<{ status: number; body: string }>('/_sim/callbacks', {
      url: `${base}/v1/channels/wecom/callback/${brandId}`,
      token: TOKEN,
      encodingAESKey: AES_KEY,
      corpId,
      event,
    });
    expect(res).toMatchObject({ status: 200, body: 'success' });
    await waitFor(
      async () => {
        const rows: Array<{ status: string; last_error: string | null }> = await ds.query(
          `SELECT status, last_error FROM channel_wecom_events WHERE brand_id = $1`,
          [brandId],
        );
        const failed = rows.find((r) => r.last_error);
        if (failed) throw new Error(`a handler failed: ${failed.last_error}`);
        return rows.length === before + 1 && rows.every((r) => r.status === 'done') ? true : undefined;
      },
      15_000,
      `the ${String(event.ChangeType)} event to be handled`,
    );
  }
  const eventCount = async (brandId: string) =>
    Number(
      (
        await ds.query(`SELECT count(*)::int AS n FROM channel_wecom_events WHERE brand_id = $1`, [brandId])
      )[0].n,
    );

  /** What the brand's communities and members tables hold, to compare before and after a replay. */
  async function state(brandId: string): Promise<unknown> {
    const q = (sql: string) => ds.query(sql, [brandId]);
    return {
      groups: await q(
        `SELECT chat_id, name, owner_staff_id, notice, member_count, status, updated_at FROM community_groups WHERE brand_id = $1 ORDER BY chat_id`,
      ),
      memberships: await q(
        `SELECT id, userid, member_id, joined_at, left_at, join_scene, quit_scene, updated_at FROM community_group_members WHERE brand_id = $1 ORDER BY id`,
      ),
      follows: await q(
        `SELECT external_userid, status, state, added_at, edited_at, ended_at, updated_at FROM community_contact_follows WHERE brand_id = $1 ORDER BY id`,
      ),
      staff: await q(
        `SELECT userid, name, active, updated_at FROM community_staff WHERE brand_id = $1 ORDER BY userid`,
      ),
      members: await q(`SELECT id, utm_campaign, updated_at FROM members WHERE brand_id = $1 ORDER BY id`),
      timeline: await q(`SELECT member_id, type, data FROM member_events WHERE brand_id = $1 ORDER BY id`),
    };
  }

  /**
   * Pushes an event, then the same event again as a replay the intake cannot recognise (the XML
   * differs in a field no handler reads, so it is stored as a second event): the second changes nothing.
   */
  async function pushTwice(
    brandId: string,
    corpId: string,
    event: Record<string, unknown>,
  ): Promise<unknown> {
    await push(brandId, corpId, event);
    const once = await state(brandId);
    await push(brandId, corpId, { ...event, FromUserName: 'sys-replay' });
    expect(await state(brandId)).toEqual(once);
    return once;
  }

  it('POST /v1/groups/sync pages through WeCom in the worker; the groups, members, staff and progress are readable', async () => {
    const { cm } = await brandWithCorp();
    const tag = uniq();
    const known = await t
      .http()
      .post('/v1/members')
      .set(bearer(cm.token))
      .send({ identities: { externalUserId: `wm-${tag}-0` }, nickname: 'Known' })
      .expect(201);
    await seed(
      Array.from({ length: 5 }, (_, i) => ({
        chat_id: `wr-${tag}-${i}`,
        name: `茶友群 ${i}`,
        owner: i < 3 ? `zhang-${tag}` : `li-${tag}`,
        member_list: [
          { userid: i < 3 ? `zhang-${tag}` : `li-${tag}`, type: 1 as const, name: i < 3 ? '张' : '李' },
          { userid: `wm-${tag}-${i}`, type: 2 as const },
          { userid: `wm-${tag}-${i + 1}`, type: 2 as const },
        ],
      })),
    );

    const run = await sync(cm.token, 2);
    expect(run).toMatchObject({
      status: 'completed',
      pages: 3,
      groupsSynced: 5,
      membershipsJoined: 15,
      membersCreated: 5,
      error: null,
    });

    // Keyset pages.
    const first = await t.http().get('/v1/groups').query({ limit: 3 }).set(bearer(cm.token)).expect(200);
    expect(first.body.items).toHaveLength(3);
    const second = await t
      .http()
      .get('/v1/groups')
      .query({ limit: 3, cursor: first.body.nextCursor })
      .set(bearer(cm.token))
      .expect(200);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items];
    expect(all.map((g: { chatId: string }) => g.chatId).sort()).toEqual(
      Array.from({ length: 5 }, (_, i) => `wr-${tag}-${i}`).sort(),
    );
    const byOwner = await t
      .http()
      .get('/v1/groups')
      .query({ owner: `li-${tag}` })
      .set(bearer(cm.token))
      .expect(200);
    expect(byOwner.body.items.map((g: { chatId: string }) => g.chatId).sort()).toEqual([
      `wr-${tag}-3`,
      `wr-${tag}-4`,
    ]);

    const group0 = await groupByChat(cm.token, `wr-${tag}-0`);
    expect(group0).toMatchObject({
      name: '茶友群 0',
      owner: { userid: `zhang-${tag}`, name: '张', active: true },
      memberCount: 3,
      externalMemberCount: 2,
      capacity: 500,
      full: false,
      status: 'active',
      tags: [],
    });
    const detail = await t.http().get(`/v1/groups/${group0.id}`).set(bearer(cm.token)).expect(200);
    expect(detail.body).toEqual(group0);
    const people = await t.http().get(`/v1/groups/${group0.id}/members`).set(bearer(cm.token)).expect(200);
    const listed = people.body.items as Array<{ userid: string; type: string; memberId: string | null }>;
    expect(listed.map((p) => [p.userid, p.type, p.memberId !== null]).sort()).toEqual([
      [`wm-${tag}-0`, 'external', true],
      [`wm-${tag}-1`, 'external', true],
      [`zhang-${tag}`, 'staff', false],
    ]);
    expect(listed.find((p) => p.userid === `wm-${tag}-0`)?.memberId).toBe(known.body.id);

    const staff = await t.http().get('/v1/staff').set(bearer(cm.token)).expect(200);
    expect(
      staff.body.items.map((s: { userid: string; ownedGroups: number }) => [s.userid, s.ownedGroups]),
    ).toEqual([
      [`li-${tag}`, 2],
      [`zhang-${tag}`, 3],
    ]);
    const groupsOfKnown = await t
      .http()
      .get(`/v1/members/${known.body.id}/groups`)
      .set(bearer(cm.token))
      .expect(200);
    expect(groupsOfKnown.body.items).toEqual([
      expect.objectContaining({
        chatId: `wr-${tag}-0`,
        groupName: '茶友群 0',
        groupStatus: 'active',
        leftAt: null,
      }),
    ]);
    const summary = await t.http().get('/v1/members/summary').set(bearer(cm.token)).expect(200);
    expect(summary.body.bySourceChannel.wecom).toBe(5);

    // Running it again finds nothing to change.
    expect(await sync(cm.token, 2)).toMatchObject({
      status: 'completed',
      membershipsJoined: 0,
      membershipsLeft: 0,
      membersCreated: 0,
    });
  });

  it('callbacks pushed by wecom-sim, for every change type, are applied; a replay of each changes nothing', async () => {
    const { brand, corpId, cm } = await brandWithCorp();
    const tag = uniq();
    const chatId = `wr-${tag}`;
    const owner = `zhang-${tag}`;
    const group = (over: Partial<SeedGroup> = {}): SeedGroup => ({
      chat_id: chatId,
      name: '新品试饮群',
      owner,
      member_list: [{ userid: owner, type: 1 }],
      ...over,
    });
    const chat = (changeType: string, more: Record<string, unknown> = {}) => ({
      Event: 'change_external_chat',
      ChatId: chatId,
      ChangeType: changeType,
      ...more,
    });
    let time = 1_750_000_000;
    const at = () => String(++time);

    // create: the group exists in WeCom; the callback makes Siyu read it.
    await seed([group()]);
    await pushTwice(brand.id, corpId, chat('create', { CreateTime: at() }));
    let g = await groupByChat(cm.token, chatId);
    expect(g).toMatchObject({ name: '新品试饮群', memberCount: 1, owner: { userid: owner } });

    // add_member, applied from the callback (JoinScene 3: scanned the group QR code).
    const customer = `wm-${tag}-1`;
    await seed([
      group({
        member_list: [
          { userid: owner, type: 1 },
          { userid: customer, type: 2 },
        ],
      }),
    ]);
    await pushTwice(
      brand.id,
      corpId,
      chat('update', {
        UpdateDetail: 'add_member',
        JoinScene: 3,
        MemChangeCnt: 1,
        MemChangeList: [customer],
        CreateTime: at(),
      }),
    );
    g = await groupByChat(cm.token, chatId);
    expect(g).toMatchObject({ memberCount: 2, externalMemberCount: 1 });
    const inGroup = await t.http().get(`/v1/groups/${g.id}/members`).set(bearer(cm.token)).expect(200);
    expect(inGroup.body.items[0]).toMatchObject({
      userid: customer,
      type: 'external',
      joinScene: 3,
      leftAt: null,
    });

    // del_member (QuitScene 1: removed by the owner).
    await seed([group()]);
    await pushTwice(
      brand.id,
      corpId,
      chat('update', {
        UpdateDetail: 'del_member',
        QuitScene: 1,
        MemChangeCnt: 1,
        MemChangeList: [customer],
        CreateTime: at(),
      }),
    );
    const all = await t
      .http()
      .get(`/v1/groups/${g.id}/members`)
      .query({ state: 'all' })
      .set(bearer(cm.token));
    expect(all.body.items[0]).toMatchObject({ userid: customer, quitScene: 1 });
    expect(all.body.items[0].leftAt).not.toBeNull();
    expect((await groupByChat(cm.token, chatId)).memberCount).toBe(1);

    // change_name, change_notice, change_owner: the callback says what changed; Siyu reads the group.
    await seed([group({ name: '老茶客群' })]);
    await pushTwice(brand.id, corpId, chat('update', { UpdateDetail: 'change_name', CreateTime: at() }));
    expect((await groupByChat(cm.token, chatId)).name).toBe('老茶客群');
    await seed([group({ name: '老茶客群', notice: '每周五上新' })]);
    await pushTwice(brand.id, corpId, chat('update', { UpdateDetail: 'change_notice', CreateTime: at() }));
    expect((await groupByChat(cm.token, chatId)).notice).toBe('每周五上新');
    const heir = `wang-${tag}`;
    await seed([
      group({ name: '老茶客群', owner: heir, member_list: [{ userid: heir, type: 1, name: '王' }] }),
    ]);
    await pushTwice(brand.id, corpId, chat('update', { UpdateDetail: 'change_owner', CreateTime: at() }));
    expect((await groupByChat(cm.token, chatId)).owner).toEqual({ userid: heir, name: '王', active: true });

    // dismiss.
    await pushTwice(brand.id, corpId, chat('dismiss', { CreateTime: at() }));
    g = await groupByChat(cm.token, chatId);
    expect(g).toMatchObject({ status: 'dismissed', memberCount: 0 });
    expect(g.dismissedAt).toBe(new Date(time * 1000).toISOString());

    // change_external_contact: added through a contact way (its State), edited, deleted both ways.
    const external = `wm-${tag}-contact`;
    const contact = (changeType: string, userId: string, more: Record<string, unknown> = {}) => ({
      Event: 'change_external_contact',
      ChangeType: changeType,
      UserID: userId,
      ExternalUserID: external,
      ...more,
    });
    await pushTwice(
      brand.id,
      corpId,
      contact('add_external_contact', owner, { State: 'qr-spring', CreateTime: at() }),
    );
    await pushTwice(
      brand.id,
      corpId,
      contact('add_external_contact', heir, { State: 'live-0618', CreateTime: at() }),
    );
    const byExternal = await t
      .http()
      .get('/v1/members')
      .query({ q: external })
      .set(bearer(cm.token))
      .expect(200);
    expect(byExternal.body.items).toHaveLength(1);
    const memberId = byExternal.body.items[0].id as string;
    const member = await t.http().get(`/v1/members/${memberId}`).set(bearer(cm.token)).expect(200);
    expect(member.body).toMatchObject({
      sourceChannel: 'wecom',
      utm: { source: 'wecom', medium: 'contact_way', campaign: 'qr-spring' },
    });
    await pushTwice(brand.id, corpId, contact('edit_external_contact', owner, { CreateTime: at() }));
    await pushTwice(brand.id, corpId, contact('del_external_contact', owner, { CreateTime: at() }));
    await pushTwice(brand.id, corpId, contact('del_follow_user', heir, { CreateTime: at() }));
    const staff = await t.http().get('/v1/staff').set(bearer(cm.token)).expect(200);
    expect(staff.body.items.every((s: { activeContacts: number }) => s.activeContacts === 0)).toBe(true);
    const timeline = await t.http().get(`/v1/members/${memberId}/timeline`).set(bearer(cm.token)).expect(200);
    expect(
      timeline.body.items
        .map((e: { type: string; data: Record<string, unknown> }) =>
          [e.type, e.data.staffUserId ?? null, e.data.state ?? e.data.endedBy ?? null].join(' '),
        )
        .reverse(),
    ).toEqual([
      'member.created  ',
      `community.contact_added ${owner} qr-spring`,
      `community.contact_added ${heir} live-0618`,
      `community.contact_edited ${owner} `,
      `community.contact_ended ${owner} staff`,
      `community.contact_ended ${heir} customer`,
    ]);
    // Every event was stored twice (the replays) and handled: none failed or was ignored.
    const statuses: Array<{ status: string; n: number }> = await ds.query(
      `SELECT status, count(*)::int AS n FROM channel_wecom_events WHERE brand_id = $1 GROUP BY status`,
      [brand.id],
    );
    expect(statuses).toEqual([{ status: 'done', n: 24 }]);
  });

  it('a member joining a group by callback appears in its members, in the membership SQL and on the timeline', async () => {
    const { brand, corpId, cm } = await brandWithCorp();
    const tag = uniq();
    const chatId = `wr-${tag}`;
    await seed([
      {
        chat_id: chatId,
        name: '会员群',
        owner: `zhang-${tag}`,
        member_list: [{ userid: `zhang-${tag}`, type: 1 }],
      },
    ]);
    await sync(cm.token);
    const joiner = await t
      .http()
      .post('/v1/members')
      .set(bearer(cm.token))
      .send({ identities: { externalUserId: `wm-${tag}-joiner` }, nickname: '小林' })
      .expect(201);
    const g = await groupByChat(cm.token, chatId);
    const params: unknown[] = [brand.id];
    const segmentSql = `SELECT m.id FROM members m
      WHERE m.brand_id = $1 AND ${communities.groupMembershipSql('m', params, { groupIds: [g.id as string] })}
        AND ${members.reachableMemberSql('m')}`;
    expect(await ds.query(segmentSql, params)).toEqual([]);
    // The same membership as a segment condition (registered by communities in segments' catalogue).
    const preview = (rule: object) =>
      t.http().post('/v1/segments/preview').set(bearer(cm.token)).send({ rule }).expect(200);
    const inGroup = { field: 'group_chats', op: 'has_any', value: [g.id] };
    expect((await preview(inGroup)).body.count).toBe(0);

    await push(brand.id, corpId, {
      Event: 'change_external_chat',
      ChangeType: 'update',
      ChatId: chatId,
      UpdateDetail: 'add_member',
      JoinScene: 0,
      MemChangeCnt: 1,
      MemChangeList: [`wm-${tag}-joiner`],
    });

    const people = await t
      .http()
      .get(`/v1/groups/${g.id}/members`)
      .query({ type: 'external' })
      .set(bearer(cm.token));
    expect(people.body.items).toEqual([
      expect.objectContaining({
        userid: `wm-${tag}-joiner`,
        memberId: joiner.body.id,
        joinScene: 0,
        leftAt: null,
      }),
    ]);
    expect(await ds.query(segmentSql, params)).toEqual([{ id: joiner.body.id }]);
    const joined = (await preview(inGroup)).body;
    expect(joined.count).toBe(1);
    expect(joined.sample.map((x: { id: string }) => x.id)).toEqual([joiner.body.id]);
    expect(
      (await preview({ all: [{ field: 'in_group_chat', op: 'eq', value: true }, inGroup] })).body.count,
    ).toBe(1);
    expect((await preview({ not: inGroup })).body.count).toBe((await preview({ all: [] })).body.count - 1);
    const mine = await t.http().get(`/v1/members/${joiner.body.id}/groups`).set(bearer(cm.token)).expect(200);
    expect(mine.body.items.map((i: { chatId: string }) => i.chatId)).toEqual([chatId]);
    const timeline = await t
      .http()
      .get(`/v1/members/${joiner.body.id}/timeline`)
      .set(bearer(cm.token))
      .expect(200);
    // (CreateTime has whole seconds, so the join may sort before the member's creation.)
    expect(timeline.body.items.filter((e: { type: string }) => e.type.startsWith('community.'))).toEqual([
      expect.objectContaining({
        type: 'community.group_joined',
        data: { groupId: g.id, chatId, joinScene: 0, via: 'callback' },
      }),
    ]);
  });

  it('the periodic sync starts one system run per brand not synced within the period, and its scheduler is declared', async () => {
    const due = await brandWithCorp();
    const fresh = await brandWithCorp();
    const tag = uniq();
    await seed([
      { chat_id: `wr-${tag}`, owner: `zhang-${tag}`, member_list: [{ userid: `wm-${tag}`, type: 2 }] },
    ]);
    await sync(fresh.cm.token); // synced just now: not due
    const service = t.app.get(communities.CommunitySyncService);

    const started = await service.startDue(3_600_000);
    const runsOf = (brandId: string) =>
      ds.query(
        `SELECT id, status, requested_by_type, groups_synced FROM community_sync_runs WHERE brand_id = $1 ORDER BY created_at`,
        [brandId],
      );
    const [run] = await runsOf(due.brand.id);
    expect(started).toContain(run.id);
    expect(run.requested_by_type).toBe('system');
    expect(await runsOf(fresh.brand.id)).toHaveLength(1);
    const done = await waitFor(
      async () => {
        const res = await t.http().get(`/v1/groups/sync/${run.id}`).set(bearer(due.cm.token)).expect(200);
        return res.body.status === 'completed' ? res.body : undefined;
      },
      30_000,
      'the periodic sync to finish',
    );
    expect(done.groupsSynced).toBe(1);
    expect((await groupByChat(due.cm.token, `wr-${tag}`)).chatId).toBe(`wr-${tag}`);
    const audit = await t
      .http()
      .get('/v1/audit-log')
      .query({ action: 'community.sync.start', entityId: run.id })
      .set(bearer(due.brand.owner.token))
      .expect(200);
    expect(audit.body.items).toEqual([expect.objectContaining({ actorType: 'system' })]);

    // Within the period, neither brand is due again.
    const again = await service.startDue(3_600_000);
    expect(again).not.toContain(run.id);
    expect(await runsOf(due.brand.id)).toHaveLength(1);
    expect(await runsOf(fresh.brand.id)).toHaveLength(1);

    const { QueueRegistry } = await import('@siyu/platform');
    const queue = t.app.get(QueueRegistry).get(communities.CommunitySyncQueue);
    const scheduler = await queue.getJobScheduler(communities.COMMUNITY_SYNC_DUE_SCHEDULER_ID);
    expect(scheduler).toMatchObject({ name: communities.COMMUNITY_SYNC_DUE_JOB });
    expect(Number(scheduler?.every)).toBeGreaterThanOrEqual(60_000);
  });

  it("another brand's groups, memberships, syncs, tags and members' groups answer 404", async () => {
    const a = await brandWithCorp();
    const b = await brandWithCorp();
    const tag = uniq();
    await seed([
      { chat_id: `wr-${tag}`, owner: `zhang-${tag}`, member_list: [{ userid: `wm-${tag}`, type: 2 }] },
    ]);
    const run = await sync(a.cm.token);
    const g = await groupByChat(a.cm.token, `wr-${tag}`);
    const tagA = await t
      .http()
      .post('/v1/group-tags')
      .set(bearer(a.cm.token))
      .send({ name: 'VIP' })
      .expect(201);
    const tagB = await t
      .http()
      .post('/v1/group-tags')
      .set(bearer(b.cm.token))
      .send({ name: 'VIP' })
      .expect(201);
    const people = await t.http().get(`/v1/groups/${g.id}/members`).set(bearer(a.cm.token)).expect(200);
    const memberA = people.body.items[0].memberId as string;

    for (const path of [
      `/v1/groups/${g.id}`,
      `/v1/groups/${g.id}/members`,
      `/v1/groups/sync/${run.id}`,
      `/v1/group-tags/${tagA.body.id}`,
      `/v1/members/${memberA}/groups`,
    ]) {
      const res = await t.http().get(path).set(bearer(b.cm.token));
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    await t
      .http()
      .patch(`/v1/groups/${g.id}`)
      .set(bearer(b.cm.token))
      .send({ tagIds: [tagB.body.id] })
      .expect(404);
    // A's group with B's tag: the tag is not A's.
    const foreignTag = await t
      .http()
      .patch(`/v1/groups/${g.id}`)
      .set(bearer(a.cm.token))
      .send({ tagIds: [tagB.body.id] })
      .expect(404);
    expect(foreignTag.body).toMatchObject({ code: 'GROUP_TAG_NOT_FOUND' });
    expect((await t.http().get('/v1/groups').set(bearer(b.cm.token)).expect(200)).body.items).toEqual([]);
    expect((await groupByChat(a.cm.token, `wr-${tag}`)).tags).toEqual([]);
  });

  it('roles: marketers read, community managers and operators write (audited); bad input is a 4xx naming the field', async () => {
    const { brand, cm } = await brandWithCorp();
    const marketer = await f.createOperator(t.app, brand, 'marketer');
    const tag = uniq();
    await seed([{ chat_id: `wr-${tag}`, owner: `zhang-${tag}` }]);
    await sync(cm.token);
    const g = await groupByChat(marketer.token, `wr-${tag}`);

    await t.http().get('/v1/groups').set(bearer(marketer.token)).expect(200);
    await t.http().get('/v1/staff').set(bearer(marketer.token)).expect(200);
    await t.http().get('/v1/group-tags').set(bearer(marketer.token)).expect(200);
    await t.http().post('/v1/groups/sync').set(bearer(marketer.token)).send({}).expect(403);
    await t.http().post('/v1/group-tags').set(bearer(marketer.token)).send({ name: 'x' }).expect(403);
    await t.http().patch(`/v1/groups/${g.id}`).set(bearer(marketer.token)).send({ tagIds: [] }).expect(403);
    await t.http().get('/v1/groups').expect(401);

    const vip = await t
      .http()
      .post('/v1/group-tags')
      .set(bearer(cm.token))
      .send({ name: 'VIP 群' })
      .expect(201);
    const patched = await t
      .http()
      .patch(`/v1/groups/${g.id}`)
      .set(bearer(cm.token))
      .send({ tagIds: [vip.body.id] })
      .expect(200);
    expect(patched.body.tags).toEqual([{ id: vip.body.id, name: 'VIP 群' }]);
    const byTag = await t.http().get('/v1/groups').query({ tagId: vip.body.id }).set(bearer(marketer.token));
    expect(byTag.body.items.map((i: { id: string }) => i.id)).toEqual([g.id]);
    const tagView = await t
      .http()
      .get(`/v1/group-tags/${vip.body.id}`)
      .set(bearer(marketer.token))
      .expect(200);
    expect(tagView.body).toMatchObject({ name: 'VIP 群', groupCount: 1 });
    const audit = await t
      .http()
      .get('/v1/audit-log')
      .query({ action: 'community.group.update' })
      .set(bearer(brand.owner.token))
      .expect(200);
    expect(audit.body.items[0]).toMatchObject({
      entityId: g.id,
      before: { tagIds: [] },
      after: { tagIds: [vip.body.id] },
    });
    await t.http().post('/v1/group-tags').set(bearer(cm.token)).send({ name: 'VIP 群' }).expect(409);

    const bad = await t
      .http()
      .patch(`/v1/groups/${g.id}`)
      .set(bearer(cm.token))
      .send({ tagIds: ['x'] })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('tagIds');
    const extra = await t
      .http()
      .patch(`/v1/groups/${g.id}`)
      .set(bearer(cm.token))
      .send({ tagIds: [], name: 'x' });
    expect(extra.status).toBe(400);
    expect(
      (await t.http().get('/v1/groups').query({ status: 'gone' }).set(bearer(cm.token))).body.errors[0].field,
    ).toBe('status');
    await t.http().get('/v1/groups/not-a-uuid').set(bearer(cm.token)).expect(400);
    const size = await t
      .http()
      .post('/v1/groups/sync')
      .set(bearer(cm.token))
      .send({ pageSize: 0 })
      .expect(400);
    expect(size.body.errors[0].field).toBe('pageSize');
    const noCorp = await f.createBrand(t.app);
    const refused = await t
      .http()
      .post('/v1/groups/sync')
      .set(bearer(noCorp.owner.token))
      .send({})
      .expect(422);
    expect(refused.body.code).toBe('WECOM_NOT_CONFIGURED');
  });
});
