import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ChannelAccountsService, WecomCallbackEvent, WecomEventRegistry } from '@siyu/channels';
import { MembersService, reachableMemberSql } from '@siyu/members';
import { Actor, PlatformModule } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from '../../../test/factories/brand.factory';
import { createMember, ownerActor } from '../../../test/factories/member.factory';
import { withConfig } from '../../../test/support/config';
import { SimProcess, startSimProcess } from '../../../test/support/wecom-sim';
import { CONTACT_EVENTS_HANDLER, GROUP_EVENTS_HANDLER } from './callbacks/community-callbacks';
import { CommunitiesModule } from './communities.module';
import {
  groupAudienceSql,
  groupMembershipSql,
  wecomContactSql,
  wecomContactTargetSql,
} from './community-sql';
import { GroupsService } from './groups.service';
import { CommunitySyncService } from './sync/community-sync.service';

const uniq = () => randomUUID().replace(/-/g, '').slice(0, 10);

interface SeedMember {
  userid: string;
  type?: 1 | 2;
  join_time?: number;
  join_scene?: number;
  name?: string;
  unionid?: string;
  invitor?: { userid: string };
}
interface SeedGroup {
  chat_id: string;
  name?: string;
  owner: string;
  notice?: string;
  status?: 0 | 1 | 2 | 3;
  member_list?: SeedMember[];
}

describe('communities: group sync, callback handlers, members (int, against a wecom-sim process)', () => {
  let sim: SimProcess;
  let app: INestApplicationContext;
  let ds: DataSource;
  let sync: CommunitySyncService;
  let groups: GroupsService;

  const seed = (chats: SeedGroup[]) => sim.client.post('/_sim/groupchats', { group_chats: chats });

  /** A brand with its own WeCom corp (a corp per test: rate-limit blocks are per corp). */
  async function brandWithCorp(): Promise<{ brand: TestBrand; actor: Actor; corpId: string }> {
    const brand = await createBrand(app);
    const actor = ownerActor(brand);
    const corpId = `ww${uniq()}`;
    await app.get(ChannelAccountsService).putWecom(actor, {
      corpId,
      contactSecret: `secret-${uniq()}`,
      callbackToken: 'tok123',
      encodingAesKey: 'a'.repeat(43),
    });
    return { brand, actor, corpId };
  }

  async function runSync(actor: Actor, pageSize = 10): Promise<Record<string, unknown>> {
    const { run } = await sync.start(actor, { pageSize });
    for (let i = 0; i < 50; i++) {
      const outcome = await sync.process(run.id);
      if (outcome === 'completed' || outcome === 'failed' || outcome === 'deferred') break;
    }
    return (await sync.get(actor.brandId, run.id)) as unknown as Record<string, unknown>;
  }

  /** Everything the communities tables hold for a brand, to compare before and after. */
  async function state(brandId: string) {
    const q = (sql: string) => ds.query(sql, [brandId]);
    return {
      groups: await q(
        `SELECT chat_id, name, owner_staff_id, notice, member_count, external_member_count, status, dismissed_at, updated_at
           FROM community_groups WHERE brand_id = $1 ORDER BY chat_id`,
      ),
      memberships: await q(
        `SELECT id, group_id, userid, member_type, member_id, joined_at, left_at, join_scene, quit_scene, invitor_userid, updated_at
           FROM community_group_members WHERE brand_id = $1 ORDER BY id`,
      ),
      staff: await q(
        `SELECT userid, name, active, updated_at FROM community_staff WHERE brand_id = $1 ORDER BY userid`,
      ),
      follows: await q(
        `SELECT staff_id, external_userid, member_id, status, state, added_at, edited_at, ended_at, ended_by, updated_at
           FROM community_contact_follows WHERE brand_id = $1 ORDER BY id`,
      ),
      members: await q(
        `SELECT id, source_channel, utm_source, utm_campaign, updated_at FROM members WHERE brand_id = $1 ORDER BY id`,
      ),
      events: await q(`SELECT count(*)::int AS n FROM member_events WHERE brand_id = $1`),
    };
  }

  const memberOf = async (brandId: string, externalUserId: string) =>
    app.get(MembersService).findByIdentity(brandId, 'external_userid', externalUserId);

  /** Runs the registered handler for an event the way the channels processor does: in a transaction. */
  async function deliver(brandId: string, fields: Record<string, unknown>): Promise<void> {
    const event: WecomCallbackEvent = {
      id: '0',
      brandId,
      event: fields.Event as string,
      changeType: (fields.ChangeType as string) ?? null,
      fields,
      receivedAt: new Date(),
    };
    const handlers = app.get(WecomEventRegistry).handlersFor(event.event);
    await ds.transaction(async (m) => {
      for (const h of handlers) await h.handler(event, m);
    });
  }

  beforeAll(async () => {
    sim = await startSimProcess();
    const builder = Test.createTestingModule({ imports: [PlatformModule, CommunitiesModule] });
    app = await (await withConfig(builder, { WECOM_BASE_URL: sim.url }).compile()).init();
    ds = app.get(DataSource);
    sync = app.get(CommunitySyncService);
    groups = app.get(GroupsService);
  });
  afterAll(async () => {
    await app?.close();
    await sim?.stop();
  });
  beforeEach(() => sim.client.reset());

  it('registers its handlers for both WeCom events', () => {
    const registry = app.get(WecomEventRegistry);
    expect(registry.handlersFor('change_external_chat').map((h) => h.name)).toContain(GROUP_EVENTS_HANDLER);
    expect(registry.handlersFor('change_external_contact').map((h) => h.name)).toContain(
      CONTACT_EVENTS_HANDLER,
    );
  });

  it('pages through every group, creates staff, groups, memberships and members, links known ones; a re-sync changes nothing', async () => {
    const { brand, actor } = await brandWithCorp();
    const tag = uniq();
    const known = await createMember(app, brand, { identities: { externalUserId: `wm-${tag}-0` } });
    const chats: SeedGroup[] = Array.from({ length: 35 }, (_, i) => ({
      chat_id: `wr-${tag}-${i}`,
      name: `Tea lovers ${i}`,
      owner: `staff-${tag}-${i % 3}`,
      notice: i === 0 ? 'Welcome' : undefined,
      member_list: [
        { userid: `staff-${tag}-${i % 3}`, type: 1, name: `Staff ${i % 3}`, join_time: 1_700_000_000 },
        // Customers overlap between neighbouring groups: 36 distinct, one already a member.
        ...[i, i + 1].map((j) => ({
          userid: `wm-${tag}-${j}`,
          type: 2 as const,
          join_time: 1_700_000_100 + j,
        })),
      ],
    }));
    await seed(chats);

    const run = await runSync(actor, 10);
    expect(run).toMatchObject({
      status: 'completed',
      pages: 4,
      groupsSynced: 35,
      groupsDismissed: 0,
      membershipsJoined: 35 * 3,
      membershipsLeft: 0,
      membersCreated: 35,
      error: null,
    });
    const page = await groups.list(brand.id, { limit: 50, q: 'Tea lovers 0' });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      chatId: `wr-${tag}-0`,
      name: 'Tea lovers 0',
      notice: 'Welcome',
      owner: { userid: `staff-${tag}-0`, name: 'Staff 0', active: true },
      memberCount: 3,
      externalMemberCount: 2,
      capacity: 500,
      status: 'active',
    });
    const staff = await groups.staff(brand.id, { limit: 10 });
    expect(staff.items.map((s) => [s.userid, s.ownedGroups])).toEqual([
      [`staff-${tag}-0`, 12],
      [`staff-${tag}-1`, 12],
      [`staff-${tag}-2`, 11],
    ]);

    // The known member was linked, not duplicated; the new ones came from WeCom.
    expect((await memberOf(brand.id, `wm-${tag}-0`))?.id).toBe(known.id);
    const created = await memberOf(brand.id, `wm-${tag}-35`);
    expect(created).toMatchObject({ sourceChannel: 'wecom' });
    const timeline: Array<{ type: string }> = await ds.query(
      `SELECT type FROM member_events WHERE member_id = $1 ORDER BY id`,
      [created?.id],
    );
    expect(timeline.map((e) => e.type)).toEqual(['member.created', 'community.group_joined']);

    // Segments' fragment: who is in group 0 now.
    const params: unknown[] = [brand.id];
    const inGroup0: Array<{ id: string }> = await ds.query(
      `SELECT m.id FROM members m WHERE m.brand_id = $1 AND ${groupMembershipSql('m', params, { chatIds: [`wr-${tag}-0`] })} ORDER BY m.id`,
      params,
    );
    const expected = [known.id, (await memberOf(brand.id, `wm-${tag}-1`))?.id].sort();
    expect(inGroup0.map((r) => r.id)).toEqual(expected);

    const before = await state(brand.id);
    const again = await runSync(actor, 7);
    expect(again).toMatchObject({
      status: 'completed',
      pages: 5,
      groupsSynced: 35,
      membershipsJoined: 0,
      membershipsLeft: 0,
      membersCreated: 0,
    });
    expect(await state(brand.id)).toEqual(before);
  });

  it('marks members who left, makes a rejoin a new stay, and dismisses a vanished group only when a pass completes', async () => {
    const { brand, actor } = await brandWithCorp();
    const tag = uniq();
    const group = (i: number, members: string[]): SeedGroup => ({
      chat_id: `wr-${tag}-${i}`,
      name: `G${i}`,
      owner: `boss-${tag}`,
      member_list: [
        { userid: `boss-${tag}`, type: 1 },
        ...members.map((u) => ({ userid: u, type: 2 as const, join_time: 1_700_000_000 })),
      ],
    });
    const a = `wm-${tag}-a`;
    const b = `wm-${tag}-b`;
    await seed([group(0, [a, b]), group(1, [a]), group(2, [b])]);
    expect(await runSync(actor, 1)).toMatchObject({ status: 'completed', groupsSynced: 3 });

    // b leaves group 0; group 2 is dismissed in WeCom (gone from the list).
    await seed([group(0, [a])]);
    await sim.client.request('DELETE', `/_sim/groupchats/wr-${tag}-2`);
    const { run } = await sync.start(actor, { pageSize: 1 });
    expect(await sync.process(run.id, undefined, undefined, { maxPages: 1 })).toBe('pending');
    // After one page of two the pass is not complete: nothing is dismissed yet.
    const partial = await sync.get(brand.id, run.id);
    expect(partial).toMatchObject({ status: 'pending', pages: 1, groupsDismissed: 0 });
    const g2 = await ds.query(`SELECT status FROM community_groups WHERE brand_id = $1 AND chat_id = $2`, [
      brand.id,
      `wr-${tag}-2`,
    ]);
    expect(g2[0].status).toBe('active');
    // The same run resumes at its cursor and completes the pass.
    expect(await sync.process(run.id)).toBe('completed');
    expect(await sync.get(brand.id, run.id)).toMatchObject({
      status: 'completed',
      pages: 2,
      groupsSynced: 2,
      groupsDismissed: 1,
      // b left group 0; the dismissal ended b's and the owner's stays in group 2.
      membershipsLeft: 3,
    });

    const stays: Array<{ chat_id: string; userid: string; left_at: Date | null }> = await ds.query(
      `SELECT g.chat_id, gm.userid, gm.left_at FROM community_group_members gm JOIN community_groups g ON g.id = gm.group_id
        WHERE gm.brand_id = $1 AND gm.member_type = 'external' ORDER BY g.chat_id, gm.id`,
      [brand.id],
    );
    expect(stays.map((s) => [s.chat_id, s.userid, s.left_at !== null])).toEqual([
      [`wr-${tag}-0`, a, false],
      [`wr-${tag}-0`, b, true],
      [`wr-${tag}-1`, a, false],
      [`wr-${tag}-2`, b, true],
    ]);
    const dismissed = (await groups.list(brand.id, { limit: 10, status: 'dismissed' })).items;
    expect(dismissed.map((g) => [g.chatId, g.memberCount])).toEqual([[`wr-${tag}-2`, 0]]);
    const memberB = await memberOf(brand.id, b);
    const left: Array<{ type: string }> = await ds.query(
      `SELECT type FROM member_events WHERE member_id = $1 AND type = 'community.group_left'`,
      [memberB?.id],
    );
    expect(left).toHaveLength(2);

    // b comes back to group 0: a second stay; the first keeps its end.
    await seed([group(0, [a, b])]);
    expect(await runSync(actor, 5)).toMatchObject({ membershipsJoined: 1, membershipsLeft: 0 });
    const history = await groups.groupsOfMember(brand.id, memberB!.id, { state: 'all', limit: 10 });
    expect(history.items.map((h) => [h.chatId, h.leftAt !== null])).toEqual([
      [`wr-${tag}-0`, false],
      [`wr-${tag}-2`, true],
      [`wr-${tag}-0`, true],
    ]);
    const now = await groups.groupsOfMember(brand.id, memberB!.id, { state: 'active', limit: 10 });
    expect(now.items.map((h) => h.chatId)).toEqual([`wr-${tag}-0`]);
  });

  describe('channel error classes', () => {
    it('a permanent error fails the run with WeCom’s errcode and message', async () => {
      const { brand, actor } = await brandWithCorp();
      await seed([{ chat_id: `wr-${uniq()}`, owner: 'boss' }]);
      await sim.client.faults([{ path: 'groupchat/list', errcode: 60011 }]);
      const run = await runSync(actor);
      expect(run).toMatchObject({ status: 'failed', error: { class: 'permanent', errcode: 60011 } });
      expect((await groups.list(brand.id, { limit: 5 })).items).toHaveLength(0);
    });

    it('a retryable error leaves the run pending for a retry, which completes it', async () => {
      const { brand, actor } = await brandWithCorp();
      await seed([{ chat_id: `wr-${uniq()}`, owner: 'boss' }]);
      await sim.client.faults([{ path: 'groupchat/get', errcode: -1 }]);
      const { run } = await sync.start(actor);
      expect(await sync.process(run.id)).toBe('pending');
      expect(await sync.get(brand.id, run.id)).toMatchObject({
        status: 'pending',
        attempts: 1,
        error: { class: 'retryable', errcode: -1 },
      });
      await sim.client.clearFaults();
      expect(await sync.process(run.id)).toBe('completed');
      expect(await sync.get(brand.id, run.id)).toMatchObject({
        status: 'completed',
        attempts: 0,
        error: null,
      });
    });

    it('a rate limit defers the run to the end of the window without using an attempt', async () => {
      const { brand, actor } = await brandWithCorp();
      await seed([{ chat_id: `wr-${uniq()}`, owner: 'boss' }]);
      await sim.client.faults([{ path: 'groupchat/list', errcode: 45009 }]);
      const { run } = await sync.start(actor);
      const before = Date.now();
      expect(await sync.process(run.id)).toBe('deferred');
      const view = await sync.get(brand.id, run.id);
      expect(view).toMatchObject({
        status: 'pending',
        attempts: 0,
        error: { class: 'rate_limited', errcode: 45009 },
      });
      expect(view.nextAttemptAt!.getTime()).toBeGreaterThan(before + 30_000);
      // Not claimable before its time.
      expect(await sync.process(run.id)).toBe('skipped');
      // One open sync per brand: asking again answers the same run.
      const again = await sync.start(actor);
      expect(again).toMatchObject({ created: false, run: { id: run.id, status: 'pending' } });
    });
  });

  describe('callback handlers applied twice change nothing the second time', () => {
    it('group events: add, remove, rename, dismiss; an old event does not undo a newer one', async () => {
      const { brand, actor } = await brandWithCorp();
      const tag = uniq();
      const chatId = `wr-${tag}`;
      await seed([
        {
          chat_id: chatId,
          name: 'Before',
          owner: `boss-${tag}`,
          member_list: [{ userid: `boss-${tag}`, type: 1 }],
        },
      ]);
      await runSync(actor);
      const twice = async (fields: Record<string, unknown>) => {
        await deliver(brand.id, fields);
        const once = await state(brand.id);
        await deliver(brand.id, fields);
        expect(await state(brand.id)).toEqual(once);
        return once;
      };
      const chat = { Event: 'change_external_chat', ChatId: chatId };
      const joiner = `wm-${tag}-j`;
      let s = await twice({
        ...chat,
        ChangeType: 'update',
        UpdateDetail: 'add_member',
        JoinScene: '3',
        MemChangeCnt: '1',
        MemChangeList: { Item: [joiner] },
        CreateTime: '1700000100',
      });
      expect(s.groups[0]).toMatchObject({ member_count: 2, external_member_count: 1 });
      const member = await memberOf(brand.id, joiner);
      expect(member).toMatchObject({ sourceChannel: 'wecom' });

      s = await twice({
        ...chat,
        ChangeType: 'update',
        UpdateDetail: 'del_member',
        QuitScene: '1',
        MemChangeCnt: '1',
        MemChangeList: { Item: [joiner] },
        CreateTime: '1700000200',
      });
      expect(s.groups[0]).toMatchObject({ member_count: 1, external_member_count: 0 });
      expect(s.memberships.find((r: { userid: string }) => r.userid === joiner)).toMatchObject({
        quit_scene: 1,
      });
      // The join again, late (older than the leave): ignored.
      await deliver(brand.id, {
        ...chat,
        ChangeType: 'update',
        UpdateDetail: 'add_member',
        MemChangeList: { Item: [joiner] },
        CreateTime: '1700000100',
      });
      expect(await state(brand.id)).toEqual(s);

      // A name change says only what changed: the group is read again.
      await seed([{ chat_id: chatId, name: 'After', owner: `boss-${tag}`, notice: 'New notice' }]);
      s = await twice({
        ...chat,
        ChangeType: 'update',
        UpdateDetail: 'change_name',
        CreateTime: '1700000300',
      });
      expect(s.groups[0]).toMatchObject({ name: 'After', notice: 'New notice' });

      s = await twice({ ...chat, ChangeType: 'dismiss', CreateTime: '1700000400' });
      expect(s.groups[0]).toMatchObject({ status: 'dismissed', member_count: 0 });
      expect(s.memberships.every((r: { left_at: Date | null }) => r.left_at !== null)).toBe(true);
    });

    it('a joiner who cannot be told staff from customer, or a member-version gap, makes it read the group', async () => {
      const { brand, actor } = await brandWithCorp();
      const tag = uniq();
      const chatId = `wr-${tag}`;
      const base = { chat_id: chatId, name: 'G', owner: `boss-${tag}` };
      await seed([{ ...base, member_list: [{ userid: `boss-${tag}`, type: 1 }] }]);
      await runSync(actor);
      // A new staff member joins (not a wm/wo id, not known): WeCom's answer says type 1.
      await seed([
        {
          ...base,
          member_list: [
            { userid: `boss-${tag}`, type: 1 },
            { userid: `helper-${tag}`, type: 1, name: 'Helper' },
          ],
        },
      ]);
      await deliver(brand.id, {
        Event: 'change_external_chat',
        ChatId: chatId,
        ChangeType: 'update',
        UpdateDetail: 'add_member',
        MemChangeList: { Item: [`helper-${tag}`] },
        CurMemVer: 'v2',
      });
      const s = await state(brand.id);
      expect(
        s.memberships.map((r: { userid: string; member_type: string }) => [r.userid, r.member_type]),
      ).toEqual([
        [`boss-${tag}`, 'staff'],
        [`helper-${tag}`, 'staff'],
      ]);
      expect(s.staff.map((r: { name: string | null }) => r.name)).toEqual([null, 'Helper']);
      // The sim reports no member_version: after the read the group holds none, so versions apply as they come.
      await deliver(brand.id, {
        Event: 'change_external_chat',
        ChatId: chatId,
        ChangeType: 'update',
        UpdateDetail: 'add_member',
        MemChangeList: { Item: [`wm-${tag}-1`] },
        LastMemVer: 'v2',
        CurMemVer: 'v3',
      });
      const [{ member_version: v }] = await ds.query(
        `SELECT member_version FROM community_groups WHERE chat_id = $1`,
        [chatId],
      );
      expect(v).toBe('v3');
      // A change whose LastMemVer is not ours: something came between; WeCom's state settles it
      // (the sim's group has no wm-…-2, so the read does not add them).
      await deliver(brand.id, {
        Event: 'change_external_chat',
        ChatId: chatId,
        ChangeType: 'update',
        UpdateDetail: 'add_member',
        MemChangeList: { Item: [`wm-${tag}-2`] },
        LastMemVer: 'v9',
        CurMemVer: 'v10',
      });
      const open: Array<{ userid: string }> = await ds.query(
        `SELECT gm.userid FROM community_group_members gm JOIN community_groups g ON g.id = gm.group_id
          WHERE g.chat_id = $1 AND gm.left_at IS NULL ORDER BY gm.userid`,
        [chatId],
      );
      expect(open.map((r) => r.userid)).toEqual([`boss-${tag}`, `helper-${tag}`]);
    });

    it('contact events: added with its State (first touch), edited, deleted by either side', async () => {
      const { brand } = await brandWithCorp();
      const tag = uniq();
      const external = `wm-${tag}`;
      const contact = { Event: 'change_external_contact', UserID: `sales-${tag}`, ExternalUserID: external };
      const twice = async (fields: Record<string, unknown>) => {
        await deliver(brand.id, fields);
        const once = await state(brand.id);
        await deliver(brand.id, fields);
        expect(await state(brand.id)).toEqual(once);
        return once;
      };
      let s = await twice({
        ...contact,
        ChangeType: 'add_external_contact',
        State: 'live-0521',
        CreateTime: '1700000000',
      });
      const member = await memberOf(brand.id, external);
      expect(member).toMatchObject({
        sourceChannel: 'wecom',
        utm: { source: 'wecom', medium: 'contact_way', campaign: 'live-0521' },
      });
      expect(s.follows).toHaveLength(1);
      expect(s.follows[0]).toMatchObject({ status: 'active', state: 'live-0521', member_id: member!.id });
      const reachable = async () => {
        const params: unknown[] = [brand.id];
        const rows: Array<{ id: string; external_userid: string; staff_userid: string }> = await ds.query(
          `SELECT m.id, t.external_userid, t.staff_userid FROM members m CROSS JOIN LATERAL (${wecomContactTargetSql('m')}) t
            WHERE m.brand_id = $1 AND ${wecomContactSql('m', params)}`,
          params,
        );
        return rows;
      };
      expect(await reachable()).toEqual([
        { id: member!.id, external_userid: external, staff_userid: `sales-${tag}` },
      ]);

      s = await twice({ ...contact, ChangeType: 'edit_external_contact', CreateTime: '1700000100' });
      expect(s.follows[0].edited_at).toEqual(new Date(1_700_000_100_000));

      s = await twice({ ...contact, ChangeType: 'del_follow_user', CreateTime: '1700000200' });
      expect(s.follows[0]).toMatchObject({ status: 'ended', ended_by: 'customer' });
      expect(await reachable()).toEqual([]);
      // The customer is not opted out: still reachable in general (groups, Official Account).
      expect(await app.get(MembersService).isReachable(brand.id, member!.id)).toBe(true);

      // Added again later, then deleted by the staff member.
      s = await twice({ ...contact, ChangeType: 'add_external_contact', CreateTime: '1700000300' });
      expect(s.follows[0]).toMatchObject({ status: 'active', state: null });
      s = await twice({ ...contact, ChangeType: 'del_external_contact', CreateTime: '1700000400' });
      expect(s.follows[0]).toMatchObject({ status: 'ended', ended_by: 'staff' });

      const timeline: Array<{ type: string; data: Record<string, unknown> }> = await ds.query(
        `SELECT type, data FROM member_events WHERE member_id = $1 ORDER BY occurred_at, id`,
        [member!.id],
      );
      expect(timeline.map((e) => e.type)).toEqual([
        'member.created',
        'community.contact_added',
        'community.contact_edited',
        'community.contact_ended',
        'community.contact_added',
        'community.contact_ended',
      ]);
      expect(timeline[1].data).toMatchObject({ staffUserId: `sales-${tag}`, state: 'live-0521' });
      // The first touch stays the first one.
      expect((await memberOf(brand.id, external))?.utm.campaign).toBe('live-0521');
    });

    it('a deletion from someone unknown makes no member', async () => {
      const { brand } = await brandWithCorp();
      await deliver(brand.id, {
        Event: 'change_external_contact',
        ChangeType: 'del_follow_user',
        UserID: 'sales',
        ExternalUserID: `wm-${uniq()}`,
      });
      const s = await state(brand.id);
      expect(s.members).toEqual([]);
      expect(s.follows).toHaveLength(1);
      expect(s.follows[0]).toMatchObject({ status: 'ended', member_id: null });
    });
  });

  it('concurrent callbacks keep counts exact and make one member per new customer', async () => {
    const { brand, actor } = await brandWithCorp();
    const tag = uniq();
    const chats = [0, 1].map((i) => ({
      chat_id: `wr-${tag}-${i}`,
      owner: `boss-${tag}`,
      member_list: [{ userid: `boss-${tag}`, type: 1 as const }],
    }));
    await seed(chats);
    await runSync(actor);
    const join = (chat: number, userid: string) =>
      deliver(brand.id, {
        Event: 'change_external_chat',
        ChatId: `wr-${tag}-${chat}`,
        ChangeType: 'update',
        UpdateDetail: 'add_member',
        MemChangeList: { Item: [userid] },
      });
    // Ten different people join group 0 at once; one new person joins both groups and adds a staff member at once.
    const shared = `wm-${tag}-shared`;
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => join(0, `wm-${tag}-${i}`)),
      join(0, shared),
      join(1, shared),
      deliver(brand.id, {
        Event: 'change_external_contact',
        ChangeType: 'add_external_contact',
        UserID: `boss-${tag}`,
        ExternalUserID: shared,
      }),
    ]);
    const counts: Array<{ chat_id: string; member_count: number; open: number }> = await ds.query(
      `SELECT g.chat_id, g.member_count,
              (SELECT count(*) FROM community_group_members gm WHERE gm.group_id = g.id AND gm.left_at IS NULL)::int AS open
         FROM community_groups g WHERE g.brand_id = $1 ORDER BY g.chat_id`,
      [brand.id],
    );
    expect(counts).toEqual([
      { chat_id: `wr-${tag}-0`, member_count: 12, open: 12 },
      { chat_id: `wr-${tag}-1`, member_count: 2, open: 2 },
    ]);
    const owners: Array<{ n: number }> = await ds.query(
      `SELECT count(DISTINCT member_id)::int AS n FROM member_identities WHERE brand_id = $1 AND value = $2`,
      [brand.id, shared],
    );
    expect(owners[0].n).toBe(1);
    const linked: Array<{ member_id: string }> = await ds.query(
      `SELECT DISTINCT member_id FROM community_group_members WHERE brand_id = $1 AND userid = $2
       UNION SELECT DISTINCT member_id FROM community_contact_follows WHERE brand_id = $1 AND external_userid = $2`,
      [brand.id, shared],
    );
    expect(linked).toHaveLength(1);
    expect((await app.get(MembersService).summary(brand.id)).total).toBe(11);
  });

  it('a merge moves memberships to the survivor; an erased member keeps them on the tombstone and is not re-created by a sync', async () => {
    const { brand, actor } = await brandWithCorp();
    const tag = uniq();
    const [x, y, z] = ['x', 'y', 'z'].map((s) => `wm-${tag}-${s}`);
    await seed([
      {
        chat_id: `wr-${tag}-1`,
        owner: 'boss',
        member_list: [x, y, z].map((userid) => ({ userid, type: 2 as const })),
      },
      { chat_id: `wr-${tag}-2`, owner: 'boss', member_list: [{ userid: y, type: 2 }] },
    ]);
    await runSync(actor);
    const [mx, my, mz] = await Promise.all([x, y, z].map((u) => memberOf(brand.id, u)));

    await app.get(MembersService).merge(actor, mx!.id, my!.id);
    const ofSurvivor = await groups.groupsOfMember(brand.id, mx!.id, { state: 'active', limit: 10 });
    expect(ofSurvivor.items.map((g) => [g.chatId, g.userid]).sort()).toEqual(
      [
        [`wr-${tag}-1`, x],
        [`wr-${tag}-1`, y],
        [`wr-${tag}-2`, y],
      ].sort(),
    );

    await app.get(MembersService).erase(actor, mz!.id);
    const before = await state(brand.id);
    expect(await runSync(actor)).toMatchObject({ status: 'completed', membersCreated: 0 });
    const after = await state(brand.id);
    expect(after.members).toEqual(before.members);
    const stay = after.memberships.find((r: { userid: string }) => r.userid === z);
    expect(stay).toMatchObject({ member_id: mz!.id, left_at: null });

    // The segment fragment finds the tombstone; beside reachableMemberSql it does not.
    const params: unknown[] = [brand.id];
    const sql = groupMembershipSql('m', params, { chatIds: [`wr-${tag}-1`] });
    const all: Array<{ id: string }> = await ds.query(
      `SELECT m.id FROM members m WHERE m.brand_id = $1 AND ${sql} ORDER BY m.id`,
      params,
    );
    expect(all.map((r) => r.id).sort()).toEqual([mx!.id, mz!.id].sort());
    const reachable: Array<{ id: string }> = await ds.query(
      `SELECT m.id FROM members m WHERE m.brand_id = $1 AND ${sql} AND ${reachableMemberSql('m')}`,
      params,
    );
    expect(reachable.map((r) => r.id)).toEqual([mx!.id]);
  });

  it('resolves group audiences for campaigns by id or tag, leaving out dismissed groups and owners who left', async () => {
    const { brand, actor } = await brandWithCorp();
    const tag = uniq();
    await seed([
      { chat_id: `wr-${tag}-1`, owner: `a-${tag}` },
      { chat_id: `wr-${tag}-2`, owner: `b-${tag}` },
      { chat_id: `wr-${tag}-3`, owner: `gone-${tag}`, status: 1 },
    ]);
    await runSync(actor);
    const all = (await groups.list(brand.id, { limit: 10 })).items;
    const id = (n: number) => all.find((g) => g.chatId === `wr-${tag}-${n}`)!.id;
    const [{ id: tagId }] = await ds.query(
      `INSERT INTO community_group_tags (brand_id, name) VALUES ($1, 'vip') RETURNING id`,
      [brand.id],
    );
    await groups.setTags(actor, id(2), [tagId]);
    await groups.setTags(actor, id(3), [tagId]);

    expect(await groups.resolveGroups(brand.id, { tagIds: [tagId] })).toEqual([
      { groupId: id(2), chatId: `wr-${tag}-2`, ownerUserid: `b-${tag}`, ownerActive: true, memberCount: 0 },
    ]);
    expect(
      (await groups.resolveGroups(brand.id, { tagIds: [tagId] }, { ownerActiveOnly: false })).map((g) => [
        g.chatId,
        g.ownerActive,
      ]),
    ).toEqual([
      [`wr-${tag}-2`, true],
      [`wr-${tag}-3`, false],
    ]);
    expect((await groups.resolveGroups(brand.id, { groupIds: [id(1)], tagIds: [tagId] })).length).toBe(2);
    expect(await groups.resolveGroups(brand.id, {})).toEqual([]);
    expect((await groups.resolveGroups(brand.id, {}, { all: true })).length).toBe(2);
    // Another brand's ids select nothing.
    const other = await brandWithCorp();
    expect(await groups.resolveGroups(other.brand.id, { groupIds: [id(1)] })).toEqual([]);
    // As SQL inside an INSERT … SELECT-shaped statement.
    const params: unknown[] = ['campaign-1'];
    const rows = await ds.query(
      `SELECT $1::text AS campaign, a.chat_id, a.owner_userid FROM (${groupAudienceSql(brand.id, { groupIds: [id(1)] }, params)}) a`,
      params,
    );
    expect(rows).toEqual([{ campaign: 'campaign-1', chat_id: `wr-${tag}-1`, owner_userid: `a-${tag}` }]);
  });
});
