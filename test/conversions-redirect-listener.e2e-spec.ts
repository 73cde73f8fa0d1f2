import { ClickDrainer, ClickRecorder, ConversionsWorkerModule } from '@siyu/conversions';
import { validateEnvironment } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';
import { freePort, spawnApp, Spawned, waitFor, waitUntil } from './support/processes';

const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

/**
 * GET /r/:code on its own listener (REDIRECT_PORT) of an API child process: the same answers and
 * click logging as the API's route. Links are made and clicks drained by the in-process app on the
 * same database and Redis prefix.
 */
describe('the redirect on its own listener, REDIRECT_PORT (e2e, API child process)', () => {
  let t: TestApp;
  let ds: DataSource;
  let api: Spawned;
  let apiBase: string;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp(ConversionsWorkerModule);
    ds = t.app.get(DataSource);
    const [port, redirectPort] = [await freePort(), await freePort()];
    api = spawnApp('api', {
      PORT: String(port),
      REDIRECT_PORT: String(redirectPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    apiBase = `http://127.0.0.1:${port}`;
    base = `http://127.0.0.1:${redirectPort}`;
    await waitFor(
      async () => ((await fetch(`${apiBase}/health`).catch(() => undefined))?.ok ? true : undefined),
      60_000,
      'the API child',
    );
  });
  afterAll(async () => {
    await api?.stop();
    await t?.close();
  });

  const auth = (b: TestBrand) => ({ authorization: `Bearer ${b.owner.token}` });

  async function linkTo(destination: string, utm?: Record<string, string>) {
    const b = await createBrand(t.app);
    await t
      .http()
      .put('/v1/conversion-settings')
      .set(auth(b))
      .send({ allowedDomains: ['shop.example.com'] })
      .expect(200);
    const res = await t.http().post('/v1/links').set(auth(b)).send({ destination, utm }).expect(201);
    return { brand: b, id: res.body.id as string, code: res.body.code as string };
  }

  const visit = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, { redirect: 'manual', headers });
  const click = (code: string, ip: string, ua = BROWSER) =>
    visit(`/r/${code}`, { 'user-agent': ua, 'x-forwarded-for': ip });

  /** Drains the stream until the link has `n` clicks (the child flushes its buffer every 100 ms). */
  async function clicksOf(linkId: string, n: number): Promise<Array<{ ip_hash: string }>> {
    const read = (): Promise<Array<{ ip_hash: string }>> =>
      ds.query(`SELECT ip_hash FROM link_clicks WHERE link_id = $1 ORDER BY ip_hash`, [linkId]);
    await waitUntil(
      async () => {
        await t.app.get(ClickDrainer).drain();
        return (await read()).length >= n;
      },
      30_000,
      `${n} clicks`,
    );
    // one more drain: nothing beyond n may arrive
    await new Promise((r) => setTimeout(r, 300));
    await t.app.get(ClickDrainer).drain();
    return read();
  }

  it('redirects with UTM appended, like the API port, and answers plain 404 pages for the rest', async () => {
    const link = await linkTo('https://shop.example.com/p/1?color=red#reviews', {
      source: 'wecom',
      medium: 'group',
    });
    const res = await click(link.code, '203.0.113.9');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(
      'https://shop.example.com/p/1?color=red&utm_source=wecom&utm_medium=group#reviews',
    );
    expect(res.headers.get('cache-control')).toContain('no-store');
    // the API's own port still serves the same route with the same answer
    const viaApi = await fetch(`${apiBase}/r/${link.code}`, { redirect: 'manual' });
    expect(viaApi.status).toBe(302);
    expect(viaApi.headers.get('location')).toBe(res.headers.get('location'));

    for (const path of ['/r/ZZZZZZZZZZ', '/r/not-a-code!', '/v1/links', '/']) {
      const missing = await visit(path);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('text/html');
      expect(await missing.text()).toContain('does not exist');
    }
    // only the redirect lives here: the API's routes are not reachable through this port
    expect((await visit('/metrics')).status).toBe(404);
    const health = await visit('/health');
    expect(health.status).toBe(200);
  });

  it('counts human clicks once per forwarded address per hour and never bots', async () => {
    const link = await linkTo('https://shop.example.com/sale');
    for (const ip of ['198.51.100.7', '198.51.100.7', '198.51.100.8'])
      expect((await click(link.code, ip)).status).toBe(302);
    expect((await click(link.code, '198.51.100.9', GOOGLEBOT)).status).toBe(302);
    expect((await visit(`/r/${link.code}`, { 'x-forwarded-for': '198.51.100.10' })).status).toBe(302);
    const rows = await clicksOf(link.id, 2);
    // two distinct forwarded addresses (loopback is the trusted proxy), hashed as the API port hashes them
    const recorder = t.app.get(ClickRecorder);
    expect(rows.map((r) => r.ip_hash)).toEqual(
      [recorder.hashIp('198.51.100.7'), recorder.hashIp('198.51.100.8')].sort(),
    );
    const stats = await t.http().get(`/v1/links/${link.id}`).set(auth(link.brand)).expect(200);
    expect(stats.body.stats).toMatchObject({ clicks: 2, visitors: 2 });
  });

  it('observes its redirects in the API’s latency histogram under the route pattern', async () => {
    const link = await linkTo('https://shop.example.com/m');
    const count = async (route: string, status: number) => {
      const text = await (await fetch(`${apiBase}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith('http_request_duration_seconds_count{') &&
            l.includes(`route="${route}"`) &&
            l.includes(`status_code="${status}"`),
        );
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const [redirects, unknownCodes, unmatched] = [
      await count('/r/:code', 302),
      await count('/r/:code', 404),
      await count('unmatched', 404),
    ];
    for (let i = 0; i < 3; i++) expect((await click(link.code, `192.0.2.${i}`)).status).toBe(302);
    expect((await visit('/r/not-a-code!')).status).toBe(404);
    expect((await visit('/no/such/path')).status).toBe(404);
    // each response observed once, under its route pattern (paths no route matches: `unmatched`)
    expect(await count('/r/:code', 302)).toBe(redirects + 3);
    expect(await count('/r/:code', 404)).toBe(unknownCodes + 1);
    expect(await count('unmatched', 404)).toBe(unmatched + 1);
  });

  it('refuses a REDIRECT_PORT that is not a port, naming it', () => {
    expect(validateEnvironment({}).REDIRECT_PORT).toBe(0);
    expect(validateEnvironment({ REDIRECT_PORT: '8081' }).REDIRECT_PORT).toBe(8081);
    expect(() => validateEnvironment({ REDIRECT_PORT: 'short' })).toThrow(/REDIRECT_PORT="short"/);
    expect(() => validateEnvironment({ REDIRECT_PORT: '70000' })).toThrow(/REDIRECT_PORT/);
  });
});
