import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
// Type-only: the app must load after wecom-sim is up (see startAppWithSim).
import type { TestBrand } from './factories/brand.factory';
import type { TestApp } from './harness';
import { spawnApp, Spawned, waitFor } from './support/processes';
import { flushPrefix } from './support/redis';
import { startAppWithSim } from './support/sim-app';
import type { SimProcess } from './support/wecom-sim';

type Progress = import('@siyu/campaigns').CampaignProgress;

const uniq = () => randomUUID().replace(/-/g, '').slice(0, 10);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const TEMPLATE = {
  kind: 'template',
  templateId: 'TPL_sale',
  data: { first: { value: '{{member.nickname}}，会员日' } },
};

/**
 * Invariants 1 and 2 with real processes: the API runs in-process, the campaign workers run as child
 * processes from dist/ (SIGKILLed mid-send), and the whole of this test's Redis keyspace is wiped
 * mid-send (every key under its prefix: what FLUSHALL does to it, without touching the other jest
 * workers' queues on the shared Redis). Each recipient must be in wecom-sim's records exactly once.
 */
describe('campaigns survive a killed worker and a flushed Redis (e2e, child processes)', () => {
  let t: TestApp;
  let sim: SimProcess;
  let ds: DataSource;
  let brand: TestBrand;
  let app: { id: string; appId: string };
  const workers: Spawned[] = [];

  const workerEnv = () => ({
    WECOM_BASE_URL: sim.url,
    WECHAT_BASE_URL: sim.url,
    LOG_LEVEL: 'info',
    CAMPAIGN_SEND_LEASE_MS: '3000',
    RECONCILE_INTERVAL_MS: '1000',
    CAMPAIGN_WORKER_CONCURRENCY: '4',
  });

  async function startWorker(): Promise<Spawned> {
    const w = spawnApp('worker', workerEnv());
    workers.push(w);
    await waitFor(
      async () => (w.output().includes('start-up reconcile pass done') ? true : undefined),
      60_000,
      `the worker to start (output: ${w.output().slice(-2000)})`,
    );
    return w;
  }

  beforeAll(async () => {
    ({ sim, t } = await startAppWithSim());
    ds = t.app.get(DataSource);
    const f = await import('./factories/brand.factory');
    brand = await f.createBrand(t.app);
    const appId = `wx${uniq()}`;
    const res = await t
      .http()
      .post('/v1/channels/oa-apps')
      .set(bearer(brand.owner.token))
      .send({ name: 'Service', appId, secret: 'sim-secret' })
      .expect(201);
    app = { id: res.body.id, appId };
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    await t?.close();
    await sim?.stop();
  });

  async function audience(n: number): Promise<string[]> {
    const tag = uniq();
    const rows: Array<{ id: string }> = await ds.query(
      `WITH m AS (
         INSERT INTO members (brand_id, nickname, source_channel)
         SELECT $1, '粉丝' || i, 'wechat_oa' FROM generate_series(1, $2) i RETURNING id)
       INSERT INTO member_identities (brand_id, member_id, kind, app_id, value)
       SELECT $1, m.id, 'openid', $3, 'o' || $4 || row_number() OVER () FROM m RETURNING member_id AS id`,
      [brand.id, n, app.appId, tag],
    );
    return rows.map((r) => r.id);
  }

  async function launch(audience: object): Promise<string> {
    const created = await t
      .http()
      .post('/v1/campaigns')
      .set(bearer(brand.owner.token))
      .send({
        name: `recovery ${uniq()}`,
        channel: 'oa',
        oaAppId: app.id,
        frequencyCapExempt: true,
        audience,
        message: { oa: TEMPLATE },
      })
      .expect(201);
    await t
      .http()
      .post(`/v1/campaigns/${created.body.id}/schedule`)
      .set(bearer(brand.owner.token))
      .send({})
      .expect(200);
    return created.body.id;
  }

  const progress = async (id: string) =>
    (await t.http().get(`/v1/campaigns/${id}/progress`).set(bearer(brand.owner.token)).expect(200))
      .body as Progress;

  /** Every recipient exactly once at the simulator, and the ledger complete. */
  async function expectExactlyOnce(id: string, n: number, before: { total: number }): Promise<void> {
    const p = await waitFor(
      async () => {
        const pr = await progress(id);
        return pr.status === 'completed' ? pr : undefined;
      },
      180_000,
      `campaign ${id} to complete`,
    );
    expect(p.counts).toMatchObject({ sent: n, pending: 0, retry: 0, sending: 0, failed: 0 });
    const ledger = await ds.query(
      `SELECT count(*)::int AS rows, count(DISTINCT address)::int AS addresses,
              count(*) FILTER (WHERE status = 'sent')::int AS sent
         FROM campaign_deliveries WHERE campaign_id = $1`,
      [id],
    );
    expect(ledger[0]).toEqual({ rows: n, addresses: n, sent: n });
    const stats = await sim.client.stats();
    expect(stats.duplicates).toMatchObject({ recipients: 0, extraDeliveries: 0 });
    expect(stats.messages.total - before.total).toBe(n);
    const sample: Array<{ address: string }> = await ds.query(
      `SELECT address FROM campaign_deliveries WHERE campaign_id = $1 ORDER BY random() LIMIT 25`,
      [id],
    );
    for (const { address } of sample) expect((await sim.client.messages(address)).total).toBe(1);
  }

  it('a worker SIGKILLed in the middle of a 20,000-recipient campaign: another finishes it, each recipient once', async () => {
    await sim.client.reset();
    await sim.client.faults([{ path: 'message/template/send', latencyMs: [1, 4], rate: 1 }], 3);
    const first = await startWorker();
    await audience(20_000);
    // The brand has these 20,000 members and no others: a segment of everyone.
    const segment = await t
      .http()
      .post('/v1/segments')
      .set(bearer(brand.owner.token))
      .send({ name: 'Everyone', rule: { all: [] } })
      .expect(201);
    expect(segment.body.memberCount).toBe(20_000);
    const id = await launch({ kind: 'segment', segmentId: segment.body.id });
    await waitFor(
      async () => ((await sim.client.stats()).messages.total >= 4_000 ? true : undefined),
      120_000,
      'the first worker to be well into the campaign',
    );
    await first.stop('SIGKILL');
    const atKill = await progress(id);
    expect(atKill.status).toBe('sending');
    expect(atKill.counts.sent).toBeLessThan(20_000);
    await startWorker();
    await expectExactlyOnce(id, 20_000, { total: 0 });
    // Rows the killed worker had sent but not recorded went out again under the same client_msg_id,
    // which WeChat (and the simulator) answer without sending twice.
    const stats = await sim.client.stats();
    expect(stats.apis['message/template/send'].ok).toBe(20_000 + stats.oaReplayed);
  }, 300_000);

  it("Redis loses this test's keys in the middle of a campaign: the reconciler re-enqueues, no duplicates", async () => {
    await sim.client.reset();
    await sim.client.faults([{ path: 'message/template/send', latencyMs: [1, 4], rate: 1 }], 4);
    if (!workers.some((w) => w.child.exitCode === null && w.child.signalCode === null)) await startWorker();
    const id = await launch({ kind: 'list', memberIds: await audience(10_000) });
    await waitFor(
      async () => ((await sim.client.stats()).messages.total >= 2_000 ? true : undefined),
      120_000,
      'the campaign to be sending',
    );
    const { REDIS, AppConfig } = await import('@siyu/platform');
    const deleted = await flushPrefix(t.app.get<Redis>(REDIS), t.app.get(AppConfig).get('QUEUE_PREFIX'));
    expect(deleted).toBeGreaterThan(0);
    expect((await progress(id)).status).toBe('sending');
    await expectExactlyOnce(id, 10_000, { total: 0 });
  }, 300_000);
});
