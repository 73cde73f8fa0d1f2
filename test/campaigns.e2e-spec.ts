import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
// Type-only: the app must load after wecom-sim is up (see startAppWithSim).
import type { TestBrand } from './factories/brand.factory';
import type { TestApp } from './harness';
import { connectWecom, wecomContacts } from './factories/wecom.factory';
import { waitFor } from './support/processes';
import { startAppWithSim } from './support/sim-app';
import type { SimProcess } from './support/wecom-sim';

type BrandFactory = typeof import('./factories/brand.factory');
type Progress = import('@siyu/campaigns').CampaignProgress;

const uniq = () => randomUUID().replace(/-/g, '').slice(0, 10);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const TEMPLATE = {
  kind: 'template',
  templateId: 'TPL_sale',
  data: { first: { value: '{{member.nickname|朋友}}，会员日 8 折' } },
};

describe('campaigns: group, 1:1 and OA campaigns through wecom-sim, exactly once (e2e)', () => {
  let t: TestApp;
  let sim: SimProcess;
  let ds: DataSource;
  let f: BrandFactory;

  beforeAll(async () => {
    Object.assign(process.env, {
      CAMPAIGN_HOLD_RECHECK_MS: '300',
      CAMPAIGN_SEND_LEASE_MS: '3000',
      CAMPAIGN_PROGRESS_INTERVAL_MS: '200',
      RECONCILE_INTERVAL_MS: '1000',
      CHANNEL_RATE_LIMIT_BACKOFF_MS: '500',
    });
    ({ sim, t } = await startAppWithSim(async () => {
      const c = await import('@siyu/campaigns');
      const ch = await import('@siyu/channels');
      const co = await import('@siyu/communities');
      return [c.CampaignsWorkerModule, ch.ChannelsWorkerModule, co.CommunitiesWorkerModule];
    }));
    f = await import('./factories/brand.factory');
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
  });

  async function brandWithCorp(): Promise<TestBrand> {
    const brand = await f.createBrand(t.app);
    await connectWecom(t, brand);
    return brand;
  }

  /** Members who are WeCom contacts of staff `staff`, with nicknames, straight into the tables. */
  const contacts = (brand: TestBrand, n: number, staff = 'staff-a') => wecomContacts(t, brand, n, staff);

  async function oaMembers(
    brand: TestBrand,
    n: number,
    appId: string,
  ): Promise<Array<{ id: string; openid: string }>> {
    const tag = uniq();
    return ds.query(
      `WITH m AS (
         INSERT INTO members (brand_id, nickname, source_channel)
         SELECT $1, '粉丝' || i, 'wechat_oa' FROM generate_series(1, $2) i RETURNING id)
       INSERT INTO member_identities (brand_id, member_id, kind, app_id, value)
       SELECT $1, m.id, 'openid', $3, 'o' || $4 || row_number() OVER () FROM m
       RETURNING member_id AS id, value AS openid`,
      [brand.id, n, appId, tag],
    );
  }

  async function oaApp(brand: TestBrand): Promise<{ id: string; appId: string }> {
    const appId = `wx${uniq()}`;
    const res = await api(brand)
      .post('/v1/channels/oa-apps', { name: 'Service', appId, secret: 'sim-secret' })
      .expect(201);
    return { id: res.body.id, appId };
  }

  async function finished(brand: TestBrand, id: string, timeoutMs = 60_000): Promise<Progress> {
    return waitFor(
      async () => {
        const p = (await api(brand).get(`/v1/campaigns/${id}/progress`).expect(200)).body as Progress;
        return ['completed', 'cancelled', 'failed'].includes(p.status) && p.remaining === 0 ? p : undefined;
      },
      timeoutMs,
      `campaign ${id} to finish`,
    );
  }

  async function launch(brand: TestBrand, body: object): Promise<string> {
    const created = await api(brand).post('/v1/campaigns', body).expect(201);
    await api(brand).post(`/v1/campaigns/${created.body.id}/schedule`, {}).expect(200);
    return created.body.id;
  }

  it('a 1:1 campaign: each contact gets exactly one message at the simulator, with their nickname', async () => {
    const brand = await brandWithCorp();
    const people = await contacts(brand, 6);
    const draft = await api(brand)
      .post('/v1/campaigns', {
        name: 'dry',
        channel: 'wecom_single',
        audience: { kind: 'list', memberIds: [...people.map((p) => p.id), randomUUID()] },
        message: { text: '{{member.nickname}}，你好' },
      })
      .expect(201);
    const dry = await api(brand).post(`/v1/campaigns/${draft.body.id}/dry-run`).expect(200);
    expect(dry.body).toMatchObject({ audience: 6, sendable: 6, skipped: {} });
    for (const sample of dry.body.samples)
      expect(people.map((p) => `${p.nickname}，你好`)).toContain(sample.message.text);
    expect(dry.body.samples).toHaveLength(5);
    const id = await launch(brand, {
      name: '会员日',
      channel: 'wecom_single',
      audience: { kind: 'list', memberIds: people.map((p) => p.id) },
      message: {
        text: '{{member.nickname}}，会员日 8 折',
        attachments: [{ msgtype: 'link', link: { title: '进店', url: 'https://shop.example.com' } }],
      },
    });
    const p = await finished(brand, id);
    expect(p).toMatchObject({
      status: 'completed',
      audienceSize: 6,
      counts: { sent: 6, failed: 0, skipped: 0 },
    });
    for (const person of people) {
      const seen = await sim.client.messages(person.ext);
      expect(seen.total).toBe(1);
      expect(JSON.stringify(seen.messages[0].payload)).toContain(`${person.nickname}，会员日 8 折`);
    }
    expect((await sim.client.stats()).duplicates.recipients).toBe(0);
    const audit = await api(brand).get('/v1/audit-log').query({ entityId: id }).expect(200);
    expect(audit.body.items.map((a: { action: string }) => a.action).sort()).toEqual(
      ['campaign.completed', 'campaign.created', 'campaign.scheduled', 'campaign.sending'].sort(),
    );
  });

  it('a group campaign: synced groups each get one broadcast from their owner; tasks are collected', async () => {
    const brand = await brandWithCorp();
    const chats = [`wr${uniq()}`, `wr${uniq()}`, `wr${uniq()}`];
    await sim.client.post('/_sim/groupchats', {
      group_chats: chats.map((chat_id, i) => ({
        chat_id,
        name: `福利群 ${i}`,
        owner: i === 2 ? 'owner-b' : 'owner-a',
        member_list: [{ userid: `wm${uniq()}`, type: 2 }],
      })),
    });
    await api(brand).post('/v1/groups/sync', {}).expect(202);
    await waitFor(
      async () => {
        const res = await api(brand).get('/v1/groups').expect(200);
        return res.body.items.length === 3 ? true : undefined;
      },
      30_000,
      'groups synced',
    );
    const bad = await api(brand)
      .post('/v1/campaigns', {
        name: 'x',
        channel: 'wecom_group',
        audience: { kind: 'groups', all: true },
        message: { text: '{{member.nickname}}' },
      })
      .expect(422);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.body.errors[0]).toMatchObject({ field: 'message' });

    const ok = await launch(brand, {
      name: '群发',
      channel: 'wecom_group',
      audience: { kind: 'groups', all: true },
      message: { text: '今晚 8 点直播' },
    });
    const p = await finished(brand, ok);
    expect(p).toMatchObject({ status: 'completed', counts: { sent: 3 }, tasks: { done: 2 } });
    for (const chat of chats) expect((await sim.client.messages(chat)).total).toBe(1);
    const rows = await ds.query(
      `SELECT sender, count(*)::int AS n FROM campaign_deliveries WHERE campaign_id = $1 GROUP BY 1 ORDER BY 1`,
      [ok],
    );
    expect(rows).toEqual([
      { sender: 'owner-a', n: 2 },
      { sender: 'owner-b', n: 1 },
    ]);
  });

  it('OA with an A/B split: deterministic variants, opted-out and erased members skipped with reasons', async () => {
    const brand = await brandWithCorp();
    const app = await oaApp(brand);
    const people = await oaMembers(brand, 40, app.appId);
    await ds.query(`UPDATE members SET consent_status = 'opted_out' WHERE id = $1`, [people[0].id]);
    await ds.query(`UPDATE members SET erased_at = now(), nickname = NULL WHERE id = $1`, [people[1].id]);
    const [noOpenid] = await ds.query(
      `INSERT INTO members (brand_id, nickname) VALUES ($1, 'x') RETURNING id`,
      [brand.id],
    );
    const body = {
      name: 'A/B',
      channel: 'oa',
      oaAppId: app.id,
      audience: { kind: 'list', memberIds: [...people.map((p) => p.id), noOpenid.id] },
      variants: [
        { name: 'A', weight: 50, message: { oa: TEMPLATE } },
        {
          name: 'B',
          weight: 50,
          message: { oa: { ...TEMPLATE, data: { first: { value: 'B: {{member.nickname}}' } } } },
        },
      ],
    };
    const created = await api(brand).post('/v1/campaigns', body).expect(201);
    const dry = await api(brand).post(`/v1/campaigns/${created.body.id}/dry-run`).expect(200);
    expect(dry.body).toMatchObject({
      audience: 41,
      sendable: 38,
      skipped: { opted_out: 1, erased: 1, no_openid: 1 },
    });
    expect(dry.body.samples.length).toBeGreaterThan(0);
    await api(brand).post(`/v1/campaigns/${created.body.id}/schedule`, {}).expect(200);
    const p = await finished(brand, created.body.id);
    expect(p.counts).toMatchObject({ sent: 38, skipped: 3 });
    expect(p.reasons).toEqual(
      expect.arrayContaining([
        { status: 'skipped', reason: 'opted_out', count: 1 },
        { status: 'skipped', reason: 'erased', count: 1 },
        { status: 'skipped', reason: 'no_openid', count: 1 },
      ]),
    );
    const [a, b] = p.variants;
    expect(a.counts.sent + b.counts.sent).toBe(38);
    expect(a.counts.sent).toBeGreaterThan(5);
    expect(b.counts.sent).toBeGreaterThan(5);
    // The dry run's split is the one the ledger got: the same hash of campaign and member.
    expect(dry.body.byVariant.map((v: { recipients: number }) => v.recipients)).toEqual([
      a.counts.sent,
      b.counts.sent,
    ]);
    expect((await sim.client.messages(people[0].openid)).total).toBe(0);
    expect((await sim.client.messages(people[1].openid)).total).toBe(0);
    const rows: Array<{ openid: string; variant: number }> = await ds.query(
      `SELECT address AS openid, variant FROM campaign_deliveries WHERE campaign_id = $1 AND status = 'sent'`,
      [created.body.id],
    );
    for (const r of rows.slice(0, 10)) {
      const seen = await sim.client.messages(r.openid);
      expect(seen.total).toBe(1);
      expect(JSON.stringify(seen.messages[0].payload)).toContain(
        r.variant === 1 ? 'B: 粉丝' : '，会员日 8 折',
      );
    }
    expect((await sim.client.stats()).duplicates.recipients).toBe(0);
  });

  it('simulator faults (system busy, 45009, latency) are retried to completion; permanent errors are per recipient', async () => {
    const brand = await brandWithCorp();
    const app = await oaApp(brand);
    const people = await oaMembers(brand, 60, app.appId);
    await sim.client.config({ blockedOpenids: [people[0].openid, people[1].openid] });
    await sim.client.faults(
      [
        { path: 'message/template/send', errcode: -1, rate: 0.2 },
        { path: 'message/template/send', errcode: 45009, rate: 0.03 },
        { path: 'message/template/send', latencyMs: 20, rate: 0.3 },
      ],
      7,
    );
    const id = await launch(brand, {
      name: 'faults',
      channel: 'oa',
      oaAppId: app.id,
      audience: { kind: 'list', memberIds: people.map((p) => p.id) },
      message: { oa: TEMPLATE },
    });
    const p = await finished(brand, id, 90_000);
    await sim.client.clearFaults();
    expect(p.counts).toMatchObject({ sent: 58, failed: 2, retry: 0, pending: 0 });
    expect(p.reasons).toEqual([{ status: 'failed', reason: 'not_subscribed', count: 2 }]);
    const retried = await ds.query(
      `SELECT count(*)::int AS n FROM campaign_deliveries WHERE campaign_id = $1 AND attempts > 1`,
      [id],
    );
    expect(retried[0].n).toBeGreaterThan(0);
    for (const person of people.slice(2)) expect((await sim.client.messages(person.openid)).total).toBe(1);
    expect((await sim.client.stats()).duplicates.recipients).toBe(0);

    // Resend to those not delivered: the two refusals, once they subscribed again.
    await sim.client.config({ blockedOpenids: [] });
    const resent = await api(brand).post(`/v1/campaigns/${id}/resend`, {}).expect(200);
    expect(resent.body.requeued).toBe(2);
    const again = await finished(brand, id);
    expect(again.counts).toMatchObject({ sent: 60, failed: 0 });
    expect((await sim.client.messages(people[0].openid)).total).toBe(1);
    expect((await sim.client.messages(people[5].openid)).total).toBe(1);
    await api(brand).post(`/v1/campaigns/${id}/resend`, {}).expect(409);
  });

  it('the frequency cap holds across two campaigns sent at once', async () => {
    const brand = await brandWithCorp();
    await api(brand).patch('/v1/brand', { frequencyCapCount: 1, frequencyCapWindowHours: 24 }).expect(200);
    const app = await oaApp(brand);
    const people = await oaMembers(brand, 30, app.appId);
    const body = (name: string) => ({
      name,
      channel: 'oa',
      oaAppId: app.id,
      audience: { kind: 'list', memberIds: people.map((p) => p.id) },
      message: { oa: TEMPLATE },
    });
    const [a, b] = await Promise.all([launch(brand, body('one')), launch(brand, body('two'))]);
    const [pa, pb] = await Promise.all([finished(brand, a), finished(brand, b)]);
    expect(pa.counts.sent + pb.counts.sent).toBe(30);
    expect(pa.counts.skipped + pb.counts.skipped).toBe(30);
    for (const person of people) expect((await sim.client.messages(person.openid)).total).toBe(1);
    const exempt = await launch(brand, { ...body('service'), frequencyCapExempt: true });
    expect((await finished(brand, exempt)).counts.sent).toBe(30);
  });

  it("WeCom's own limit: a contact gets at most 4 broadcasts a day, the rest are skipped as wecom_limit", async () => {
    const brand = await brandWithCorp();
    const people = await contacts(brand, 3);
    const body = (name: string) => ({
      name,
      channel: 'wecom_single',
      audience: { kind: 'list', memberIds: people.map((p) => p.id) },
      message: { text: name },
      frequencyCapExempt: true, // only WeCom's limit stops these
    });
    for (let i = 1; i <= 4; i++) {
      const p = await finished(brand, await launch(brand, body(`第 ${i} 条`)));
      expect(p.counts).toMatchObject({ sent: 3, skipped: 0 });
    }
    const fifth = await finished(brand, await launch(brand, body('第 5 条')));
    expect(fifth.counts).toMatchObject({ sent: 0, skipped: 3 });
    expect(fifth.reasons).toEqual([{ status: 'skipped', reason: 'wecom_limit', count: 3 }]);
    for (const person of people) expect((await sim.client.messages(person.ext)).total).toBe(4);
  });

  it('quiet hours hold the campaign (nothing sent), and it is sent once they end', async () => {
    const brand = await brandWithCorp();
    const local = new Date(Date.now() + 8 * 3_600_000); // the test brand is in Asia/Shanghai
    const hh = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:00`;
    await api(brand)
      .patch('/v1/brand', {
        quietHoursStart: hh(new Date(local.getTime() - 3_600_000)),
        quietHoursEnd: hh(new Date(local.getTime() + 2 * 3_600_000)),
      })
      .expect(200);
    const app = await oaApp(brand);
    const people = await oaMembers(brand, 5, app.appId);
    const id = await launch(brand, {
      name: 'night',
      channel: 'oa',
      oaAppId: app.id,
      audience: { kind: 'list', memberIds: people.map((p) => p.id) },
      message: { oa: TEMPLATE },
    });
    const held = await waitFor(
      async () => {
        const c = (await api(brand).get(`/v1/campaigns/${id}`).expect(200)).body;
        return c.heldUntil ? c : undefined;
      },
      30_000,
      'the campaign to be held',
    );
    expect(held.status).toBe('sending');
    const p = (await api(brand).get(`/v1/campaigns/${id}/progress`).expect(200)).body;
    expect(p.counts).toMatchObject({ pending: 5, sent: 0 });
    expect((await sim.client.stats()).messages.total).toBe(0);
    await api(brand).patch('/v1/brand', { quietHoursStart: null, quietHoursEnd: null }).expect(200);
    expect((await finished(brand, id)).counts.sent).toBe(5);
    const after = (await api(brand).get(`/v1/campaigns/${id}`).expect(200)).body;
    expect(after.heldUntil).toBeNull();
  });

  it('pause and resume mid-send; cancel cancels the WeCom task and sends nothing more', async () => {
    const brand = await brandWithCorp();
    const app = await oaApp(brand);
    const people = await oaMembers(brand, 400, app.appId);
    await sim.client.faults([{ path: 'message/template/send', latencyMs: 30, rate: 1 }], 1);
    const id = await launch(brand, {
      name: 'pause',
      channel: 'oa',
      oaAppId: app.id,
      audience: { kind: 'list', memberIds: people.map((p) => p.id) },
      message: { oa: TEMPLATE },
    });
    await waitFor(
      async () => ((await sim.client.stats()).messages.total > 0 ? true : undefined),
      30_000,
      'first sends',
    );
    await api(brand).post(`/v1/campaigns/${id}/pause`).expect(200);
    // Calls in flight finish and are recorded; the claimed rows not reached are released.
    const paused = await waitFor(
      async () => {
        const [{ sending, sent }] = await ds.query(
          `SELECT count(*) FILTER (WHERE status = 'sending')::int AS sending,
                  count(*) FILTER (WHERE status = 'sent')::int AS sent
             FROM campaign_deliveries WHERE campaign_id = $1`,
          [id],
        );
        const total = (await sim.client.stats()).messages.total;
        return sending === 0 && total === sent ? total : undefined;
      },
      30_000,
      'the calls in flight to finish',
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await sim.client.stats()).messages.total).toBe(paused);
    expect(paused).toBeLessThan(400);
    await sim.client.clearFaults();
    await api(brand).post(`/v1/campaigns/${id}/resume`).expect(200);
    expect((await finished(brand, id)).counts.sent).toBe(400);
    expect((await sim.client.stats()).duplicates.recipients).toBe(0);

    // Cancel a 1:1 broadcast staff have not confirmed: the WeCom task is cancelled.
    await sim.client.config({ confirmMode: 'manual' });
    const people2 = await contacts(brand, 3);
    const c2 = await launch(brand, {
      name: 'to cancel',
      channel: 'wecom_single',
      audience: { kind: 'list', memberIds: people2.map((p) => p.id) },
      message: { text: '周末特卖' },
    });
    await waitFor(
      async () => {
        const p = (await api(brand).get(`/v1/campaigns/${c2}/progress`).expect(200)).body;
        return p.counts.submitted === 3 ? true : undefined;
      },
      30_000,
      'the task to be submitted',
    );
    await api(brand).post(`/v1/campaigns/${c2}/cancel`).expect(200);
    const p2 = await finished(brand, c2);
    expect(p2).toMatchObject({
      status: 'cancelled',
      counts: { cancelled: 3, sent: 0 },
      tasks: { cancelled: 1 },
    });
    expect((await sim.client.stats()).apis['externalcontact/cancel_groupmsg_send']).toMatchObject({ ok: 1 });
    await api(brand).post(`/v1/campaigns/${c2}/resume`).expect(409);
  });

  it('a WeCom call cut off mid-way is never re-sent on its own: outcome_unknown, resent only when asked', async () => {
    const brand = await brandWithCorp();
    const people = await contacts(brand, 3);
    await sim.client.faults(
      [{ path: 'add_msg_template', outage: { durationMs: 60_000, mode: 'refuse' } }],
      1,
    );
    const id = await launch(brand, {
      name: 'cut off',
      channel: 'wecom_single',
      audience: { kind: 'list', memberIds: people.map((p) => p.id) },
      message: { text: '周末特卖' },
    });
    const p = await finished(brand, id);
    expect(p).toMatchObject({ status: 'completed', counts: { failed: 3, sent: 0 }, tasks: { unknown: 1 } });
    expect(p.reasons).toEqual([{ status: 'failed', reason: 'outcome_unknown', count: 3 }]);
    await sim.client.clearFaults();
    await api(brand).post(`/v1/campaigns/${id}/resend`, {}).expect(409);
    const resent = await api(brand).post(`/v1/campaigns/${id}/resend`, { includeUnknown: true }).expect(200);
    expect(resent.body.requeued).toBe(3);
    expect((await finished(brand, id)).counts).toMatchObject({ sent: 3, failed: 0 });
    for (const person of people) expect((await sim.client.messages(person.ext)).total).toBe(1);
  });

  it('a worker that died during add_msg_template: its task is unknown and its rows are not sent again', async () => {
    const brand = await brandWithCorp();
    const people = await contacts(brand, 2);
    const draft = await api(brand)
      .post('/v1/campaigns', {
        name: 'died',
        channel: 'wecom_single',
        audience: { kind: 'list', memberIds: people.map((p) => p.id) },
        message: { text: 'hi' },
      })
      .expect(201);
    const id = draft.body.id as string;
    // The state a SIGKILL during the call leaves: rows claimed under a task still `submitting`, the
    // lease over, and no job in Redis (the reconciler must find the open chunk).
    await ds.query(`UPDATE campaigns SET status = 'sending', started_at = now() WHERE id = $1`, [id]);
    const [task] = await ds.query(
      `INSERT INTO campaign_tasks (campaign_id, brand_id, kind, sender, deadline)
       VALUES ($1, $2, 'wecom_single', 'staff-a', now() + interval '1 day') RETURNING id`,
      [id, brand.id],
    );
    await ds.query(
      `INSERT INTO campaign_deliveries (campaign_id, brand_id, recipient_key, member_id, address, sender, status,
                                        attempts, claimed_at, lease_until, task_id)
       SELECT $1, $2, x.id, x.id, x.ext, 'staff-a', 'sending', 1, now() - interval '1 minute', now() - interval '1 second', $3
         FROM unnest($4::uuid[], $5::text[]) AS x(id, ext)`,
      [id, brand.id, task.id, people.map((p) => p.id), people.map((p) => p.ext)],
    );
    await ds.query(
      `INSERT INTO campaign_chunks (campaign_id, chunk_no, first_id, last_id, total)
       SELECT $1, 0, min(id), max(id), count(*) FROM campaign_deliveries WHERE campaign_id = $1`,
      [id],
    );
    // No worker in this process runs the periodic pass: run it once, as the worker's scheduler would.
    const { Reconciler } = await import('@siyu/platform');
    const report = await t.app.get(Reconciler).reconcile();
    expect(report.bySource.campaigns.enqueued).toBeGreaterThanOrEqual(1);
    const p = await finished(brand, id);
    expect(p).toMatchObject({ status: 'completed', counts: { failed: 2 }, tasks: { unknown: 1 } });
    expect(p.reasons).toEqual([{ status: 'failed', reason: 'outcome_unknown', count: 2 }]);
    for (const person of people) expect((await sim.client.messages(person.ext)).total).toBe(0);
    expect((await sim.client.stats()).apis['externalcontact/add_msg_template']).toBeUndefined();
  });

  it('OA rows whose worker died mid-send: subscribe (no client_msg_id) is outcome_unknown, template is re-sent', async () => {
    const brand = await brandWithCorp();
    const app = await oaApp(brand);
    const people = await oaMembers(brand, 4, app.appId);
    const subscribe = { kind: 'subscribe', templateId: 'TPL_sub', data: { thing1: { value: '到货提醒' } } };
    const draft = await api(brand)
      .post('/v1/campaigns', {
        name: 'died mid-send',
        channel: 'oa',
        oaAppId: app.id,
        audience: { kind: 'list', memberIds: people.map((p) => p.id) },
        variants: [
          { name: 'subscribe', weight: 50, message: { oa: subscribe } },
          { name: 'template', weight: 50, message: { oa: TEMPLATE } },
        ],
      })
      .expect(201);
    const id = draft.body.id as string;
    // What a SIGKILL mid-send leaves: rows `sending` past their lease, and no job in Redis.
    await ds.query(`UPDATE campaigns SET status = 'sending', started_at = now() WHERE id = $1`, [id]);
    await ds.query(
      `INSERT INTO campaign_deliveries (campaign_id, brand_id, recipient_key, member_id, address, variant, status,
                                        attempts, claimed_at, lease_until)
       SELECT $1, $2, x.id, x.id, x.openid, x.variant, 'sending', 1, now() - interval '1 minute', now() - interval '1 second'
         FROM unnest($3::uuid[], $4::text[], $5::smallint[]) AS x(id, openid, variant)`,
      [id, brand.id, people.map((p) => p.id), people.map((p) => p.openid), [0, 0, 1, 1]],
    );
    await ds.query(
      `INSERT INTO campaign_chunks (campaign_id, chunk_no, first_id, last_id, total)
       SELECT $1, 0, min(id), max(id), count(*) FROM campaign_deliveries WHERE campaign_id = $1`,
      [id],
    );
    const { Reconciler } = await import('@siyu/platform');
    await t.app.get(Reconciler).reconcile();
    const p = await finished(brand, id);
    expect(p).toMatchObject({ status: 'completed', counts: { failed: 2, sent: 2 } });
    expect(p.reasons).toEqual([{ status: 'failed', reason: 'outcome_unknown', count: 2 }]);
    for (const person of people.slice(0, 2)) expect((await sim.client.messages(person.openid)).total).toBe(0);
    for (const person of people.slice(2)) expect((await sim.client.messages(person.openid)).total).toBe(1);
    const resent = await api(brand).post(`/v1/campaigns/${id}/resend`, { includeUnknown: true }).expect(200);
    expect(resent.body.requeued).toBe(2);
    expect((await finished(brand, id)).counts).toMatchObject({ sent: 4, failed: 0 });
    for (const person of people) expect((await sim.client.messages(person.openid)).total).toBe(1);
  });

  it("schedules in the brand's zone, across a DST switch in America/Los_Angeles, and streams progress", async () => {
    const brand = await brandWithCorp();
    await api(brand).patch('/v1/brand', { timeZone: 'America/Los_Angeles' }).expect(200);
    const app = await oaApp(brand);
    const people = await oaMembers(brand, 3, app.appId);
    const body = {
      name: 'spring',
      channel: 'oa',
      oaAppId: app.id,
      audience: { kind: 'list', memberIds: people.map((p) => p.id) },
      message: { oa: TEMPLATE },
    };
    const future = await api(brand).post('/v1/campaigns', body).expect(201);
    const gap = await api(brand)
      .post(`/v1/campaigns/${future.body.id}/schedule`, { at: '2027-03-14T02:30' })
      .expect(200);
    expect(gap.body.schedule).toEqual({
      sendAt: '2027-03-14T10:30:00.000Z',
      sendAtLocal: '2027-03-14T03:30:00',
      timeZone: 'America/Los_Angeles',
      adjustment: 'skipped_forward',
      memberTimeZone: false,
    });
    await api(brand).post(`/v1/campaigns/${future.body.id}/unschedule`).expect(200);
    const after = await api(brand)
      .post(`/v1/campaigns/${future.body.id}/schedule`, { at: '2027-03-14T10:00' })
      .expect(200);
    expect(after.body.schedule.sendAt).toBe('2027-03-14T17:00:00.000Z'); // PDT, UTC-7
    const shanghai = await api(brand).post('/v1/campaigns', body).expect(201);
    const sh = await api(brand)
      .post(`/v1/campaigns/${shanghai.body.id}/schedule`, {
        at: '2027-03-14T10:00',
        timeZone: 'Asia/Shanghai',
      })
      .expect(200);
    expect(sh.body.schedule.sendAt).toBe('2027-03-14T02:00:00.000Z');
    const past = await api(brand).post('/v1/campaigns', body).expect(201);
    const refused = await api(brand)
      .post(`/v1/campaigns/${past.body.id}/schedule`, { at: '2020-01-01T10:00' })
      .expect(400);
    expect(refused.body.errors[0].field).toBe('at');

    // Now, watched through the server-sent events stream until it completes.
    await api(brand).post(`/v1/campaigns/${past.body.id}/schedule`, {}).expect(200);
    const stream = await t
      .http()
      .get(`/v1/campaigns/${past.body.id}/progress/stream`)
      .set(bearer(brand.owner.token))
      .buffer(true)
      .parse((res, cb) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => cb(null, text));
      })
      .expect(200);
    expect(stream.headers['content-type']).toContain('text/event-stream');
    const events = String(stream.body)
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => JSON.parse(l.slice(6)));
    expect(events.length).toBeGreaterThan(0);
    expect(events[events.length - 1]).toMatchObject({ status: 'completed', counts: { sent: 3 } });
  });

  it("sends at each member's own local time; a merge moves the deliveries, which the timeline shows", async () => {
    const brand = await brandWithCorp(); // Asia/Shanghai, UTC+8
    const app = await oaApp(brand);
    const [tokyo, local, la, kiritimati] = await oaMembers(brand, 4, app.appId);
    for (const [m, zone] of [
      [tokyo, 'Asia/Tokyo'],
      [la, 'America/Los_Angeles'],
    ] as const) {
      const res = await api(brand)
        .post('/v1/members', { identities: { openid: m.openid, appId: app.appId }, timeZone: zone })
        .expect(200);
      expect(res.body.timeZone).toBe(zone);
    }
    const bad = await api(brand)
      .post('/v1/members', { identities: { openid: tokyo.openid, appId: app.appId }, timeZone: 'Mars/Base' })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('timeZone');

    // Tokyo's wall-clock time a few seconds from now: Tokyo (UTC+9) gets it first, the brand's
    // zone (for the member without one) an hour later, Los Angeles 16–17 hours later.
    const wall = new Date(Date.now() + 4_000 + 9 * 3_600_000).toISOString().slice(0, 19);
    const wallAsUtc = Date.parse(`${wall}Z`);
    const body = {
      name: 'local time',
      channel: 'oa',
      oaAppId: app.id,
      audience: { kind: 'list', memberIds: [tokyo.id, local.id, la.id, kiritimati.id] },
      message: { oa: TEMPLATE },
    };
    const created = await api(brand).post('/v1/campaigns', body).expect(201);
    const id = created.body.id as string;
    const noAt = await api(brand).post(`/v1/campaigns/${id}/schedule`, { memberTimeZone: true }).expect(400);
    expect(noAt.body.errors[0].field).toBe('at');
    const res = await api(brand)
      .post(`/v1/campaigns/${id}/schedule`, { at: wall, memberTimeZone: true })
      .expect(200);
    expect(res.body.schedule).toMatchObject({ memberTimeZone: true, timeZone: 'Asia/Shanghai' });
    expect(Date.parse(res.body.schedule.sendAt)).toBe(wallAsUtc - 9 * 3_600_000);
    expect(res.body.schedule.zones.map((z: { timeZone: string }) => z.timeZone)).toEqual([
      'Asia/Tokyo',
      'Asia/Shanghai',
      'America/Los_Angeles',
    ]);
    // Set after scheduling: in UTC+14 that wall time passed five hours before the campaign starts.
    await api(brand)
      .post('/v1/members', {
        identities: { openid: kiritimati.openid, appId: app.appId },
        timeZone: 'Pacific/Kiritimati',
      })
      .expect(200);

    const p = await waitFor(
      async () => {
        const q = (await api(brand).get(`/v1/campaigns/${id}/progress`).expect(200)).body as Progress;
        return q.counts.sent === 1 ? q : undefined;
      },
      30_000,
      'the Tokyo member to be sent',
    );
    expect(p.status).toBe('sending');
    expect(p.counts).toMatchObject({ sent: 1, skipped: 1, pending: 2 });
    expect(p.reasons).toEqual([{ status: 'skipped', reason: 'local_time_passed', count: 1 }]);
    expect((await sim.client.messages(tokyo.openid)).total).toBe(1);
    const rows: Array<{ member_id: string; status: string; not_before: Date | null; time_zone: string }> =
      await ds.query(
        `SELECT member_id, status, not_before, time_zone FROM campaign_deliveries WHERE campaign_id = $1`,
        [id],
      );
    const row = (m: { id: string }) => rows.find((r) => r.member_id === m.id);
    expect(row(local)).toMatchObject({ status: 'pending', time_zone: 'Asia/Shanghai' });
    expect(row(local)?.not_before?.getTime()).toBe(wallAsUtc - 8 * 3_600_000);
    expect(row(la)).toMatchObject({ status: 'pending', time_zone: 'America/Los_Angeles' });
    // Independently of the code under test: LA's not_before, shown in LA, is the wall time.
    const inLa = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'America/Los_Angeles',
      dateStyle: 'short',
      timeStyle: 'medium',
    }).format(row(la)?.not_before as Date);
    expect(inLa.replace(' ', 'T')).toBe(wall);
    expect(row(kiritimati)).toMatchObject({ status: 'skipped', time_zone: 'Pacific/Kiritimati' });
    // Nothing else goes out before its time.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await sim.client.stats()).messages.total).toBe(1);

    // Merged into the LA member: the Tokyo delivery is now the survivor's, on its timeline.
    await api(brand).post('/v1/members/merge', { survivorId: la.id, mergedId: tokyo.id }).expect(200);
    const [moved] = await ds.query(
      `SELECT member_id FROM campaign_deliveries WHERE campaign_id = $1 AND address = $2`,
      [id, tokyo.openid],
    );
    expect(moved.member_id).toBe(la.id);
    const timeline = await api(brand).get(`/v1/members/${la.id}/timeline?limit=50`).expect(200);
    expect(timeline.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'campaign.sent', data: expect.objectContaining({ campaignId: id }) }),
      ]),
    );
    await api(brand).post(`/v1/campaigns/${id}/cancel`).expect(200);
  });

  it("bad input is a 4xx naming the field; another brand's campaign is a 404", async () => {
    const a = await brandWithCorp();
    const b = await f.createBrand(t.app);
    const invalid = await api(a)
      .post('/v1/campaigns', { name: '', channel: 'fax', audience: { kind: 'list', memberIds: ['x'] } })
      .expect(400);
    expect(invalid.headers['content-type']).toContain('application/problem+json');
    expect(invalid.body.errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['name', 'channel', 'audience.memberIds']),
    );
    const wrongAudience = await api(a)
      .post('/v1/campaigns', {
        name: 'x',
        channel: 'wecom_single',
        audience: { kind: 'groups', all: true },
        message: { text: 'hi' },
      })
      .expect(422);
    expect(wrongAudience.body.errors[0].field).toBe('audience.kind');
    const tooLong = await api(a)
      .post('/v1/campaigns', {
        name: 'x',
        channel: 'wecom_single',
        audience: { kind: 'list', memberIds: [randomUUID()] },
        message: { text: '字'.repeat(1400) },
      })
      .expect(422);
    expect(tooLong.body.errors[0].field).toBe('message.text');
    const noLinks = await api(a)
      .post('/v1/campaigns', {
        name: 'x',
        channel: 'wecom_single',
        audience: { kind: 'list', memberIds: [randomUUID()] },
        message: { text: `{{link:${randomUUID()}}}` },
      })
      .expect(422);
    // The conversions lib resolves {{link:…}}: an id that is not one of the brand's tracked links is refused.
    expect(noLinks.body.errors[0].message).toMatch(/no such tracked link/);
    const created = await api(a)
      .post('/v1/campaigns', {
        name: 'mine',
        channel: 'wecom_single',
        audience: { kind: 'list', memberIds: [randomUUID()] },
        message: { text: 'hi' },
      })
      .expect(201);
    for (const path of ['', '/progress', '/deliveries'])
      await api(b).get(`/v1/campaigns/${created.body.id}${path}`).expect(404);
    await api(b).post(`/v1/campaigns/${created.body.id}/schedule`, {}).expect(404);
    await api(b).post(`/v1/campaigns/${created.body.id}/cancel`).expect(404);
    expect((await api(b).get('/v1/campaigns').expect(200)).body.items).toEqual([]);
    const count = await ds.query(`SELECT count(*)::int AS n FROM campaigns WHERE brand_id = $1`, [a.id]);
    expect(count[0].n).toBe(1);
  });
});
