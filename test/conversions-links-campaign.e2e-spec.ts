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

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 MicroMessenger/8.0.47';

describe('tracked links through a campaign: {{link:<linkId>}} gives each recipient its own short URL (e2e)', () => {
  let t: TestApp;
  let sim: SimProcess;
  let ds: DataSource;
  let f: BrandFactory;

  beforeAll(async () => {
    Object.assign(process.env, { CAMPAIGN_PROGRESS_INTERVAL_MS: '200', RECONCILE_INTERVAL_MS: '1000' });
    ({ sim, t } = await startAppWithSim(async () => {
      const c = await import('@siyu/campaigns');
      const ch = await import('@siyu/channels');
      const cv = await import('@siyu/conversions');
      return [c.CampaignsWorkerModule, ch.ChannelsWorkerModule, cv.ConversionsWorkerModule];
    }));
    f = await import('./factories/brand.factory');
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    await t?.close();
    await sim?.stop();
  });

  const api = (brand: TestBrand) => ({
    get: (path: string) => t.http().get(path).set(bearer(brand.owner.token)),
    post: (path: string, body: object = {}) => t.http().post(path).set(bearer(brand.owner.token)).send(body),
    put: (path: string, body: object = {}) => t.http().put(path).set(bearer(brand.owner.token)).send(body),
  });

  async function brandWithContacts(
    n: number,
  ): Promise<{ brand: TestBrand; people: Array<{ id: string; ext: string }> }> {
    const brand = await f.createBrand(t.app);
    await connectWecom(t, brand);
    return { brand, people: await wecomContacts(t, brand, n) };
  }

  it('renders a distinct short URL per member, made in the claim transaction; a click records the member, campaign and variant', async () => {
    const { brand, people } = await brandWithContacts(5);
    await api(brand)
      .put('/v1/conversion-settings', { allowedDomains: ['shop.example.com'] })
      .expect(200);
    // An unknown link is refused when the campaign is saved.
    const bad = await api(brand)
      .post('/v1/campaigns', {
        name: 'x',
        channel: 'wecom_single',
        audience: { kind: 'list', memberIds: [people[0].id] },
        message: { text: `{{link:${randomUUID()}}}` },
      })
      .expect(422);
    expect(bad.body.errors[0].message).toContain('no such tracked link');

    const link = await api(brand)
      .post('/v1/links', {
        destination: 'https://shop.example.com/new',
        utm: { source: 'wecom', medium: 'dm' },
      })
      .expect(201);
    const created = await api(brand)
      .post('/v1/campaigns', {
        name: '上新',
        channel: 'wecom_single',
        audience: { kind: 'list', memberIds: people.map((p) => p.id) },
        message: { text: `新品上架，点这里 {{link:${link.body.id}}} 看看` },
      })
      .expect(201);
    await api(brand).post(`/v1/campaigns/${created.body.id}/schedule`, {}).expect(200);
    await waitFor(
      async () => {
        const p = (await api(brand).get(`/v1/campaigns/${created.body.id}/progress`).expect(200)).body;
        return p.status === 'completed' && p.remaining === 0 ? p : undefined;
      },
      90_000,
      'campaign completed',
    );

    const codes: Array<{
      code: string;
      member_id: string;
      campaign_id: string;
      campaign_variant: number;
      delivery_id: string;
    }> = await ds.query(
      `SELECT code, member_id, campaign_id, campaign_variant, delivery_id::text AS delivery_id
           FROM link_codes WHERE link_id = $1 AND delivery_id IS NOT NULL`,
      [link.body.id],
    );
    expect(codes).toHaveLength(5);
    expect(new Set(codes.map((c) => c.code)).size).toBe(5);
    const byMember = new Map(codes.map((c) => [c.member_id, c]));
    for (const person of people) {
      const seen = await sim.client.messages(person.ext);
      expect(seen.total).toBe(1);
      const text = JSON.stringify(seen.messages[0].payload);
      const mine = byMember.get(person.id)!;
      expect(mine).toMatchObject({ campaign_id: created.body.id, campaign_variant: 0 });
      expect(text).toContain(`点这里 http://127.0.0.1:3000/r/${mine.code} 看看`);
    }

    // Rendering again for the same deliveries (what a resend does) gives the same URLs.
    const { CampaignVariableRegistry } = await import('@siyu/campaigns');
    const resolver = t.app.get(CampaignVariableRegistry).get('link')!;
    const again = await ds.transaction((m) =>
      resolver.resolve(m, {
        brandId: brand.id,
        campaignId: created.body.id,
        id: link.body.id,
        recipients: codes.map((c) => ({ deliveryId: c.delivery_id, memberId: c.member_id, groupId: null })),
      }),
    );
    for (const c of codes) expect(again.get(c.delivery_id)).toBe(`http://127.0.0.1:3000/r/${c.code}`);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM link_codes WHERE link_id = $1`, [
      link.body.id,
    ]);
    expect(n).toBe(6);

    // A recipient's click is the member's.
    const first = codes[0];
    const res = await t
      .http()
      .get(`/r/${first.code}`)
      .set('user-agent', BROWSER)
      .set('x-forwarded-for', '198.51.100.44');
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://shop.example.com/new?utm_source=wecom&utm_medium=dm');
    const { ClickRecorder, ClickDrainer } = await import('@siyu/conversions');
    await t.app.get(ClickRecorder).flush();
    await t.app.get(ClickDrainer).drain();
    await t.app.get(ClickDrainer).drain();
    const [clicked] = await ds.query(
      `SELECT member_id, campaign_id, campaign_variant, delivery_id::text AS delivery_id FROM link_clicks WHERE code = $1`,
      [first.code],
    );
    expect(clicked).toEqual({
      member_id: first.member_id,
      campaign_id: created.body.id,
      campaign_variant: 0,
      delivery_id: first.delivery_id,
    });
  });
});
