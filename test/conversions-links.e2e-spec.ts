import { randomUUID } from 'node:crypto';
import { CLICK_STREAM, ClickDrainer, ClickRecorder, ConversionsWorkerModule } from '@siyu/conversions';
import { AppConfig, REDIS } from '@siyu/platform';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';

const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe('tracked links and the redirect (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp(ConversionsWorkerModule);
    ds = t.app.get(DataSource);
  });
  afterAll(() => t?.close());

  const auth = (b: TestBrand) => ({ authorization: `Bearer ${b.owner.token}` });

  async function brandAllowing(...domains: string[]): Promise<TestBrand> {
    const b = await createBrand(t.app);
    await t.http().put('/v1/conversion-settings').set(auth(b)).send({ allowedDomains: domains }).expect(200);
    return b;
  }

  /** Whatever the redirects logged so far, written to link_clicks. */
  async function drainClicks(): Promise<void> {
    await t.app.get(ClickRecorder).flush();
    // A drain already under way may have read the stream before this flush: run one more after it.
    await t.app.get(ClickDrainer).drain();
    await t.app.get(ClickDrainer).drain();
  }

  const click = (code: string, ip: string, ua = BROWSER) =>
    t.http().get(`/r/${code}`).set('user-agent', ua).set('x-forwarded-for', ip);

  it('keeps an audited allowlist and refuses destinations outside it or not http(s), naming destination', async () => {
    const b = await brandAllowing('Shop.Example.com', 'aliexpress.com');
    const settings = await t.http().get('/v1/conversion-settings').set(auth(b)).expect(200);
    expect(settings.body).toEqual({
      allowedDomains: ['aliexpress.com', 'shop.example.com'],
      attributionWindowDays: 7,
    });
    const audit = await t
      .http()
      .get('/v1/audit-log?action=conversion_settings.updated')
      .set(auth(b))
      .expect(200);
    expect(audit.body.items[0].after.allowedDomains).toEqual(['aliexpress.com', 'shop.example.com']);

    const bad = await t
      .http()
      .put('/v1/conversion-settings')
      .set(auth(b))
      .send({ allowedDomains: ['ok.com', 'not a domain'] })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('allowedDomains[1]');

    for (const destination of [
      'https://evil.example.net/landing',
      'https://shop.example.com.evil.net/',
      'https://shop.example.com@evil.net/',
      'javascript:alert(1)',
      'ftp://shop.example.com/file',
      '/relative/path',
    ]) {
      const res = await t.http().post('/v1/links').set(auth(b)).send({ destination }).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors[0].field).toBe('destination');
    }
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM tracked_links WHERE brand_id = $1`, [
      b.id,
    ]);
    expect(n).toBe(0);

    // Subdomains of an allowed domain pass.
    await t
      .http()
      .post('/v1/links')
      .set(auth(b))
      .send({ destination: 'https://m.aliexpress.com/item/100500.html' })
      .expect(201);
  });

  it('creates links with unguessable codes, lists them newest first and hides another brand’s', async () => {
    const b = await brandAllowing('shop.example.com');
    const other = await brandAllowing('shop.example.com');
    const made: Array<{ id: string; code: string; shortUrl: string }> = [];
    for (let i = 0; i < 3; i++) {
      const res = await t
        .http()
        .post('/v1/links')
        .set(auth(b))
        .send({ destination: `https://shop.example.com/p/${i}`, name: `p${i}`, utm: { source: 'wecom' } })
        .expect(201);
      made.push(res.body);
    }
    for (const l of made) {
      expect(l.code).toMatch(/^[0-9A-Za-z]{10}$/);
      expect(l.shortUrl).toMatch(new RegExp(`/r/${l.code}$`));
    }
    expect(new Set(made.map((l) => l.code)).size).toBe(3);

    const page1 = await t.http().get('/v1/links?limit=2').set(auth(b)).expect(200);
    expect(page1.body.items.map((l: { id: string }) => l.id)).toEqual([made[2].id, made[1].id]);
    const page2 = await t
      .http()
      .get(`/v1/links?limit=2&cursor=${page1.body.nextCursor}`)
      .set(auth(b))
      .expect(200);
    expect(page2.body.items.map((l: { id: string }) => l.id)).toEqual([made[0].id]);
    expect(page2.body.nextCursor).toBeNull();

    const got = await t.http().get(`/v1/links/${made[0].id}`).set(auth(b)).expect(200);
    expect(got.body).toMatchObject({ id: made[0].id, utm: { source: 'wecom' }, stats: { clicks: 0 } });
    await t.http().get(`/v1/links/${made[0].id}`).set(auth(other)).expect(404);
    expect((await t.http().get('/v1/links').set(auth(other)).expect(200)).body.items).toEqual([]);

    // A binding to another brand's campaign or group is refused, naming the field.
    const res = await t
      .http()
      .post('/v1/links')
      .set(auth(b))
      .send({ destination: 'https://shop.example.com/', groupId: randomUUID(), campaignVariant: 1 })
      .expect(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'campaignVariant',
      'groupId',
    ]);
  });

  it('redirects with UTM appended to the destination’s own query, and 404s an unknown code with a page', async () => {
    const b = await brandAllowing('shop.example.com');
    const link = await t
      .http()
      .post('/v1/links')
      .set(auth(b))
      .send({
        destination: 'https://shop.example.com/p/1?color=red%20tea&utm_source=store#reviews',
        utm: { source: 'wecom', medium: 'group', campaign: '双十一' },
      })
      .expect(201);
    const res = await click(link.body.code, '203.0.113.9').expect(302);
    expect(res.headers.location).toBe(
      'https://shop.example.com/p/1?color=red%20tea&utm_source=store&utm_medium=group&utm_campaign=%E5%8F%8C%E5%8D%81%E4%B8%80#reviews',
    );
    expect(res.headers['cache-control']).toContain('no-store');

    const missing = await t.http().get('/r/ZZZZZZZZZZ').expect(404);
    expect(missing.headers['content-type']).toContain('text/html');
    expect(missing.text).toContain('does not exist');
    await t.http().get('/r/not-a-code!').expect(404);
  });

  it('counts human clicks once per IP per hour, never bots, and records no raw IP', async () => {
    const b = await brandAllowing('shop.example.com');
    const link = await t
      .http()
      .post('/v1/links')
      .set(auth(b))
      .send({ destination: 'https://shop.example.com/sale' })
      .expect(201);
    const code: string = link.body.code;
    await click(code, '198.51.100.7').expect(302);
    await click(code, '198.51.100.7').expect(302);
    await click(code, '198.51.100.7').expect(302);
    await click(code, '198.51.100.8').expect(302);
    // Bots still get the redirect, but are not counted; nor is a request without a user agent.
    await click(code, '198.51.100.9', GOOGLEBOT).expect(302);
    await t.http().get(`/r/${code}`).set('x-forwarded-for', '198.51.100.10').expect(302);
    await drainClicks();

    const rows: Array<{ ip_hash: string; link_id: string; clicked_at: Date }> = await ds.query(
      `SELECT ip_hash, link_id, clicked_at FROM link_clicks WHERE link_id = $1`,
      [link.body.id],
    );
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.ip_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(r.ip_hash).not.toContain('198.51');
    }
    const stats = await t.http().get(`/v1/links/${link.body.id}`).set(auth(b)).expect(200);
    expect(stats.body.stats).toMatchObject({ clicks: 2, visitors: 2 });

    // The same IP again after the hour counts again: move the recorded click back in time.
    await ds.query(
      `UPDATE link_clicks SET clicked_at = clicked_at - interval '61 minutes' WHERE link_id = $1`,
      [link.body.id],
    );
    await click(code, '198.51.100.7').expect(302);
    await drainClicks();
    const after = await t.http().get(`/v1/links/${link.body.id}`).set(auth(b)).expect(200);
    expect(after.body.stats.clicks).toBe(3);
  });

  it('gives a browser a device cookie on its first human click and keeps it: its clicks from two addresses are one device; bots get none', async () => {
    const b = await brandAllowing('shop.example.com');
    const link = await t
      .http()
      .post('/v1/links')
      .set(auth(b))
      .send({ destination: 'https://shop.example.com/device' })
      .expect(201);
    const code: string = link.body.code;
    const first = await click(code, '198.51.100.20').expect(302);
    const setCookie = String(first.headers['set-cookie'] ?? '');
    const device = /sy_d=([0-9a-f-]{36})/.exec(setCookie)?.[1];
    expect(device).toBeDefined();
    expect(setCookie).toContain('Path=/r/');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    // The same browser from another address sends its cookie back: no new one, the same device.
    const again = await click(code, '198.51.100.21').set('cookie', `other=1; sy_d=${device}`).expect(302);
    expect(again.headers['set-cookie']).toBeUndefined();
    // Another browser (no cookie) is another device; a forged value is replaced.
    await click(code, '198.51.100.22').expect(302);
    const forged = await click(code, '198.51.100.23').set('cookie', 'sy_d=not-a-uuid').expect(302);
    expect(String(forged.headers['set-cookie'])).toMatch(/sy_d=[0-9a-f-]{36}/);
    const bot = await click(code, '198.51.100.24', GOOGLEBOT).expect(302);
    expect(bot.headers['set-cookie']).toBeUndefined();
    await drainClicks();

    const rows: Array<{ device_hash: string | null; n: number }> = await ds.query(
      `SELECT device_hash, count(*)::int AS n FROM link_clicks WHERE link_id = $1 GROUP BY 1 ORDER BY 2, 1`,
      [link.body.id],
    );
    // Four human clicks: the cookie's two under one device, the other two each their own.
    expect(rows.map((r) => r.n)).toEqual([1, 1, 2]);
    for (const r of rows) expect(r.device_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('re-reading a batch (a drainer that died before acknowledging) writes nothing twice', async () => {
    const b = await brandAllowing('shop.example.com');
    const link = await t
      .http()
      .post('/v1/links')
      .set(auth(b))
      .send({ destination: 'https://shop.example.com/x' })
      .expect(201);
    const recorder = t.app.get(ClickRecorder);
    const at = Date.now();
    recorder.record(link.body.code, '192.0.2.1', at);
    recorder.record(link.body.code, '192.0.2.2', at);
    await drainClicks();
    // The same clicks delivered again, as a redelivered stream entry would carry them.
    recorder.record(link.body.code, '192.0.2.1', at);
    recorder.record(link.body.code, '192.0.2.2', at);
    await drainClicks();
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM link_clicks WHERE link_id = $1`, [
      link.body.id,
    ]);
    expect(n).toBe(2);
  });

  it('writes the well-formed clicks of a stream entry and drops the rest; a click cannot name another brand', async () => {
    const b = await brandAllowing('shop.example.com');
    const link = await t
      .http()
      .post('/v1/links')
      .set(auth(b))
      .send({ destination: 'https://shop.example.com/junk' })
      .expect(201);
    const code: string = link.body.code;
    const recorder = t.app.get(ClickRecorder);
    const at = Date.now();
    const good = recorder.hashIp('192.0.2.10');
    const device = recorder.hashIp(randomUUID());
    // One entry as a broken or foreign writer might leave it: two good clicks among junk.
    const entry = [
      [code, good, at, device],
      [code, recorder.hashIp('192.0.2.11'), at, 'not-a-hash'],
      [code, 'not-a-hash', at, null],
      ['bad code!', good, at, null],
      [code, good.toUpperCase(), at, null],
      [code, recorder.hashIp('192.0.2.12'), String(at), null],
      'not a click',
    ];
    const stream = `${t.app.get(AppConfig).get('QUEUE_PREFIX')}:${CLICK_STREAM}`;
    const redis = t.app.get<Redis>(REDIS);
    await redis.xadd(stream, '*', 'c', JSON.stringify(entry));
    await redis.xadd(stream, '*', 'c', '{not json');
    await drainClicks();
    const rows: Array<{ ip_hash: string; device_hash: string | null }> = await ds.query(
      `SELECT ip_hash, device_hash FROM link_clicks WHERE link_id = $1 ORDER BY device_hash NULLS LAST`,
      [link.body.id],
    );
    expect(rows).toEqual([
      { ip_hash: good, device_hash: device },
      { ip_hash: recorder.hashIp('192.0.2.11'), device_hash: null },
    ]);

    // link_clicks' foreign key is (brand_id, link_id): a click under another brand than its link's is refused.
    const other = await createBrand(t.app);
    await expect(
      ds.query(
        `INSERT INTO link_clicks (brand_id, link_id, code, ip_hash, clicked_at) VALUES ($1, $2, $3, $4, now())`,
        [other.id, link.body.id, code, good],
      ),
    ).rejects.toThrow(/foreign key/);
  });
});
