import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { createBrand, createOperator, TestBrand, TestOperator } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';

interface Delivery {
  member: number;
  variant: number;
  status: string;
}
interface Click {
  member: number | null;
  variant: number;
}
interface Sale {
  member: number;
  variant: number | null;
  status: string;
  amount: bigint;
  refunded: bigint;
  /** coupon redemption and rollback on the order (minor units), 0 for none */
  discount: bigint;
  rollback: bigint;
}

/**
 * The campaign funnel on rows written set-wise (a campaign's ledger, clicks, attributed orders and
 * coupon redemptions), checked against figures computed here from the same arrays.
 */
describe('analytics: campaign funnel (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let brand: TestBrand;
  let other: TestBrand;
  let marketer: TestOperator;
  const memberIds: string[] = [];
  let campaignId: string;
  const as = (who: { token: string }) => ({ authorization: `Bearer ${who.token}` });

  const deliveries: Delivery[] = Array.from({ length: 9 }, (_, i) => ({
    member: i,
    variant: i % 2,
    status: i === 4 ? 'failed' : i === 7 ? 'pending' : 'sent',
  }));
  const clicks: Click[] = [
    { member: 0, variant: 0 },
    { member: 0, variant: 0 },
    { member: 1, variant: 1 },
    { member: 2, variant: 0 },
    { member: null, variant: 0 },
  ];
  const sales: Sale[] = [
    { member: 0, variant: 0, status: 'paid', amount: 10_000n, refunded: 0n, discount: 1_000n, rollback: 0n },
    { member: 2, variant: 0, status: 'paid', amount: 3_300n, refunded: 0n, discount: 0n, rollback: 0n },
    {
      member: 1,
      variant: 1,
      status: 'partially_refunded',
      amount: 20_000n,
      refunded: 5_000n,
      discount: 2_000n,
      rollback: 400n,
    },
    { member: 3, variant: 1, status: 'cancelled', amount: 9_900n, refunded: 0n, discount: 0n, rollback: 0n },
    {
      member: 5,
      variant: 0,
      status: 'refunded',
      amount: 7_700n,
      refunded: 7_700n,
      discount: 700n,
      rollback: 700n,
    },
  ];

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    brand = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
    other = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
    marketer = await createOperator(t.app, brand, 'marketer');
    const rows: Array<{ id: string; nickname: string }> = await ds.query(
      `INSERT INTO members (brand_id, nickname) SELECT $1, 'f-' || g FROM generate_series(0, 8) g RETURNING id, nickname`,
      [brand.id],
    );
    for (const r of rows) memberIds[Number(r.nickname.slice(2))] = r.id;

    const campaign = async (name: string, startedAt: string, brandId = brand.id) =>
      (
        await ds.query(
          `INSERT INTO campaigns (brand_id, name, channel, status, audience, variants, started_at)
           VALUES ($1, $2, 'wecom_single', 'completed', '{"kind":"list","memberIds":[]}', $3, $4) RETURNING id`,
          [
            brandId,
            name,
            JSON.stringify([
              { name: 'Spring A', weight: 1, message: {} },
              { name: 'Spring B', weight: 1, message: {} },
            ]),
            startedAt,
          ],
        )
      )[0].id as string;
    // 2025-06-01 00:30 Shanghai is still May in UTC: inside a June range only in brand time
    campaignId = await campaign('Spring tea', '2025-05-31T16:30:00Z');
    const before = await campaign('Winter tea', '2025-05-31T15:59:59Z');
    await campaign('Not ours', '2025-06-10T00:00:00Z', other.id);

    for (const id of [campaignId, before])
      await ds.query(
        `INSERT INTO campaign_deliveries (campaign_id, brand_id, recipient_key, member_id, variant, status)
         SELECT $1, $2, gen_random_uuid(), m, v, s FROM unnest($3::uuid[], $4::int[], $5::text[]) AS u(m, v, s)`,
        [
          id,
          brand.id,
          deliveries.map((d) => memberIds[d.member]),
          deliveries.map((d) => d.variant),
          deliveries.map((d) => d.status),
        ],
      );
    const [link] = await ds.query(
      `INSERT INTO tracked_links (brand_id, code, destination, campaign_id) VALUES ($1, $2, 'https://shop.example/tea', $3) RETURNING id`,
      [brand.id, randomUUID().slice(0, 12), campaignId],
    );
    await ds.query(
      `INSERT INTO link_clicks (brand_id, link_id, code, member_id, campaign_id, campaign_variant, ip_hash, clicked_at)
       SELECT $1, $2, 'c', m, $3, v, md5(random()::text), now() FROM unnest($4::uuid[], $5::int[]) AS u(m, v)`,
      [
        brand.id,
        link.id,
        campaignId,
        clicks.map((c) => (c.member === null ? null : memberIds[c.member])),
        clicks.map((c) => c.variant),
      ],
    );

    const [template] = await ds.query(
      `INSERT INTO coupon_templates (brand_id, name, kind, amount_off_minor, status) VALUES ($1, 'Tea 10', 'fixed_amount', 1000, 'active') RETURNING id`,
      [brand.id],
    );
    for (const s of sales) {
      const [order] = await ds.query(
        `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor, refunded_minor, placed_at)
         VALUES ($1, $2, 'store', $3, $4, 'CNY', $5, $6, '2025-06-02T10:00:00Z') RETURNING id`,
        [brand.id, memberIds[s.member], randomUUID(), s.status, s.amount.toString(), s.refunded.toString()],
      );
      await ds.query(
        `INSERT INTO order_attributions (order_id, brand_id, rule, campaign_id, campaign_variant, link_id, window_days)
         VALUES ($1, $2, 'last_click', $3, $4, $5, 7)`,
        [order.id, brand.id, campaignId, s.variant, link.id],
      );
      if (s.discount === 0n) continue;
      const [coupon] = await ds.query(
        `INSERT INTO coupons (brand_id, template_id, code, kind, source, source_ref) VALUES ($1, $2, $3, 'bearer', 'campaign', $4) RETURNING id`,
        [brand.id, template.id, randomUUID().slice(0, 10).toUpperCase(), campaignId],
      );
      const [redemption] = await ds.query(
        `INSERT INTO coupon_redemptions (brand_id, kind, coupon_id, template_id, member_id, order_id, order_ref, cart_amount_minor, order_amount_minor, discount_minor)
         VALUES ($1, 'redemption', $2, $3, $4, $5::uuid, $5::text, $6, $6, $7) RETURNING id`,
        [
          brand.id,
          coupon.id,
          template.id,
          memberIds[s.member],
          order.id,
          s.amount.toString(),
          s.discount.toString(),
        ],
      );
      if (s.rollback > 0n)
        await ds.query(
          `INSERT INTO coupon_redemptions (brand_id, kind, coupon_id, template_id, member_id, order_id, order_ref, reverses_id, cart_amount_minor, order_amount_minor, discount_minor)
           VALUES ($1, 'rollback', $2, $3, $4, $5::uuid, $5::text, $6, $7, $7, $8)`,
          [
            brand.id,
            coupon.id,
            template.id,
            memberIds[s.member],
            order.id,
            redemption.id,
            s.amount.toString(),
            s.rollback.toString(),
          ],
        );
    }
  });
  afterAll(() => t.close());

  const expected = (variant: number) => {
    const counted = sales.filter(
      (s) => s.variant === variant && (s.status === 'paid' || s.status === 'partially_refunded'),
    );
    const revenue = counted.reduce((n, s) => n + s.amount - s.refunded, 0n);
    const cost = counted.reduce((n, s) => n + s.discount - s.rollback, 0n);
    const mine = deliveries.filter((d) => d.variant === variant);
    const clicked = clicks.filter((c) => c.variant === variant);
    return {
      variant,
      variantName: ['Spring A', 'Spring B'][variant],
      audience: mine.length,
      delivered: mine.filter((d) => d.status === 'sent').length,
      clicks: clicked.length,
      clickers: new Set(clicked.filter((c) => c.member !== null).map((c) => c.member)).size,
      orders: counted.length,
      buyers: new Set(counted.map((s) => s.member)).size,
      revenueMinor: revenue.toString(),
      couponCostMinor: cost.toString(),
      roi: cost === 0n ? null : Math.round((Number(revenue - cost) / Number(cost)) * 10_000) / 10_000,
    };
  };

  it('per campaign and variant: audience → delivered → clicked → ordered → revenue, coupon cost, ROI', async () => {
    const res = await t
      .http()
      .get('/v1/analytics/campaigns?from=2025-06-01&to=2025-06-30')
      .set(as(marketer))
      .expect(200);
    // only the campaign that started in June brand time; "Winter tea" started on 31 May (Shanghai)
    expect(res.body.campaigns.map((c: { campaignId: string }) => c.campaignId)).toEqual([
      campaignId,
      campaignId,
    ]);
    expect(res.body.campaigns).toEqual([
      expect.objectContaining({ campaign: 'Spring tea', ...expected(0) }),
      expect.objectContaining({ campaign: 'Spring tea', ...expected(1) }),
    ]);
    expect(expected(0).roi).not.toBeNull(); // both variants exercise the ROI arithmetic
    expect(expected(1).roi).not.toBeNull();

    const csv = await t
      .http()
      .get('/v1/analytics/campaigns/export?from=2025-06-01&to=2025-06-30')
      .set(as(marketer))
      .expect(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows: Array<Record<string, string>> = parse(csv.text, { columns: true });
    expect(rows.map((r) => [r.variant, r.revenue_minor, r.coupon_cost_minor, r.roi])).toEqual(
      res.body.campaigns.map(
        (c: { variant: number; revenueMinor: string; couponCostMinor: string; roi: number }) => [
          String(c.variant),
          c.revenueMinor,
          c.couponCostMinor,
          c.roi.toFixed(4),
        ],
      ),
    );
  });

  it('is sealed per brand and checks its parameters and roles', async () => {
    const theirs = await t
      .http()
      .get('/v1/analytics/campaigns?from=2025-06-01&to=2025-06-30')
      .set(as(other.owner))
      .expect(200);
    expect(theirs.body.campaigns.map((c: { campaign: string }) => c.campaign)).toEqual([
      'Not ours',
      'Not ours',
    ]);
    expect(theirs.body.campaigns[0]).toMatchObject({ audience: 0, clicks: 0, orders: 0 });
    const bad = await t
      .http()
      .get('/v1/analytics/campaigns?from=2025-07-01&to=2025-06-30')
      .set(as(marketer))
      .expect(400);
    expect(bad.body.errors[0].field).toBe('from');
    const cm = await createOperator(t.app, brand, 'community_manager');
    await t.http().get('/v1/analytics/campaigns').set(as(cm)).expect(403);
  });
});
