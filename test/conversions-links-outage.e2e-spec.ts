import { createServer, Server, Socket } from 'node:net';
import { ClickDrainer, ConversionsWorkerModule } from '@siyu/conversions';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';
import { freePort, spawnApp, Spawned, waitFor } from './support/processes';

const BROWSER =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15';

/** A TCP pass-through to Postgres that can be cut: the child API's only way to its database. */
class PgProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();

  constructor(readonly port: number) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(5432, '127.0.0.1');
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  /** Postgres becomes unreachable: open connections drop, new ones are refused. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
  }
}

describe('the redirect while Postgres is unreachable (e2e, API child process behind a cut-able proxy)', () => {
  let t: TestApp;
  let ds: DataSource;
  let proxy: PgProxy;
  let api: Spawned;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp(ConversionsWorkerModule);
    ds = t.app.get(DataSource);
    proxy = new PgProxy(await freePort());
    await proxy.start();
    const port = await freePort();
    const db = new URL(process.env.DATABASE_URL as string);
    db.port = String(proxy.port);
    api = spawnApp('api', {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: db.toString(),
      LINK_LOOKUP_TIMEOUT_MS: '200',
      LOG_LEVEL: 'warn',
    });
    base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => ((await fetch(`${base}/health`).catch(() => undefined))?.ok ? true : undefined),
      60_000,
      'the API child',
    );
  });
  afterAll(async () => {
    await api?.stop();
    await proxy?.cut();
    await t?.close();
  });

  const visit = (code: string) =>
    fetch(`${base}/r/${code}`, {
      redirect: 'manual',
      headers: { 'user-agent': BROWSER, 'x-forwarded-for': '192.0.2.77' },
    });

  async function link(brand: TestBrand, path: string): Promise<{ id: string; code: string }> {
    const res = await fetch(`${base}/v1/links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${brand.owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ destination: `https://shop.example.com/${path}`, utm: { source: 'wecom' } }),
    });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; code: string };
  }

  it('answers known codes from its cache (in-process, then Redis) and logs the clicks; unknown codes get 503, not a hang', async () => {
    const brand = await createBrand(t.app);
    await t
      .http()
      .put('/v1/conversion-settings')
      .set('authorization', `Bearer ${brand.owner.token}`)
      .send({ allowedDomains: ['shop.example.com'] })
      .expect(200);
    const warm = await link(brand, 'warm');
    const shared = await link(brand, 'shared');
    // `warm` is visited on the child (its in-process cache); `shared` only on the in-process app,
    // which leaves it in Redis for every API process.
    expect((await visit(warm.code)).status).toBe(302);
    await t.http().get(`/r/${shared.code}`).set('user-agent', 'curl/8.5.0').expect(302);

    await proxy.cut();
    const down = await fetch(`${base}/health`).catch(() => undefined);
    expect(down?.ok).not.toBe(true);

    const a = await visit(warm.code);
    expect(a.status).toBe(302);
    expect(a.headers.get('location')).toBe('https://shop.example.com/warm?utm_source=wecom');
    const b = await visit(shared.code);
    expect(b.status).toBe(302);
    expect(b.headers.get('location')).toBe('https://shop.example.com/shared?utm_source=wecom');
    // Nothing cached and no database to ask: the redirect says so instead of hanging or 500ing.
    const unknown = await visit('QQQQQQQQQQ');
    expect(unknown.status).toBe(503);
    expect(unknown.headers.get('retry-after')).toBe('5');

    // The clicks made during the outage travelled through Redis and land once a drainer runs.
    await api.stop();
    await t.app.get(ClickDrainer).drain();
    await t.app.get(ClickDrainer).drain();
    const rows: Array<{ link_id: string }> = await ds.query(
      `SELECT link_id FROM link_clicks WHERE link_id = ANY($1::uuid[])`,
      [[warm.id, shared.id]],
    );
    expect(rows.map((r) => r.link_id).sort()).toEqual([warm.id, shared.id].sort());
  });
});
