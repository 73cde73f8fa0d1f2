import { randomUUID } from 'node:crypto';
import { CampaignVariableRegistry } from '@siyu/campaigns';
import { ClickDrainer, ClickRecorder, ConversionsWorkerModule } from '@siyu/conversions';
import { CouponIssuingService } from '@siyu/coupons';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createMember } from './factories/member.factory';
import { orderBody } from './factories/order.factory';
import { createTestApp, TestApp } from './harness';

const BROWSER =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Mobile';

interface Attribution {
  rule: string;
  campaignId: string | null;
  campaignVariant: number | null;
  linkId: string | null;
  linkCode: string | null;
  clickId: string | null;
  couponId: string | null;
  groupId: string | null;
  liveSessionId: string | null;
  partnerId: string | null;
  firstClickId: string | null;
  firstLinkId: string | null;
  firstCampaignId: string | null;
  windowDays: number;
  attributedAt: string;
}

describe('attribution of orders: coupon, link code, last click, first touch (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp(ConversionsWorkerModule);
    ds = t.app.get(DataSource);
  });
  afterAll(() => t?.close());

  const auth = (b: TestBrand) => ({ authorization: `Bearer ${b.owner.token}` });
  const api = (b: TestBrand) => ({
    get: (path: string) => t.http().get(path).set(auth(b)),
    post: (path: string, body: object = {}) => t.http().post(path).set(auth(b)).send(body),
    put: (path: string, body: object = {}) => t.http().put(path).set(auth(b)).send(body),
  });

  async function setup() {
    const brand = await createBrand(t.app);
    await api(brand)
      .put('/v1/conversion-settings', { allowedDomains: ['shop.example.com'] })
      .expect(200);
    const member = await createMember(t.app, brand);
    const partnerId = randomUUID();
    const link = (
      await api(brand)
        .post('/v1/links', {
          destination: 'https://shop.example.com/tea',
          partnerId,
          utm: { source: 'wecom' },
        })
        .expect(201)
    ).body as { id: string; code: string };
    const campaign = (
      await api(brand)
        .post('/v1/campaigns', {
          name: '复购',
          channel: 'wecom_single',
          audience: { kind: 'list', memberIds: [member.id] },
          message: { text: `回购有礼 {{link:${link.id}}}` },
        })
        .expect(201)
    ).body as { id: string };
    return { brand, member, link, campaign, partnerId };
  }

  /** The member's own code for the link, as `{{link:…}}` renders it for a delivery in variant 1. */
  async function memberCode(
    brandId: string,
    campaignId: string,
    linkId: string,
    memberId: string,
  ): Promise<string> {
    const [{ id }] = await ds.query(
      `INSERT INTO campaign_deliveries (campaign_id, brand_id, recipient_key, member_id, variant)
       VALUES ($1, $2, $3, $3, 1)
       ON CONFLICT (campaign_id, recipient_key) DO UPDATE SET variant = excluded.variant RETURNING id::text AS id`,
      [campaignId, brandId, memberId],
    );
    const resolver = t.app.get(CampaignVariableRegistry).get('link')!;
    const urls = await ds.transaction((m) =>
      resolver.resolve(m, {
        brandId,
        campaignId,
        id: linkId,
        recipients: [{ deliveryId: id, memberId, groupId: null }],
      }),
    );
    return urls.get(id)!.split('/r/')[1];
  }

  async function clickAndDrain(code: string, ip: string): Promise<void> {
    await t.http().get(`/r/${code}`).set('user-agent', BROWSER).set('x-forwarded-for', ip).expect(302);
    await t.app.get(ClickRecorder).flush();
    await t.app.get(ClickDrainer).drain();
    await t.app.get(ClickDrainer).drain();
  }

  async function order(brand: TestBrand, overrides: Record<string, unknown>): Promise<string> {
    const res = await api(brand)
      .post('/v1/orders', orderBody({ placedAt: new Date().toISOString(), ...overrides }))
      .expect(201);
    return res.body.id as string;
  }

  const attribution = async (brand: TestBrand, orderId: string): Promise<Attribution> =>
    (await api(brand).get(`/v1/attribution/orders/${orderId}`).expect(200)).body;

  it('last click: the member’s latest click within the window wins; its first click is kept as first touch', async () => {
    const { brand, member, link, campaign, partnerId } = await setup();
    const other = (
      await api(brand).post('/v1/links', { destination: 'https://shop.example.com/first' }).expect(201)
    ).body as { id: string };
    const firstCode = await memberCode(brand.id, campaign.id, other.id, member.id);
    await clickAndDrain(firstCode, '203.0.113.1');
    // The first touch happened three days before.
    await ds.query(`UPDATE link_clicks SET clicked_at = now() - interval '3 days' WHERE code = $1`, [
      firstCode,
    ]);
    const code = await memberCode(brand.id, campaign.id, link.id, member.id);
    await clickAndDrain(code, '203.0.113.1');
    const [last] = await ds.query(`SELECT id::text AS id FROM link_clicks WHERE code = $1`, [code]);
    const [first] = await ds.query(`SELECT id::text AS id FROM link_clicks WHERE code = $1`, [firstCode]);

    const orderId = await order(brand, { memberId: member.id });
    const a = await attribution(brand, orderId);
    expect(a).toMatchObject({
      rule: 'last_click',
      linkId: link.id,
      linkCode: code,
      clickId: last.id,
      campaignId: campaign.id,
      campaignVariant: 1,
      partnerId,
      couponId: null,
      firstClickId: first.id,
      firstLinkId: other.id,
      firstCampaignId: campaign.id,
      windowDays: 7,
    });
  });

  it('a click outside the window attributes nothing until the window is widened and the range recomputed', async () => {
    const { brand, member, link, campaign } = await setup();
    const code = await memberCode(brand.id, campaign.id, link.id, member.id);
    await clickAndDrain(code, '203.0.113.2');
    await ds.query(`UPDATE link_clicks SET clicked_at = now() - interval '8 days' WHERE code = $1`, [code]);
    const orderId = await order(brand, { memberId: member.id });
    const before = await attribution(brand, orderId);
    expect(before).toMatchObject({ rule: 'none', linkId: null, campaignId: null });
    // First touch does not depend on the window.
    expect(before.firstLinkId).toBe(link.id);

    await api(brand)
      .put('/v1/conversion-settings', { allowedDomains: ['shop.example.com'], attributionWindowDays: 10 })
      .expect(200);
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
    const bad = await api(brand)
      .post('/v1/attribution/recompute', { from: day(1), to: day(-1) })
      .expect(400);
    expect(bad.body.errors[0].field).toBe('to');
    const res = await api(brand)
      .post('/v1/attribution/recompute', { from: day(-2), to: day(2) })
      .expect(200);
    expect(res.body).toEqual({ orders: 1, rules: { last_click: 1 } });
    expect(await attribution(brand, orderId)).toMatchObject({
      rule: 'last_click',
      linkId: link.id,
      campaignId: campaign.id,
      windowDays: 10,
    });
    const audit = await api(brand).get('/v1/audit-log?action=attribution.recomputed').expect(200);
    expect(audit.body.items[0].after.orders).toBe(1);
  });

  it('coupon: a coupon of the brand used in the order wins over a click, pointing to the campaign that issued it', async () => {
    const { brand, member, link, campaign } = await setup();
    const code = await memberCode(brand.id, campaign.id, link.id, member.id);
    await clickAndDrain(code, '203.0.113.3');
    const tpl = await api(brand)
      .post('/v1/coupon-templates', {
        name: '回购券',
        kind: 'fixed_amount',
        amountOffMinor: 500,
        validDays: 30,
      })
      .expect(201);
    await api(brand).post(`/v1/coupon-templates/${tpl.body.id}/activate`).expect(200);
    const [issued] = await ds.transaction((m) =>
      t.app.get(CouponIssuingService).issueMany(m, {
        brandId: brand.id,
        templateId: tpl.body.id,
        source: 'campaign',
        items: [{ memberId: member.id, sourceRef: campaign.id }],
      }),
    );
    if (!issued.ok) throw new Error(`coupon not issued: ${issued.reason}`);

    // An unknown code first: the brand's own coupon still wins, whatever its position.
    const orderId = await order(brand, {
      memberId: member.id,
      couponCodes: ['NOPE-123', issued.code.toLowerCase()],
    });
    expect(await attribution(brand, orderId)).toMatchObject({
      rule: 'coupon',
      couponId: issued.couponId,
      campaignId: campaign.id,
      campaignVariant: 1,
      linkId: null,
      clickId: null,
      firstLinkId: link.id,
    });
  });

  it('link code: an order without a member carrying a code is attributed to its link (and the recipient’s campaign)', async () => {
    const { brand, member, link, campaign, partnerId } = await setup();
    const own = await order(brand, { identities: { unionid: `u-${randomUUID()}` }, linkCode: link.code });
    expect(await attribution(brand, own)).toMatchObject({
      rule: 'link_code',
      linkId: link.id,
      linkCode: link.code,
      partnerId,
      campaignId: null,
      clickId: null,
    });

    const code = await memberCode(brand.id, campaign.id, link.id, member.id);
    await clickAndDrain(code, '203.0.113.4');
    const recipient = await order(brand, { identities: { unionid: `u-${randomUUID()}` }, linkCode: code });
    const [clickRow] = await ds.query(`SELECT id::text AS id FROM link_clicks WHERE code = $1`, [code]);
    expect(await attribution(brand, recipient)).toMatchObject({
      rule: 'link_code',
      linkId: link.id,
      campaignId: campaign.id,
      campaignVariant: 1,
      clickId: clickRow.id,
    });

    // A code of another brand is not this brand's link.
    const stranger = await setup();
    const foreign = await order(stranger.brand, {
      identities: { unionid: `u-${randomUUID()}` },
      linkCode: link.code,
    });
    expect((await attribution(stranger.brand, foreign)).rule).toBe('none');
  });

  it("an order no identity matches is the member's its per-recipient code was sent to; identities still win, and a link's own code names nobody", async () => {
    const { brand, member, link, campaign } = await setup();
    const memberOf = async (orderId: string): Promise<string | null> =>
      (await ds.query(`SELECT member_id FROM orders WHERE id = $1`, [orderId]))[0].member_id;
    const code = await memberCode(brand.id, campaign.id, link.id, member.id);

    const viaCode = await order(brand, { identities: { unionid: `u-${randomUUID()}` }, linkCode: code });
    expect(await memberOf(viaCode)).toBe(member.id);
    const [{ n: claims }] = await ds.query(
      `SELECT count(*)::int AS n FROM order_identity_claims WHERE order_id = $1`,
      [viaCode],
    );
    expect(claims).toBe(0);
    const [{ order_count }] = await ds.query(`SELECT order_count FROM members WHERE id = $1`, [member.id]);
    expect(Number(order_count)).toBe(1);
    const [event] = await ds.query(
      `SELECT type FROM member_events WHERE member_id = $1 AND data->>'orderId' = $2`,
      [member.id, viaCode],
    );
    expect(event?.type).toBe('order.matched');

    // The buyer's own identity names someone else: that member is the buyer, not the code's.
    const other = await createMember(t.app, brand);
    const otherUnionid: string = (
      await ds.query(`SELECT value FROM member_identities WHERE member_id = $1 AND kind = 'unionid'`, [
        other.id,
      ])
    )[0].value;
    const forwarded = await order(brand, { identities: { unionid: otherUnionid }, linkCode: code });
    expect(await memberOf(forwarded)).toBe(other.id);

    // The link's own (shared) code was sent to nobody in particular: the order stays unmatched.
    const shared = await order(brand, { identities: { unionid: `u-${randomUUID()}` }, linkCode: link.code });
    expect(await memberOf(shared)).toBeNull();
  });

  it('a refund keeps the attribution as it was and adds nothing; another brand’s order is a 404', async () => {
    const { brand, member, link, campaign } = await setup();
    const code = await memberCode(brand.id, campaign.id, link.id, member.id);
    await clickAndDrain(code, '203.0.113.5');
    const orderId = await order(brand, { memberId: member.id, amountMinor: '12800' });
    const before = await attribution(brand, orderId);
    expect(before.rule).toBe('last_click');

    await api(brand)
      .post(`/v1/orders/${orderId}/refunds`, { externalId: 'RF-1', amountMinor: '12800' })
      .expect(201);
    const after = await attribution(brand, orderId);
    expect(after).toEqual(before);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM order_attributions WHERE order_id = $1`, [
      orderId,
    ]);
    expect(n).toBe(1);
    // Revenue is read net of refunds from orders: the attributed order now brings nothing.
    const [net] = await ds.query(
      `SELECT sum(o.amount_minor - o.refunded_minor)::text AS net FROM order_attributions a JOIN orders o ON o.id = a.order_id
        WHERE a.campaign_id = $1`,
      [campaign.id],
    );
    expect(net.net).toBe('0');

    const stranger = await createBrand(t.app);
    await api(stranger).get(`/v1/attribution/orders/${orderId}`).expect(404);
    await api(stranger).get(`/v1/attribution/orders/not-a-uuid`).expect(400);
  });
});
