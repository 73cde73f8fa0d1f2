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

describe('coupons through a campaign: {{coupon:<templateId>}} gives each recipient its own code (e2e)', () => {
  let t: TestApp;
  let sim: SimProcess;
  let ds: DataSource;
  let f: BrandFactory;

  beforeAll(async () => {
    Object.assign(process.env, { CAMPAIGN_PROGRESS_INTERVAL_MS: '200', RECONCILE_INTERVAL_MS: '1000' });
    ({ sim, t } = await startAppWithSim(async () => {
      const c = await import('@siyu/campaigns');
      const ch = await import('@siyu/channels');
      const co = await import('@siyu/coupons');
      return [c.CampaignsWorkerModule, ch.ChannelsWorkerModule, co.CouponsWorkerModule];
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
  });

  async function brandWithContacts(
    n: number,
  ): Promise<{ brand: TestBrand; people: Array<{ id: string; ext: string }> }> {
    const brand = await f.createBrand(t.app);
    await connectWecom(t, brand);
    return { brand, people: await wecomContacts(t, brand, n) };
  }

  it('issues a welcome coupon per member in the claim transaction, sends it; resolving again (a resend) gives the same codes', async () => {
    const { brand, people } = await brandWithContacts(8);
    const tpl = await api(brand)
      .post('/v1/coupon-templates', {
        name: '新人券',
        kind: 'fixed_amount',
        amountOffMinor: 1000,
        validDays: 30,
        codePrefix: 'HI',
        codeLength: 8,
        budgetCount: 6,
      })
      .expect(201);
    // An unknown or ended template is refused when the campaign is saved.
    const bad = await api(brand)
      .post('/v1/campaigns', {
        name: 'x',
        channel: 'wecom_single',
        audience: { kind: 'list', memberIds: [people[0].id] },
        message: { text: `{{coupon:${randomUUID()}}}` },
      })
      .expect(422);
    expect(bad.body.errors[0].message).toContain('no such coupon template');
    await api(brand).post(`/v1/coupon-templates/${tpl.body.id}/activate`).expect(200);

    const created = await api(brand)
      .post('/v1/campaigns', {
        name: '欢迎',
        channel: 'wecom_single',
        audience: { kind: 'list', memberIds: people.map((p) => p.id) },
        message: { text: `欢迎！你的专属券码 {{coupon:${tpl.body.id}}}，30 天内有效` },
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

    const coupons: Array<{ member_id: string; code: string; source: string; source_ref: string }> =
      await ds.query(`SELECT member_id, code, source, source_ref FROM coupons WHERE template_id = $1`, [
        tpl.body.id,
      ]);
    // The count budget is 6: six members get a code, two get the message without one.
    expect(coupons).toHaveLength(6);
    expect(new Set(coupons.map((c) => c.code)).size).toBe(6);
    for (const c of coupons) expect(c).toMatchObject({ source: 'campaign', source_ref: created.body.id });
    const byMember = new Map(coupons.map((c) => [c.member_id, c.code]));
    let withCode = 0;
    for (const person of people) {
      const seen = await sim.client.messages(person.ext);
      expect(seen.total).toBe(1);
      const text = JSON.stringify(seen.messages[0].payload);
      const code = byMember.get(person.id);
      if (code) {
        withCode++;
        expect(text).toContain(`券码 ${code}，`);
        expect(code).toMatch(/^HI[2-9A-HJKMNP-Z]{8}$/);
      } else {
        expect(text).toContain('券码 ，');
      }
    }
    expect(withCode).toBe(6);

    // Resolving the variable again for the same campaign (what a resend does) issues nothing new.
    const { CampaignVariableRegistry } = await import('@siyu/campaigns');
    const resolver = t.app.get(CampaignVariableRegistry).get('coupon')!;
    const again = await ds.transaction((m) =>
      resolver.resolve(m, {
        brandId: brand.id,
        campaignId: created.body.id,
        id: tpl.body.id,
        recipients: people.map((p, i) => ({ deliveryId: String(i), memberId: p.id, groupId: null })),
      }),
    );
    people.forEach((p, i) => expect(again.get(String(i))).toBe(byMember.get(p.id)));
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM coupons WHERE template_id = $1`, [
      tpl.body.id,
    ]);
    expect(n).toBe(6);

    // The code works at checkout for its member, and the report counts it.
    const [first] = coupons;
    await api(brand)
      .post('/v1/coupons/redeem', {
        code: first.code,
        memberId: first.member_id,
        cartAmountMinor: 5_000,
        orderRef: 'SO-1',
      })
      .expect(201);
    const report = await api(brand).get(`/v1/coupon-templates/${tpl.body.id}/report`).expect(200);
    expect(report.body).toMatchObject({
      issued: 6,
      redeemed: 1,
      discountGivenMinor: '1000',
      gmvMinor: '4000',
    });
  });
});
