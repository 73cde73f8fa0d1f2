import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
// Type-only: the app must load after wecom-sim is up (see startAppWithSim).
import type { TestBrand } from './factories/brand.factory';
import type { TestApp } from './harness';
import { connectWecom, wecomContacts } from './factories/wecom.factory';
import { waitFor } from './support/processes';
import { flushPrefix } from './support/redis';
import { startAppWithSim } from './support/sim-app';
import type { SimProcess } from './support/wecom-sim';

type BrandFactory = typeof import('./factories/brand.factory');
type Reminder = {
  id: string;
  kind: string;
  status: string;
  reason: string | null;
  dueAt: string;
  dueAtLocal: string;
  campaigns: Array<{ id: string; channel: string; status: string; counts: Record<string, number> }>;
};

const uniq = () => randomUUID().replace(/-/g, '').slice(0, 10);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
/** A UTC instant as the local text of a brand in UTC (YYYY-MM-DDTHH:mm:ss). */
const utcLocal = (ms: number) => new Date(ms).toISOString().slice(0, 19);

describe('live sessions: reminders as campaigns, RSVP, cancel, through wecom-sim (e2e)', () => {
  let t: TestApp;
  let sim: SimProcess;
  let ds: DataSource;
  let f: BrandFactory;
  let memberToken: (brand: TestBrand, memberId: string) => Promise<string>;

  beforeAll(async () => {
    Object.assign(process.env, {
      CAMPAIGN_HOLD_RECHECK_MS: '300',
      CAMPAIGN_SEND_LEASE_MS: '3000',
      CAMPAIGN_PROGRESS_INTERVAL_MS: '200',
      RECONCILE_INTERVAL_MS: '1000',
    });
    ({ sim, t } = await startAppWithSim(async () => {
      const c = await import('@siyu/campaigns');
      const ch = await import('@siyu/channels');
      const co = await import('@siyu/communities');
      return [c.CampaignsWorkerModule, ch.ChannelsWorkerModule, co.CommunitiesWorkerModule];
    }));
    f = await import('./factories/brand.factory');
    const draws = await import('./factories/draw.factory');
    memberToken = (brand, memberId) => draws.memberToken(t.app, brand, memberId);
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
  });
  beforeEach(() => sim.client.reset());

  const api = (brand: TestBrand) => ({
    get: (path: string) => t.http().get(path).set(bearer(brand.owner.token)),
    post: (path: string, body?: object) =>
      t
        .http()
        .post(path)
        .set(bearer(brand.owner.token))
        .send(body ?? {}),
    patch: (path: string, body: object) => t.http().patch(path).set(bearer(brand.owner.token)).send(body),
    put: (path: string, body: object) => t.http().put(path).set(bearer(brand.owner.token)).send(body),
  });

  async function brandWithCorp(timeZone = 'UTC'): Promise<TestBrand> {
    const brand = await f.createBrand(t.app, { timeZone });
    await connectWecom(t, brand);
    return brand;
  }

  /** Group chats in the simulator, synced into the brand; returns their Siyu ids and chat ids. */
  async function groups(brand: TestBrand, n: number): Promise<Array<{ id: string; chatId: string }>> {
    const chats = Array.from({ length: n }, () => `wr${uniq()}`);
    await sim.client.post('/_sim/groupchats', {
      group_chats: chats.map((chat_id, i) => ({
        chat_id,
        name: `直播群 ${i}`,
        owner: 'owner-a',
        member_list: [{ userid: `wm${uniq()}`, type: 2 }],
      })),
    });
    await api(brand).post('/v1/groups/sync', {}).expect(202);
    const rows = await waitFor(
      async () => {
        const res = await api(brand).get('/v1/groups').expect(200);
        return res.body.items.length === n
          ? (res.body.items as Array<{ id: string; chatId: string }>)
          : undefined;
      },
      30_000,
      'groups synced',
    );
    return rows.map((g) => ({ id: g.id, chatId: g.chatId }));
  }

  /** Members who are WeCom contacts of staff-a, straight into the tables. */
  const contacts = (brand: TestBrand, n: number) => wecomContacts(t, brand, n);

  const reminders = async (brand: TestBrand, id: string): Promise<Reminder[]> =>
    (await api(brand).get(`/v1/live-sessions/${id}`).expect(200)).body.reminders;
  const byKind = (rs: Reminder[], kind: string) =>
    rs.filter((r) => r.kind === kind && r.status !== 'cancelled');
  const campaign = async (brand: TestBrand, id: string) =>
    (await api(brand).get(`/v1/campaigns/${id}`).expect(200)).body;
  const finished = (brand: TestBrand, id: string) =>
    waitFor(
      async () => {
        const p = (await api(brand).get(`/v1/campaigns/${id}/progress`).expect(200)).body;
        return p.status === 'completed' && p.remaining === 0 ? p : undefined;
      },
      30_000,
      `campaign ${id} to complete`,
    );

  it('plans reminders across the spring-forward change in the brand zone; moving the start moves them', async () => {
    const brand = await brandWithCorp('America/Los_Angeles');
    const [g] = await groups(brand, 1);
    const res = await api(brand)
      .post('/v1/live-sessions', {
        title: '春季新品直播',
        platform: 'wechat_channels',
        finderId: 'sph_brand',
        plannedStart: '2027-03-14T20:00',
        plannedEnd: '2027-03-14T22:00',
        audience: { groupIds: [g.id] },
      })
      .expect(201);
    expect(res.body).toMatchObject({
      status: 'planned',
      plannedStartAt: '2027-03-15T03:00:00.000Z', // 20:00 PDT (UTC-7) on the switch day
      plannedStartLocal: '2027-03-14T20:00:00',
      timeZone: 'America/Los_Angeles',
    });
    const start = Date.parse('2027-03-15T03:00:00Z');
    const due = Object.fromEntries(res.body.reminders.map((r: Reminder) => [r.kind, r]));
    // The day before at the same wall time is 20:00 PST (UTC-8): 23 h before, not 24.
    expect(due.day_before.dueAt).toBe('2027-03-14T04:00:00.000Z');
    expect(due.day_before.dueAtLocal).toBe('2027-03-13T20:00:00');
    expect(start - Date.parse(due.day_before.dueAt)).toBe(23 * 3_600_000);
    expect(Date.parse(due.before_start.dueAt)).toBe(start - 3_600_000);
    expect(Date.parse(due.now_live.dueAt)).toBe(start);
    expect(Date.parse(due.after_end.dueAt)).toBe(Date.parse('2027-03-15T05:00:00Z') + 30 * 60_000);
    for (const r of res.body.reminders as Reminder[]) {
      expect(r.status).toBe('scheduled');
      // The groups' campaign; "now live" also has the 1:1 campaign to the RSVPs.
      expect(r.campaigns.map((c) => c.channel)).toEqual(
        r.kind === 'now_live' ? ['wecom_group', 'wecom_single'] : ['wecom_group'],
      );
      for (const { id } of r.campaigns) {
        const c = await campaign(brand, id);
        expect(c.status).toBe('scheduled');
        expect(c.schedule.sendAt).toBe(r.dueAt);
      }
    }

    const moved = await api(brand)
      .patch(`/v1/live-sessions/${res.body.id}`, { plannedStart: '2027-03-14T21:00' })
      .expect(200);
    const after = byKind(moved.body.reminders, 'day_before')[0];
    expect(after.dueAt).toBe('2027-03-14T05:00:00.000Z');
    expect(after.status).toBe('scheduled');
    expect((await campaign(brand, after.campaigns[0].id)).schedule.sendAt).toBe('2027-03-14T05:00:00.000Z');
    expect((await campaign(brand, due.day_before.campaigns[0].id)).status).toBe('cancelled');

    // Two moves at once re-plan one after the other: one scheduled campaign per reminder and channel.
    await Promise.all(
      ['2027-03-14T19:00', '2027-03-14T19:30'].map((plannedStart) =>
        api(brand).patch(`/v1/live-sessions/${res.body.id}`, { plannedStart }).expect(200),
      ),
    );
    const final = await reminders(brand, res.body.id);
    const live = final.filter((r) => r.status === 'scheduled');
    expect(live.map((r) => r.kind).sort()).toEqual(['after_end', 'before_start', 'day_before', 'now_live']);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM campaigns WHERE brand_id = $1 AND status = 'scheduled'`,
      [brand.id],
    );
    expect(n).toBe(live.reduce((k, r) => k + r.campaigns.length, 0));
    const startAt = Date.parse(
      (await api(brand).get(`/v1/live-sessions/${res.body.id}`).expect(200)).body.plannedStartAt,
    );
    expect(Date.parse(live.find((r) => r.kind === 'now_live')!.dueAt)).toBe(startAt);
  });

  it('a passed reminder is skipped with time_passed; a sent one stays when the start moves; unsent ones move', async () => {
    const brand = await brandWithCorp();
    const [g] = await groups(brand, 1);
    const start = Date.now() + 60 * 60_000 + 4_000; // "1 hour before" is due in ~4 s
    const res = await api(brand)
      .post('/v1/live-sessions', {
        title: '今晚直播',
        platform: 'douyin',
        roomUrl: 'https://live.example.com/room/1',
        plannedStart: utcLocal(start),
        plannedEnd: utcLocal(start + 2 * 3_600_000),
        audience: { groupIds: [g.id] },
      })
      .expect(201);
    const id = res.body.id;
    const dayBefore = byKind(res.body.reminders, 'day_before')[0];
    expect(dayBefore).toMatchObject({ status: 'skipped', reason: 'time_passed', campaigns: [] });
    const hour = byKind(res.body.reminders, 'before_start')[0];
    await finished(brand, hour.campaigns[0].id);
    expect((await sim.client.messages(g.chatId)).total).toBe(1);
    const nowLive0 = byKind(res.body.reminders, 'now_live')[0];

    await api(brand)
      .patch(`/v1/live-sessions/${id}`, {
        plannedStart: utcLocal(start + 3_600_000),
        plannedEnd: utcLocal(start + 3 * 3_600_000),
      })
      .expect(200);
    const rs = await reminders(brand, id);
    const hourAfter = rs.find((r) => r.id === hour.id) as Reminder;
    expect(hourAfter).toMatchObject({ status: 'sent', dueAt: hour.dueAt });
    expect(hourAfter.campaigns[0].id).toBe(hour.campaigns[0].id);
    const nowLive = rs.find((r) => r.id === nowLive0.id) as Reminder;
    expect(Date.parse(nowLive.dueAt)).toBe(Date.parse(nowLive0.dueAt) + 3_600_000);
    expect(nowLive.campaigns[0].id).not.toBe(nowLive0.campaigns[0].id);
    expect((await campaign(brand, nowLive0.campaigns[0].id)).status).toBe('cancelled');
    // Still passed at the new time (start + 1 h - 1 day): skipped again, never sent late.
    expect(rs.find((r) => r.id === dayBefore.id)).toMatchObject({ status: 'skipped', reason: 'time_passed' });
    expect((await sim.client.messages(g.chatId)).total).toBe(1);
  });

  it('"now live" reaches RSVPs outside the targeted groups and a targeted RSVP exactly once; RSVP is idempotent', async () => {
    const brand = await brandWithCorp();
    const [both, rsvpOnly, segmentOnly, neither] = await contacts(brand, 4);
    await ds.query(`UPDATE members SET source_channel = 'douyin' WHERE id = ANY($1)`, [
      [both.id, segmentOnly.id],
    ]);
    const segment = await api(brand)
      .post('/v1/segments', {
        name: `douyin ${uniq()}`,
        rule: { all: [{ field: 'source_channel', op: 'eq', value: 'douyin' }] },
      })
      .expect(201);
    const start = Date.now() + 2 * 3_600_000;
    const res = await api(brand)
      .post('/v1/live-sessions', {
        title: '会员专场',
        platform: 'taobao_live',
        roomUrl: 'https://live.example.com/room/2',
        plannedStart: utcLocal(start),
        plannedEnd: utcLocal(start + 3_600_000),
        audience: { segmentIds: [segment.body.id] },
      })
      .expect(201);
    const id = res.body.id;

    const token = await memberToken(brand, both.id);
    const first = await t.http().post(`/v1/live-sessions/${id}/rsvp`).set(bearer(token)).send({}).expect(200);
    expect(first.body).toMatchObject({ subscribed: true, changed: true, rsvpCount: 1 });
    const again = await t.http().post(`/v1/live-sessions/${id}/rsvp`).set(bearer(token)).send({}).expect(200);
    expect(again.body).toMatchObject({ changed: false, rsvpCount: 1 });
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () =>
        api(brand).post(`/v1/live-sessions/${id}/rsvp`, { memberId: rsvpOnly.id }).expect(200),
      ),
    );
    expect(concurrent.filter((r) => r.body.changed)).toHaveLength(1);
    await api(brand).post(`/v1/live-sessions/${id}/rsvp`, { memberId: neither.id }).expect(200);
    const off = await t
      .http()
      .delete(`/v1/live-sessions/${id}/rsvp`)
      .query({ memberId: neither.id })
      .set(bearer(brand.owner.token))
      .expect(200);
    expect(off.body).toMatchObject({ subscribed: false, changed: true, rsvpCount: 2 });
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM live_rsvps WHERE session_id = $1`, [id]);
    expect(n).toBe(2);
    expect((await api(brand).get(`/v1/live-sessions/${id}`).expect(200)).body.rsvpCount).toBe(2);
    const bad = await t
      .http()
      .post(`/v1/live-sessions/${id}/rsvp`)
      .set(bearer(token))
      .send({ memberId: rsvpOnly.id })
      .expect(400);
    expect(bad.body.errors[0]).toMatchObject({ field: 'memberId' });

    const started = await api(brand).post(`/v1/live-sessions/${id}/start`).expect(200);
    expect(started.body.status).toBe('live');
    const nowLive = byKind(started.body.reminders, 'now_live')[0];
    expect(nowLive.campaigns).toHaveLength(1);
    const p = await finished(brand, nowLive.campaigns[0].id);
    expect(p.counts.sent).toBe(3);
    for (const m of [both, rsvpOnly, segmentOnly]) expect((await sim.client.messages(m.ext)).total).toBe(1);
    expect((await sim.client.messages(neither.ext)).total).toBe(0);
    expect((await sim.client.stats()).duplicates.recipients).toBe(0);
    await api(brand).post(`/v1/live-sessions/${id}/start`).expect(409);
    await api(brand).post(`/v1/live-sessions/${id}/end`).expect(200);
    const report = await api(brand).get(`/v1/live-sessions/${id}/report`).expect(200);
    expect(report.body).toMatchObject({ rsvps: 2, deliveries: { sent: 3 } });
    expect(report.body.reminders.find((r: { kind: string }) => r.kind === 'now_live')).toMatchObject({
      status: 'sent',
      deliveries: { sent: 3, skipped: 0, failed: 0 },
    });
  });

  it('cancelling with a notice cancels unsent reminders and tells the groups now', async () => {
    const brand = await brandWithCorp();
    const [g1, g2] = await groups(brand, 2);
    const start = Date.now() + 3 * 3_600_000;
    const res = await api(brand)
      .post('/v1/live-sessions', {
        title: '周末直播',
        platform: 'other',
        roomUrl: 'https://live.example.com/room/3',
        plannedStart: utcLocal(start),
        plannedEnd: utcLocal(start + 3_600_000),
        audience: { groupIds: [g1.id, g2.id] },
      })
      .expect(201);
    const planned = (res.body.reminders as Reminder[]).filter((r) => r.status === 'scheduled');
    expect(planned.map((r) => r.kind).sort()).toEqual(['after_end', 'before_start', 'now_live']);
    const cancelled = await api(brand)
      .post(`/v1/live-sessions/${res.body.id}/cancel`, { notify: true, text: '{title} 取消了，抱歉' })
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    for (const r of planned) {
      expect(cancelled.body.reminders.find((x: Reminder) => x.id === r.id)).toMatchObject({
        status: 'cancelled',
        reason: 'session_cancelled',
      });
      expect((await campaign(brand, r.campaigns[0].id)).status).toBe('cancelled');
    }
    const notice = byKind(cancelled.body.reminders, 'cancel_notice')[0];
    await finished(brand, notice.campaigns.find((c) => c.channel === 'wecom_group')!.id);
    for (const g of [g1, g2]) {
      const seen = await sim.client.messages(g.chatId);
      expect(seen.total).toBe(1);
      expect(JSON.stringify(seen.messages[0].payload)).toContain('周末直播 取消了，抱歉');
    }
    await api(brand).post(`/v1/live-sessions/${res.body.id}/start`).expect(409);
  });

  it('bad input is a 400 naming the field; another brand answers 404; roles hold', async () => {
    const a = await brandWithCorp();
    const b = await brandWithCorp();
    const body = {
      title: 'x',
      platform: 'douyin',
      plannedStart: '2030-01-01T20:00',
      plannedEnd: '2030-01-01T19:00',
    };
    const inverted = await api(a).post('/v1/live-sessions', body).expect(400);
    expect(inverted.headers['content-type']).toContain('application/problem+json');
    expect(inverted.body.errors).toEqual([expect.objectContaining({ field: 'plannedEnd' })]);
    const badPlatform = await api(a)
      .post('/v1/live-sessions', { ...body, platform: 'kuaishou' })
      .expect(400);
    expect(badPlatform.body.errors[0].field).toBe('platform');
    const badGroup = await api(a)
      .post('/v1/live-sessions', {
        ...body,
        plannedEnd: '2030-01-01T21:00',
        audience: { groupIds: [randomUUID()] },
      })
      .expect(422);
    expect(badGroup.body.errors[0].field).toBe('audience.groupIds');
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM live_sessions WHERE brand_id = $1`, [
      a.id,
    ]);
    expect(n).toBe(0);

    const ok = await api(a)
      .post('/v1/live-sessions', { ...body, plannedEnd: '2030-01-01T21:00' })
      .expect(201);
    await api(b).get(`/v1/live-sessions/${ok.body.id}`).expect(404);
    await api(b).patch(`/v1/live-sessions/${ok.body.id}`, { title: 'y' }).expect(404);
    await api(b).post(`/v1/live-sessions/${ok.body.id}/cancel`).expect(404);
    await api(b).get(`/v1/live-sessions/${ok.body.id}/report`).expect(404);
    const [bMember] = await contacts(b, 1);
    const bToken = await memberToken(b, bMember.id);
    await t.http().post(`/v1/live-sessions/${ok.body.id}/rsvp`).set(bearer(bToken)).send({}).expect(404);
    expect((await api(b).get('/v1/live-sessions').expect(200)).body.items).toEqual([]);
    const list = await api(a).get('/v1/live-sessions').query({ limit: 1 }).expect(200);
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([ok.body.id]);

    const marketer = await f.createOperator(t.app, a, 'marketer');
    await t.http().get(`/v1/live-sessions/${ok.body.id}`).set(bearer(marketer.token)).expect(200);
    await t
      .http()
      .post(`/v1/live-sessions/${ok.body.id}/cancel`)
      .set(bearer(marketer.token))
      .send({})
      .expect(403);
    const audit = await api(a).get('/v1/audit-log').query({ entityId: ok.body.id }).expect(200);
    expect(audit.body.items.map((x: { action: string }) => x.action)).toContain('live_session.created');
  });

  it('the live coupon follows the window; "now live" is quiet-hours exempt only when the brand allows it; the report matches the rows', async () => {
    const brand = await brandWithCorp();
    const [buyer, repeat, later] = await contacts(brand, 3);
    const [g] = await groups(brand, 1);
    const template = await api(brand)
      .post('/v1/coupon-templates', { name: '直播专享', kind: 'fixed_amount', amountOffMinor: 1000 })
      .expect(201);
    await api(brand).put('/v1/live-settings', { nowLiveQuietHoursExempt: true }).expect(200);
    const start = Date.parse(utcLocal(Date.now() + 2 * 3_600_000) + 'Z');
    const refused = await api(brand)
      .post('/v1/live-sessions', {
        title: '链接不在白名单',
        platform: 'other',
        plannedStart: utcLocal(start),
        plannedEnd: utcLocal(start + 3_600_000),
        products: [{ name: 'x', priceMinor: '100', destinationUrl: 'https://shop.example.com/p/1' }],
      })
      .expect(422);
    expect(refused.body.errors[0].field).toBe('products[0].destinationUrl');
    const [{ n: none }] = await ds.query(`SELECT count(*)::int AS n FROM live_sessions WHERE brand_id = $1`, [
      brand.id,
    ]);
    expect(none).toBe(0);
    await api(brand)
      .put('/v1/conversion-settings', { allowedDomains: ['shop.example.com'] })
      .expect(200);
    const end = start + 3_600_000;
    const res = await api(brand)
      .post('/v1/live-sessions', {
        title: '券专场',
        platform: 'wechat_channels',
        finderId: 'sph_x',
        plannedStart: utcLocal(start),
        plannedEnd: utcLocal(end),
        couponTemplateId: template.body.id,
        couponGraceMinutes: 15,
        audience: { groupIds: [g.id] },
        products: [{ name: '面霜', priceMinor: '19900', destinationUrl: 'https://shop.example.com/p/1' }],
      })
      .expect(201);
    expect(res.body.products).toEqual([
      expect.objectContaining({ name: '面霜', priceMinor: '19900', linkId: expect.any(String) }),
    ]);
    const link = (await api(brand).get(`/v1/links/${res.body.products[0].linkId}`).expect(200)).body;
    expect(link).toMatchObject({ destination: 'https://shop.example.com/p/1', liveSessionId: res.body.id });
    const t1 = (await api(brand).get(`/v1/coupon-templates/${template.body.id}`).expect(200)).body;
    expect(Date.parse(t1.validFrom)).toBe(start);
    expect(Date.parse(t1.validUntil)).toBe(end + 15 * 60_000);
    await api(brand).post(`/v1/coupon-templates/${template.body.id}/activate`).expect(200);
    const issued = await api(brand)
      .post(`/v1/coupon-templates/${template.body.id}/issue`, { memberId: buyer.id })
      .expect(201);
    const early = await api(brand)
      .post('/v1/coupons/validate', { code: issued.body.code, memberId: buyer.id, cartAmountMinor: 5_000 })
      .expect(200);
    expect(early.body).toMatchObject({ valid: false, reason: 'not_yet_valid' });

    // Quiet hours: only "now live" carries the exemption the brand's live setting gives.
    expect(byKind(res.body.reminders, 'before_start')[0].campaigns).toHaveLength(1);
    for (const r of res.body.reminders as Reminder[])
      for (const c of r.campaigns)
        expect((await campaign(brand, c.id)).quietHoursExempt).toBe(r.kind === 'now_live');
    await api(brand).put('/v1/live-settings', { nowLiveQuietHoursExempt: false }).expect(200);
    const moved = await api(brand)
      .patch(`/v1/live-sessions/${res.body.id}`, { plannedEnd: utcLocal(end + 60_000) })
      .expect(200);
    const nowLive = byKind(moved.body.reminders, 'now_live')[0];
    expect((await campaign(brand, nowLive.campaigns[0].id)).quietHoursExempt).toBe(false);
    await api(brand)
      .patch(`/v1/live-sessions/${res.body.id}`, { plannedEnd: utcLocal(end) })
      .expect(200);

    // Orders around the session, and the report computed independently from the same list.
    const H = 3_600_000;
    const orders = [
      { m: buyer.id, at: start + 60_000, status: 'paid', amount: 10_000, refunded: 0, rep: false },
      {
        m: buyer.id,
        at: start + 120_000,
        status: 'partially_refunded',
        amount: 5_000,
        refunded: 1_000,
        rep: true,
      },
      { m: repeat.id, at: end - 60_000, status: 'paid', amount: 7_000, refunded: 0, rep: true },
      { m: repeat.id, at: start + 60_000, status: 'refunded', amount: 9_000, refunded: 9_000, rep: true },
      { m: later.id, at: start + 60_000, status: 'cancelled', amount: 3_000, refunded: 0, rep: false },
      { m: later.id, at: end + 2 * H, status: 'paid', amount: 2_000, refunded: 0, rep: true },
      { m: later.id, at: end + 25 * H, status: 'paid', amount: 8_000, refunded: 0, rep: true },
      { m: buyer.id, at: start - 60_000, status: 'paid', amount: 4_000, refunded: 0, rep: false },
    ];
    await ds.query(
      `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor,
                           refunded_minor, placed_at, is_repurchase)
       SELECT $1, o.m, 'store', 'live-' || o.i, o.status, 'CNY', o.amount, o.refunded, o.at, o.rep
         FROM jsonb_to_recordset($2::jsonb) AS o(i int, m uuid, status text, amount bigint, refunded bigint,
                                                  at timestamptz, rep boolean)`,
      [brand.id, JSON.stringify(orders.map((o, i) => ({ ...o, i, at: new Date(o.at).toISOString() })))],
    );
    const expected = (from: number, to: number) => {
      const counted = orders.filter(
        (o) => o.at >= from && o.at < to && ['paid', 'partially_refunded'].includes(o.status),
      );
      const buyers = new Map<string, boolean>();
      for (const o of counted) buyers.set(o.m, (buyers.get(o.m) ?? false) || !o.rep);
      return {
        orders: counted.length,
        gmvMinor: String(counted.reduce((n, o) => n + o.amount - o.refunded, 0)),
        newBuyers: [...buyers.values()].filter(Boolean).length,
        repeatBuyers: [...buyers.values()].filter((x) => !x).length,
      };
    };
    const report = (await api(brand).get(`/v1/live-sessions/${res.body.id}/report`).expect(200)).body;
    expect(report.during).toMatchObject(expected(start, end));
    expect(report.after24h).toMatchObject(expected(end, end + 24 * H));
    expect(report.during.orders).toBeGreaterThan(0);
    expect(report).toMatchObject({
      currency: 'CNY',
      coupon: { templateId: template.body.id, redemptions: 0 },
      products: [{ name: '面霜', linkId: link.id, clicks: 0 }],
    });
  });

  it("campaigns' registered audience: an unknown resolver or another brand's session is a 422 naming the field", async () => {
    const a = await brandWithCorp();
    const b = await brandWithCorp();
    const draft = (audience: object) =>
      api(a).post('/v1/campaigns', {
        name: 'r',
        channel: 'wecom_single',
        audience: { kind: 'registered', ...audience },
        message: { text: 'hi' },
      });
    const unknown = await draft({ resolver: 'nope', ref: 'x' }).expect(422);
    expect(unknown.body.errors[0].field).toBe('audience.resolver');
    const missing = await draft({ resolver: 'live_session' }).expect(400);
    expect(missing.body.errors[0].field).toBe('audience.ref');
    const other = await api(b)
      .post('/v1/live-sessions', {
        title: 'b',
        platform: 'other',
        plannedStart: '2030-02-01T20:00',
        plannedEnd: '2030-02-01T21:00',
      })
      .expect(201);
    const c = await draft({ resolver: 'live_session', ref: `${other.body.id}:rsvp` }).expect(201);
    const scheduled = await api(a).post(`/v1/campaigns/${c.body.id}/schedule`, {}).expect(422);
    expect(scheduled.body.errors[0].field).toBe('audience.ref');
  });

  it('the live coupon is redeemable in the window and refused after the session ends plus its grace period', async () => {
    const brand = await brandWithCorp();
    const [buyer] = await contacts(brand, 1);
    const template = await api(brand)
      .post('/v1/coupon-templates', { name: '直播限时', kind: 'fixed_amount', amountOffMinor: 500 })
      .expect(201);
    const start = Date.parse(utcLocal(Date.now() - 10 * 60_000) + 'Z'); // started ten minutes ago
    const res = await api(brand)
      .post('/v1/live-sessions', {
        title: '限时券',
        platform: 'douyin',
        plannedStart: utcLocal(start),
        plannedEnd: utcLocal(start + 3_600_000),
        couponTemplateId: template.body.id,
        couponGraceMinutes: 0,
      })
      .expect(201);
    await api(brand).post(`/v1/coupon-templates/${template.body.id}/activate`).expect(200);
    const issued = await api(brand)
      .post(`/v1/coupon-templates/${template.body.id}/issue`, { memberId: buyer.id })
      .expect(201);
    const validate = async () =>
      (
        await api(brand)
          .post('/v1/coupons/validate', {
            code: issued.body.code,
            memberId: buyer.id,
            cartAmountMinor: 5_000,
          })
          .expect(200)
      ).body;
    expect(await validate()).toMatchObject({ valid: true });

    await api(brand).post(`/v1/live-sessions/${res.body.id}/start`).expect(200);
    const ended = await api(brand).post(`/v1/live-sessions/${res.body.id}/end`).expect(200);
    // Ended 50 minutes early with no grace: the template and the code issued before close at the end.
    const t1 = (await api(brand).get(`/v1/coupon-templates/${template.body.id}`).expect(200)).body;
    expect(Date.parse(t1.validUntil)).toBe(Date.parse(ended.body.endedAt));
    expect(await validate()).toMatchObject({ valid: false, reason: 'expired' });
  });

  it('the repair finishes reminders a crash left half-planned: drafts scheduled, a missing campaign planned again, a passed one cancelled', async () => {
    const brand = await brandWithCorp();
    const [g] = await groups(brand, 1);
    const start = Date.parse(utcLocal(Date.now() + 2 * 3_600_000) + 'Z');
    const res = await api(brand)
      .post('/v1/live-sessions', {
        title: '崩溃恢复',
        platform: 'wechat_channels',
        plannedStart: utcLocal(start),
        plannedEnd: utcLocal(start + 3_600_000),
        audience: { groupIds: [g.id] },
      })
      .expect(201);
    const rs = res.body.reminders as Reminder[];
    const [hour] = byKind(rs, 'before_start');
    const [live] = byKind(rs, 'now_live');
    const [replay] = byKind(rs, 'after_end');
    const hourCampaign = hour.campaigns[0].id;
    const liveCampaigns = live.campaigns.map((c) => c.id); // the groups', and the RSVPs' 1:1
    const replayCampaign = replay.campaigns[0].id;
    for (const id of [hourCampaign, ...liveCampaigns, replayCampaign])
      await api(brand).post(`/v1/campaigns/${id}/unschedule`).expect(200);
    // Died after creating the campaign, before scheduling it (hour); before naming it (now live);
    // and the replay's instant passed while it lay there. Untouched for five minutes.
    await ds.query(
      `UPDATE live_reminders SET group_campaign_id = NULL, member_campaign_id = NULL WHERE id = $1`,
      [live.id],
    );
    await ds.query(`UPDATE live_reminders SET due_at = now() - interval '1 minute' WHERE id = $1`, [
      replay.id,
    ]);
    await ds.query(
      `UPDATE live_reminders SET updated_at = now() - interval '5 minutes' WHERE id = ANY($1::uuid[])`,
      [[hour.id, live.id, replay.id]],
    );

    const { LiveRemindersService } = await import('@siyu/live');
    const service = t.app.get(LiveRemindersService);
    expect(await service.repair(60)).toBe(3);

    const h = await campaign(brand, hourCampaign);
    expect(h.status).toBe('scheduled');
    expect(h.schedule.sendAt).toBe(hour.dueAt);
    const after = (await api(brand).get(`/v1/live-sessions/${res.body.id}`).expect(200)).body
      .reminders as Reminder[];
    const [live2] = byKind(after, 'now_live');
    expect(live2.campaigns).toHaveLength(liveCampaigns.length);
    for (const c of live2.campaigns) {
      expect(liveCampaigns).not.toContain(c.id);
      const l = await campaign(brand, c.id);
      expect(l.status).toBe('scheduled');
      expect(Date.parse(l.schedule.sendAt)).toBe(start);
    }
    for (const id of liveCampaigns) expect((await campaign(brand, id)).status).toBe('draft'); // orphans never send
    expect((await campaign(brand, replayCampaign)).status).toBe('cancelled');
    expect(after.find((r) => r.id === replay.id)).toMatchObject({ status: 'skipped', reason: 'time_passed' });
    // Nothing left to repair, and a fresh edit is not raced.
    expect(await service.repair(60)).toBe(0);
  });

  it('a reminder whose campaign cannot be scheduled is failed with the reason, and leaves no campaign waiting', async () => {
    const brand = await f.createBrand(t.app, { timeZone: 'UTC' }); // no WeCom corp: 1:1 campaigns cannot be scheduled
    const segment = await api(brand)
      .post('/v1/segments', {
        name: `all ${uniq()}`,
        rule: { all: [{ field: 'source_channel', op: 'eq', value: 'wecom' }] },
      })
      .expect(201);
    const start = Date.now() + 3 * 3_600_000;
    const res = await api(brand)
      .post('/v1/live-sessions', {
        title: '无企微',
        platform: 'other',
        plannedStart: utcLocal(start),
        plannedEnd: utcLocal(start + 3_600_000),
        audience: { segmentIds: [segment.body.id] },
      })
      .expect(201);
    const planned = (res.body.reminders as Reminder[]).filter((r) => r.kind !== 'day_before');
    for (const r of planned) {
      expect(r.status).toBe('failed');
      expect(r.reason).toContain('channel');
    }
    const rows: Array<{ status: string; n: number }> = await ds.query(
      `SELECT status, count(*)::int AS n FROM campaigns WHERE brand_id = $1 GROUP BY 1`,
      [brand.id],
    );
    expect(rows).toEqual([{ status: 'cancelled', n: planned.length }]);
  });

  it("Redis loses the reminder's scheduled job: the reconciler re-enqueues it and each group gets it once", async () => {
    const brand = await brandWithCorp();
    const [g1, g2] = await groups(brand, 2);
    const start = Date.now() + 60 * 60_000 + 3_000; // "1 hour before" is due in ~3 s
    const res = await api(brand)
      .post('/v1/live-sessions', {
        title: '重启也只发一次',
        platform: 'douyin',
        roomUrl: 'https://live.example.com/room/9',
        plannedStart: utcLocal(start),
        plannedEnd: utcLocal(start + 3_600_000),
        audience: { groupIds: [g1.id, g2.id] },
        reminders: [{ kind: 'before_start', minutes: 60 }],
      })
      .expect(201);
    const { REDIS, AppConfig, Reconciler } = await import('@siyu/platform');
    const deleted = await flushPrefix(t.app.get<Redis>(REDIS), t.app.get(AppConfig).get('QUEUE_PREFIX'));
    expect(deleted).toBeGreaterThan(0);
    // The worker's periodic pass (a BullMQ scheduler, itself flushed); here run once, as at start-up.
    await t.app.get(Reconciler).reconcile();
    const reminder = byKind(res.body.reminders, 'before_start')[0];
    const p = await finished(brand, reminder.campaigns[0].id);
    expect(p.counts.sent).toBe(2);
    for (const g of [g1, g2]) expect((await sim.client.messages(g.chatId)).total).toBe(1);
    expect((await sim.client.stats()).duplicates.recipients).toBe(0);
    expect(byKind(await reminders(brand, res.body.id), 'before_start')[0].status).toBe('sent');
  });
});
