import { randomUUID } from 'node:crypto';
import {
  PartnerCommissionsService,
  PartnerTierEvaluationService,
  PartnerUpliftsService,
} from '@siyu/partners';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createMember } from './factories/member.factory';
import { orderBody } from './factories/order.factory';
import { createTestApp, TestApp } from './harness';

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();
/** A date YYYY-MM-DD `n` days from today (UTC, the test brands' zone). */
const dateIn = (n: number) => new Date(Date.now() + n * DAY).toISOString().slice(0, 10);

interface Commission {
  id: string;
  orderId: string;
  attributedBy: string;
  tier: string;
  commissionableMinor: string;
  baseRateBp: number;
  baseMinor: string;
  upliftId: string | null;
  upliftRateBp: number;
  upliftMinor: string;
  upliftState: string;
  cappedMinor: string;
  amountMinor: string;
  status: string;
  reason: string | null;
  settlementId: string | null;
}

describe('partners: lifecycle, links and codes, commissions, uplifts, settlements (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
  });
  afterAll(() => t?.close());

  const auth = (b: TestBrand) => ({ authorization: `Bearer ${b.owner.token}` });
  const api = (b: TestBrand) => ({
    get: (path: string) => t.http().get(path).set(auth(b)),
    post: (path: string, body: object = {}) => t.http().post(path).set(auth(b)).send(body),
    patch: (path: string, body: object = {}) => t.http().patch(path).set(auth(b)).send(body),
    put: (path: string, body: object = {}) => t.http().put(path).set(auth(b)).send(body),
  });

  /** A brand whose tracked links may lead to shop.example.com, with an active ¥1-off template. */
  async function brandWithShop(): Promise<{ brand: TestBrand; templateId: string }> {
    const brand = await createBrand(t.app);
    await api(brand)
      .put('/v1/conversion-settings', { allowedDomains: ['shop.example.com'] })
      .expect(200);
    const tpl = await api(brand)
      .post('/v1/coupon-templates', { name: 'Partner ¥1', kind: 'fixed_amount', amountOffMinor: 100 })
      .expect(201);
    await api(brand).post(`/v1/coupon-templates/${tpl.body.id}/activate`).expect(200);
    return { brand, templateId: tpl.body.id };
  }

  /** An active partner on `tier`, with a shared code on the template. */
  async function partner(
    brand: TestBrand,
    templateId: string,
    tier: 'pilot' | 'standard' | 'preferred' = 'standard',
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; code: string }> {
    const p = await api(brand)
      .post('/v1/partners', {
        name: `Creator ${randomUUID().slice(0, 6)}`,
        kind: 'creator',
        activate: true,
        ...extra,
      })
      .expect(201);
    if (tier !== 'pilot')
      await api(brand).post(`/v1/partners/${p.body.id}/status`, { status: tier }).expect(200);
    const code = await api(brand)
      .post(`/v1/partners/${p.body.id}/codes`, { templateId, maxRedemptions: 1000 })
      .expect(201);
    return { id: p.body.id, code: code.body.code };
  }

  const order = (brand: TestBrand, overrides: Record<string, unknown>) =>
    api(brand).post('/v1/orders', orderBody(overrides));

  async function commissions(brand: TestBrand, partnerId: string): Promise<Commission[]> {
    const res = await api(brand).get(`/v1/partner-commissions?partnerId=${partnerId}&limit=500`).expect(200);
    return res.body.items;
  }

  async function commissionOf(brand: TestBrand, orderId: string): Promise<Commission | undefined> {
    const res = await api(brand).get(`/v1/partner-commissions?limit=500`).expect(200);
    return (res.body.items as Commission[]).find((c) => c.orderId === orderId);
  }

  describe('partners', () => {
    it('seals payout details (a hint only), normalises the phone, activates at once, audits and keeps the history', async () => {
      const { brand } = await brandWithShop();
      const created = await api(brand)
        .post('/v1/partners', {
          name: 'Lin Xiaoyu',
          kind: 'koc',
          contactPhone: '138 1234 5678',
          contactEmail: 'Lin@Example.com',
          socialHandles: { xiaohongshu: 'linxy', douyin: '@linxy' },
          payout: { method: 'alipay', account: 'lin-account-98761234', holder: 'Lin Xiaoyu' },
        })
        .expect(201);
      expect(created.body).toMatchObject({
        status: 'applied',
        tier: null,
        payoutHint: 'alipay ••••1234',
        contactEmail: 'lin@example.com',
        socialHandles: { xiaohongshu: 'linxy', douyin: '@linxy' },
        activatedAt: null,
      });
      expect(JSON.stringify(created.body)).not.toContain('98761234');
      expect(created.body.contactPhone).not.toContain('12345678');
      const [row] = await ds.query(`SELECT contact_phone, payout_sealed FROM partners WHERE id = $1`, [
        created.body.id,
      ]);
      expect(row.contact_phone).toBe('+8613812345678');
      expect(row.payout_sealed).toMatch(/^v1\./);
      expect(row.payout_sealed).not.toContain('98761234');

      const pilot = await api(brand)
        .post(`/v1/partners/${created.body.id}/status`, { status: 'pilot' })
        .expect(200);
      expect(pilot.body).toMatchObject({ status: 'pilot', tier: 'pilot' });
      expect(pilot.body.activatedAt).not.toBeNull();
      await api(brand).post(`/v1/partners/${created.body.id}/status`, { status: 'suspended' }).expect(200);
      const back = await api(brand)
        .post(`/v1/partners/${created.body.id}/status`, { status: 'standard' })
        .expect(200);
      expect(back.body).toMatchObject({
        status: 'standard',
        tier: 'standard',
        activatedAt: pilot.body.activatedAt,
      });
      await api(brand).post(`/v1/partners/${created.body.id}/status`, { status: 'banned' }).expect(200);
      const stuck = await api(brand)
        .post(`/v1/partners/${created.body.id}/status`, { status: 'pilot' })
        .expect(409);
      expect(stuck.body.code).toBe('PARTNER_INVALID_TRANSITION');

      const history = await api(brand).get(`/v1/partners/${created.body.id}/history`).expect(200);
      expect(history.body.items.map((h: { reason: string }) => h.reason)).toEqual([
        'activated',
        'suspended',
        'reinstated',
        'banned',
      ]);
      const audit: Array<{ action: string }> = await ds.query(
        `SELECT action FROM audit_log WHERE brand_id = $1 AND entity_id = $2 ORDER BY id`,
        [brand.id, created.body.id],
      );
      expect(audit.map((a) => a.action)).toEqual([
        'partner.created',
        'partner.activated',
        'partner.suspended',
        'partner.reinstated',
        'partner.banned',
      ]);
      expect(JSON.stringify(audit)).not.toContain('98761234');
    });

    it.each([
      [{ name: 'x', kind: 'influencer' }, 'kind'],
      [{ name: '  ', kind: 'koc' }, 'name'],
      [{ name: 'x', kind: 'koc', contactPhone: '12' }, 'contactPhone'],
      [{ name: 'x', kind: 'koc', payout: { method: 'alipay', holder: 'x' } }, 'payout.account'],
      [{ name: 'x', kind: 'koc', socialHandles: { myspace: 'x' } }, 'socialHandles.myspace'],
      [{ name: 'x', kind: 'koc', memberId: 'nope' }, 'memberId'],
      [{ name: 'a\u0000b', kind: 'koc' }, 'name'],
      [{ name: 'x', kind: 'koc', socialHandles: { douyin: 'a b' } }, 'socialHandles.douyin'],
    ])('bad input %j → 400 naming %s, nothing written', async (body, field) => {
      const { brand } = await brandWithShop();
      const res = await api(brand).post('/v1/partners', body).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect((await api(brand).get('/v1/partners').expect(200)).body.items).toHaveLength(0);
    });

    it("answers 404 for another brand's partner, links, codes and settlements", async () => {
      const a = await brandWithShop();
      const b = await brandWithShop();
      const p = await partner(a.brand, a.templateId);
      await api(b.brand).get(`/v1/partners/${p.id}`).expect(404);
      await api(b.brand).patch(`/v1/partners/${p.id}`, { name: 'mine' }).expect(404);
      await api(b.brand).post(`/v1/partners/${p.id}/status`, { status: 'banned' }).expect(404);
      await api(b.brand)
        .post(`/v1/partners/${p.id}/links`, { destination: 'https://shop.example.com/x' })
        .expect(404);
      await api(b.brand).get(`/v1/partners/${p.id}/codes`).expect(404);
      await api(b.brand).post('/v1/partner-settlements', { partnerId: p.id }).expect(404);
      const m = await createMember(t.app, a.brand);
      await order(a.brand, {
        memberId: m.id,
        amountMinor: '200000',
        couponCodes: [p.code],
        placedAt: daysAgo(40),
      }).expect(201);
      await t.app.get(PartnerCommissionsService).approveDue();
      const s = await api(a.brand)
        .post('/v1/partner-settlements', { partnerId: p.id, from: dateIn(-60), to: dateIn(1) })
        .expect(201);
      await api(b.brand).get(`/v1/partner-settlements/${s.body.id}`).expect(404);
      await api(b.brand).get(`/v1/partner-settlements/${s.body.id}/statement.csv`).expect(404);
      await api(b.brand).post(`/v1/partner-settlements/${s.body.id}/confirm`).expect(404);
      expect((await api(b.brand).get('/v1/partner-commissions').expect(200)).body.items).toHaveLength(0);
      const uplift = await api(a.brand)
        .post('/v1/partner-uplifts', {
          name: 'a only',
          partnerId: p.id,
          rateBp: 100,
          startsAt: daysAgo(1),
          endsAt: daysAgo(-1),
        })
        .expect(201);
      await api(b.brand).get(`/v1/partner-uplifts/${uplift.body.id}`).expect(404);
      const foreign = await api(b.brand)
        .post('/v1/partner-uplifts', {
          name: 'x',
          partnerId: p.id,
          rateBp: 100,
          startsAt: daysAgo(1),
          endsAt: daysAgo(-1),
        })
        .expect(422);
      expect(foreign.body.errors[0].field).toBe('partnerId');
      const other = await api(a.brand).get(`/v1/partner-settlements/${s.body.id}`).expect(200);
      expect(other.body.status).toBe('draft');
    });

    it('limits a Pilot partner to its link count, and binds its links to it', async () => {
      const { brand, templateId } = await brandWithShop();
      const p = await partner(brand, templateId, 'pilot');
      for (let i = 0; i < 3; i++)
        await api(brand)
          .post(`/v1/partners/${p.id}/links`, { destination: `https://shop.example.com/p${i}` })
          .expect(201);
      const over = await api(brand)
        .post(`/v1/partners/${p.id}/links`, { destination: 'https://shop.example.com/p4' })
        .expect(409);
      expect(over.body.code).toBe('PARTNER_LINK_LIMIT_REACHED');
      const links = await api(brand).get(`/v1/partners/${p.id}/links`).expect(200);
      expect(links.body.items).toHaveLength(3);
      const bound = await ds.query(`SELECT count(*)::int AS n FROM tracked_links WHERE partner_id = $1`, [
        p.id,
      ]);
      expect(bound[0].n).toBe(3);
      const bad = await api(brand).post(`/v1/partners/${p.id}/links`, { destination: 42 }).expect(400);
      expect(bad.body.errors[0].field).toBe('destination');
    });
  });

  describe('commissions', () => {
    it('one per attributed order, by code or by click, at the tier rate rounded half-up on the integer product', async () => {
      const { brand, templateId } = await brandWithShop();
      const p = await partner(brand, templateId, 'standard');
      const m = await createMember(t.app, brand);
      // 900 bp: 50 → 4.5 → 5 (half up); 49 → 4.41 → 4; 5 → 0.45 → 0; 6 → 0.54 → 1; 12800 → 1152.
      const cases: Array<[string, string]> = [
        ['50', '5'],
        ['49', '4'],
        ['5', '0'],
        ['6', '1'],
        ['12800', '1152'],
      ];
      const ids: string[] = [];
      for (const [amount] of cases) {
        const res = await order(brand, {
          memberId: m.id,
          amountMinor: amount,
          couponCodes: [p.code],
          items: [{ sku: 'TEA-1', quantity: 1, unitPriceMinor: Number(amount) }],
        }).expect(201);
        ids.push(res.body.id);
      }
      for (const [i, [amount, base]] of cases.entries())
        expect(await commissionOf(brand, ids[i])).toMatchObject({
          attributedBy: 'coupon',
          tier: 'standard',
          commissionableMinor: amount,
          baseRateBp: 900,
          baseMinor: base,
          amountMinor: base,
          status: 'pending',
          upliftState: 'none',
        });

      const link = await api(brand)
        .post(`/v1/partners/${p.id}/links`, { destination: 'https://shop.example.com/tea' })
        .expect(201);
      const byClick = await order(brand, {
        memberId: m.id,
        amountMinor: '10000',
        linkCode: link.body.code,
      }).expect(201);
      expect(await commissionOf(brand, byClick.body.id)).toMatchObject({
        attributedBy: 'link_code',
        baseMinor: '900',
      });

      // A rate set per tier applies to new commissions only.
      await api(brand)
        .put('/v1/partner-tiers/standard', { baseRateBp: 1000, holdingDays: 7, minPayoutMinor: 0 })
        .expect(200);
      const later = await order(brand, {
        memberId: m.id,
        amountMinor: '10000',
        couponCodes: [p.code],
      }).expect(201);
      expect(await commissionOf(brand, later.body.id)).toMatchObject({ baseRateBp: 1000, baseMinor: '1000' });
      expect((await commissions(brand, p.id)).length).toBe(7);

      const none = await order(brand, { memberId: m.id, amountMinor: '10000' }).expect(201);
      expect(await commissionOf(brand, none.body.id)).toBeUndefined();
    });

    it('fills the monthly cap in order of paid time; what does not fit is capped', async () => {
      const { brand, templateId } = await brandWithShop();
      await api(brand)
        .put('/v1/partner-tiers/pilot', {
          baseRateBp: 1000,
          holdingDays: 14,
          capMinor: 1500,
          minPayoutMinor: 0,
        })
        .expect(200);
      const p = await partner(brand, templateId, 'pilot');
      const m = await createMember(t.app, brand);
      // Three orders early last month (the brand's zone is ahead of UTC: still the same month there).
      const now = new Date();
      const at = (day: number) =>
        new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, day, 2)).toISOString();
      const ids: string[] = [];
      for (const day of [1, 2, 3])
        ids.push(
          (
            await order(brand, {
              memberId: m.id,
              amountMinor: '10000',
              couponCodes: [p.code],
              placedAt: at(day),
            }).expect(201)
          ).body.id,
        );
      const got = await Promise.all(ids.map((id) => commissionOf(brand, id)));
      expect(got.map((c) => [c?.baseMinor, c?.amountMinor, c?.cappedMinor])).toEqual([
        ['1000', '1000', '0'],
        ['1000', '500', '500'],
        ['1000', '0', '1000'],
      ]);
    });

    it('concurrent attribution of one order creates one commission', async () => {
      const { brand, templateId } = await brandWithShop();
      const p = await partner(brand, templateId, 'standard');
      const m = await createMember(t.app, brand);
      const body = orderBody({ memberId: m.id, amountMinor: '20000', couponCodes: [p.code] });
      const results = await Promise.all(Array.from({ length: 6 }, () => api(brand).post('/v1/orders', body)));
      expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
      const orderId = results[0].body.id;
      const count = async () =>
        (
          await ds.query(`SELECT count(*)::int AS n FROM partner_commissions WHERE order_id = $1`, [orderId])
        )[0].n;
      expect(await count()).toBe(1);

      // The commission statement itself, raced from two transactions for an attributed order without one.
      await ds.query(`DELETE FROM partner_commissions WHERE order_id = $1`, [orderId]);
      const svc = t.app.get(PartnerCommissionsService);
      const made = await Promise.all(
        [0, 1, 2].map(() => ds.transaction((tx) => svc.createForOrders(tx, brand.id, [orderId]))),
      );
      expect(made.flat()).toHaveLength(1);
      expect(await count()).toBe(1);
    });

    it('sets the first sale once: time to first sale runs from activation to the first attributed paid order', async () => {
      const { brand, templateId } = await brandWithShop();
      const p = await partner(brand, templateId, 'pilot');
      const before = await api(brand).get(`/v1/partners/${p.id}`).expect(200);
      expect(before.body).toMatchObject({ firstSaleAt: null, timeToFirstSaleSeconds: null });
      const m = await createMember(t.app, brand);
      // An order paid before the partner was activated (back-filled) earns its commission but is
      // not the first sale: time to first sale runs from activation.
      await order(brand, {
        memberId: m.id,
        couponCodes: [p.code],
        placedAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
      }).expect(201);
      expect((await api(brand).get(`/v1/partners/${p.id}`).expect(200)).body.firstSaleAt).toBeNull();
      const placedAt = new Date(Date.now() + 3_600_000).toISOString();
      await order(brand, { memberId: m.id, couponCodes: [p.code], placedAt }).expect(201);
      await order(brand, {
        memberId: m.id,
        couponCodes: [p.code],
        placedAt: new Date(Date.now() + 7_200_000).toISOString(),
      }).expect(201);
      const after = await api(brand).get(`/v1/partners/${p.id}`).expect(200);
      expect(after.body.firstSaleAt).toBe(placedAt);
      const expected = Math.round((Date.parse(placedAt) - Date.parse(before.body.activatedAt)) / 1000);
      expect(after.body.timeToFirstSaleSeconds).toBe(expected);
    });

    it('a refund inside the hold reduces proportionally, a full refund or a cancellation reverses; held ones are not approved', async () => {
      const { brand, templateId } = await brandWithShop();
      const p = await partner(brand, templateId, 'standard');
      const m = await createMember(t.app, brand);
      const now = new Date().toISOString();
      const o1 = await order(brand, {
        memberId: m.id,
        amountMinor: '10000',
        couponCodes: [p.code],
        placedAt: now,
      }).expect(201);
      await api(brand)
        .post(`/v1/orders/${o1.body.id}/refunds`, { externalId: 'RF-1', amountMinor: '2500' })
        .expect(201);
      expect(await commissionOf(brand, o1.body.id)).toMatchObject({
        commissionableMinor: '7500',
        baseMinor: '675',
        amountMinor: '675',
        status: 'pending',
      });
      await api(brand)
        .post(`/v1/orders/${o1.body.id}/refunds`, { externalId: 'RF-2', amountMinor: '7500' })
        .expect(201);
      expect(await commissionOf(brand, o1.body.id)).toMatchObject({
        amountMinor: '0',
        status: 'reversed',
        reason: 'refunded_in_hold',
      });

      const body = orderBody({ memberId: m.id, amountMinor: '10000', couponCodes: [p.code], placedAt: now });
      const o2 = await api(brand).post('/v1/orders', body).expect(201);
      await api(brand)
        .post('/v1/orders', { ...body, status: 'cancelled' })
        .expect(200);
      expect(await commissionOf(brand, o2.body.id)).toMatchObject({
        status: 'reversed',
        reason: 'order_cancelled',
      });

      // Past the hold: approved, except a commission held for review.
      const o3 = await order(brand, { memberId: m.id, couponCodes: [p.code], placedAt: daysAgo(20) }).expect(
        201,
      );
      const o4 = await order(brand, { memberId: m.id, couponCodes: [p.code], placedAt: daysAgo(20) }).expect(
        201,
      );
      await ds.query(
        `UPDATE partner_commissions SET status = 'held', reason = 'fraud:test' WHERE order_id = $1`,
        [o4.body.id],
      );
      await t.app.get(PartnerCommissionsService).approveDue();
      expect((await commissionOf(brand, o3.body.id))?.status).toBe('approved');
      expect((await commissionOf(brand, o4.body.id))?.status).toBe('held');
    });
  });

  describe('uplifts', () => {
    it('accrues as gated; when the window closes it is released where the gates were met and forfeited where not', async () => {
      const { brand, templateId } = await brandWithShop();
      const winner = await partner(brand, templateId, 'preferred');
      const loser = await partner(brand, templateId, 'preferred');
      const startsAt = daysAgo(10);
      const endsAt = new Date(Date.now() + 60_000).toISOString();
      const uplift = await api(brand)
        .post('/v1/partner-uplifts', {
          name: 'Double 11: 9 % → 25 %',
          tier: 'preferred',
          rateBp: 1600,
          startsAt,
          endsAt,
          minOrders: 2,
          minGmvMinor: 15000,
          minNewBuyerShareBp: 5000,
        })
        .expect(201);
      const buyers = await Promise.all([0, 1, 2].map(() => createMember(t.app, brand)));
      const w1 = await order(brand, {
        memberId: buyers[0].id,
        amountMinor: '10000',
        couponCodes: [winner.code],
        placedAt: daysAgo(3),
      }).expect(201);
      await order(brand, {
        memberId: buyers[1].id,
        amountMinor: '10000',
        couponCodes: [winner.code],
        placedAt: daysAgo(2),
      }).expect(201);
      const l1 = await order(brand, {
        memberId: buyers[2].id,
        amountMinor: '10000',
        couponCodes: [loser.code],
        placedAt: daysAgo(2),
      }).expect(201);
      expect(await commissionOf(brand, w1.body.id)).toMatchObject({
        upliftId: uplift.body.id,
        upliftRateBp: 1600,
        upliftMinor: '1600',
        upliftState: 'gated',
        baseMinor: '900',
        amountMinor: '900',
      });

      // Not yet closed: nothing is judged.
      const svc = t.app.get(PartnerUpliftsService);
      expect((await svc.closeDue()).filter((o) => o.upliftId === uplift.body.id)).toHaveLength(0);
      await ds.query(`UPDATE partner_uplifts SET ends_at = now() - interval '1 second' WHERE id = $1`, [
        uplift.body.id,
      ]);
      const outcomes = (await svc.closeDue()).filter((o) => o.upliftId === uplift.body.id);
      expect(outcomes).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            partnerId: winner.id,
            released: true,
            orders: 2,
            gmvMinor: '20000',
            newBuyerShareBp: 10000,
          }),
          expect.objectContaining({ partnerId: loser.id, released: false, orders: 1 }),
        ]),
      );
      for (const c of await commissions(brand, winner.id))
        expect(c).toMatchObject({ upliftState: 'released', amountMinor: '2500' });
      expect(await commissionOf(brand, l1.body.id)).toMatchObject({
        upliftState: 'forfeited',
        amountMinor: '900',
      });
      const closed = await api(brand).get(`/v1/partner-uplifts/${uplift.body.id}`).expect(200);
      expect(closed.body.closedAt).not.toBeNull();
      const audit = await ds.query(
        `SELECT action, entity_id FROM audit_log WHERE brand_id = $1 AND action LIKE 'partner_uplift.%' ORDER BY id`,
        [brand.id],
      );
      expect(audit.map((a: { action: string }) => a.action).sort()).toEqual([
        'partner_uplift.closed',
        'partner_uplift.created',
        'partner_uplift.forfeited',
        'partner_uplift.released',
      ]);
      // Judged once: a second run finds nothing.
      expect((await svc.closeDue()).filter((o) => o.upliftId === uplift.body.id)).toHaveLength(0);
    });

    it("with a category scope, applies to the in-scope lines' share of the order only", async () => {
      const { brand, templateId } = await brandWithShop();
      const p = await partner(brand, templateId, 'standard');
      await api(brand)
        .post('/v1/partner-uplifts', {
          name: 'Green tea week',
          partnerId: p.id,
          rateBp: 1600,
          startsAt: daysAgo(3),
          endsAt: daysAgo(-3),
          categories: ['green-tea'],
        })
        .expect(201);
      const m = await createMember(t.app, brand);
      const mixed = await order(brand, {
        memberId: m.id,
        amountMinor: '9000',
        couponCodes: [p.code],
        placedAt: daysAgo(1),
        items: [
          { sku: 'LJ', category: 'green-tea', quantity: 2, unitPriceMinor: 3000 },
          { sku: 'DHP', category: 'oolong', quantity: 1, unitPriceMinor: 4000 },
        ],
      }).expect(201);
      // In scope: 6000 of 10 000 listed, on 9000 paid → 5400; 16 % → 864. Base: 9 % of 9000 = 810.
      expect(await commissionOf(brand, mixed.body.id)).toMatchObject({
        baseMinor: '810',
        upliftMinor: '864',
        upliftState: 'gated',
        amountMinor: '810',
      });
      const outOfScope = await order(brand, {
        memberId: m.id,
        amountMinor: '4000',
        couponCodes: [p.code],
        placedAt: daysAgo(1),
        items: [{ sku: 'DHP', category: 'oolong', quantity: 1, unitPriceMinor: 4000 }],
      }).expect(201);
      expect(await commissionOf(brand, outOfScope.body.id)).toMatchObject({
        upliftId: null,
        upliftState: 'none',
        upliftMinor: '0',
      });
    });

    it('released after its commission was settled: a positive adjustment on the next settlement', async () => {
      const { brand, templateId } = await brandWithShop();
      const p = await partner(brand, templateId, 'standard');
      const uplift = await api(brand)
        .post('/v1/partner-uplifts', {
          name: 'Autumn',
          partnerId: p.id,
          rateBp: 1600,
          startsAt: daysAgo(40),
          endsAt: daysAgo(-1),
          minOrders: 1,
        })
        .expect(201);
      const m = await createMember(t.app, brand);
      const o = await order(brand, {
        memberId: m.id,
        amountMinor: '200000',
        couponCodes: [p.code],
        placedAt: daysAgo(30),
      }).expect(201);
      await api(brand).post('/v1/partner-commissions/approvals').expect(200);
      const s = await api(brand)
        .post('/v1/partner-settlements', { partnerId: p.id, from: dateIn(-60), to: dateIn(1) })
        .expect(201);
      expect(s.body).toMatchObject({ status: 'draft', totalMinor: '18000' });
      expect(s.body.lines[0]).toMatchObject({
        upliftMinor: '32000',
        upliftState: 'gated',
        amountMinor: '18000',
      });
      await api(brand).post(`/v1/partner-settlements/${s.body.id}/confirm`).expect(200);

      await ds.query(`UPDATE partner_uplifts SET ends_at = now() - interval '1 second' WHERE id = $1`, [
        uplift.body.id,
      ]);
      const outcomes = (await t.app.get(PartnerUpliftsService).closeDue()).filter(
        (x) => x.upliftId === uplift.body.id,
      );
      expect(outcomes).toEqual([expect.objectContaining({ partnerId: p.id, released: true })]);
      expect(await commissionOf(brand, o.body.id)).toMatchObject({
        upliftState: 'released',
        amountMinor: '18000',
      });
      const next = await api(brand)
        .post('/v1/partner-settlements', { partnerId: p.id, from: dateIn(1), to: dateIn(2) })
        .expect(201);
      expect(next.body).toMatchObject({ status: 'draft', adjustmentsMinor: '32000', totalMinor: '32000' });
      expect(next.body.lines).toEqual([
        expect.objectContaining({
          kind: 'adjustment',
          amountMinor: '32000',
          reason: 'uplift_released_after_settlement',
        }),
      ]);
    });

    it('bad uplift input → 400 naming the field', async () => {
      const { brand } = await brandWithShop();
      const base = { name: 'u', tier: 'pilot', rateBp: 500, startsAt: daysAgo(1), endsAt: daysAgo(-1) };
      const cases: Array<[object, string]> = [
        [{ ...base, rateBp: 0 }, 'rateBp'],
        [{ ...base, endsAt: daysAgo(2) }, 'endsAt'],
        [{ ...base, partnerId: randomUUID() }, 'partnerId'],
        [{ ...base, tier: undefined }, 'partnerId'],
        [{ ...base, minNewBuyerShareBp: 10001 }, 'minNewBuyerShareBp'],
      ];
      for (const [body, field] of cases) {
        const res = await api(brand).post('/v1/partner-uplifts', body).expect(400);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
    });
  });

  describe('settlements', () => {
    it('settles approved commissions with their orders (JSON and CSV), immutable once confirmed; a payout marks them paid; a refund after payment is clawed back on the next one', async () => {
      const { brand, templateId } = await brandWithShop();
      const p = await partner(brand, templateId, 'standard');
      const m = await createMember(t.app, brand);
      const o1 = await order(brand, {
        memberId: m.id,
        amountMinor: '200000',
        couponCodes: [p.code],
        placedAt: daysAgo(30),
      }).expect(201);
      const o2 = await order(brand, {
        memberId: m.id,
        amountMinor: '100000',
        couponCodes: [p.code],
        placedAt: daysAgo(25),
      }).expect(201);
      const pending = await order(brand, {
        memberId: m.id,
        amountMinor: '200000',
        couponCodes: [p.code],
        placedAt: new Date().toISOString(),
      }).expect(201);
      const approvals = await api(brand).post('/v1/partner-commissions/approvals').expect(200);
      expect(approvals.body).toEqual({ approved: 2 });

      const s = await api(brand)
        .post('/v1/partner-settlements', { partnerId: p.id, from: dateIn(-60), to: dateIn(1) })
        .expect(201);
      expect(s.body).toMatchObject({
        status: 'draft',
        commissionsMinor: '27000',
        adjustmentsMinor: '0',
        totalMinor: '27000',
        lineCount: 2,
      });
      expect(
        s.body.lines.map((l: { orderId: string; amountMinor: string }) => [l.orderId, l.amountMinor]),
      ).toEqual([
        [o1.body.id, '18000'],
        [o2.body.id, '9000'],
      ]);
      expect((await commissionOf(brand, pending.body.id))?.settlementId).toBeNull();
      const dup = await api(brand)
        .post('/v1/partner-settlements', { partnerId: p.id, from: dateIn(-60), to: dateIn(1) })
        .expect(409);
      expect(dup.body.code).toBe('PARTNER_SETTLEMENT_EXISTS');

      const csv = await api(brand).get(`/v1/partner-settlements/${s.body.id}/statement.csv`).expect(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      const lines = csv.text.trim().split('\n');
      expect(lines[0]).toContain('order_external_id');
      expect(lines).toHaveLength(4);
      expect(lines[1]).toContain(o1.body.externalId);
      expect(lines[3]).toContain('27000');

      await api(brand).post(`/v1/partner-settlements/${s.body.id}/payout`, { reference: 'TX-1' }).expect(409);
      await api(brand).post(`/v1/partner-settlements/${s.body.id}/confirm`).expect(200);
      await api(brand).post(`/v1/partner-settlements/${s.body.id}/confirm`).expect(409);
      // Immutable in the database too.
      await expect(
        ds.query(`UPDATE partner_settlement_lines SET amount_minor = 1 WHERE settlement_id = $1`, [
          s.body.id,
        ]),
      ).rejects.toThrow(/cannot change/);
      await expect(
        ds.query(`UPDATE partner_settlements SET total_minor = 1, commissions_minor = 1 WHERE id = $1`, [
          s.body.id,
        ]),
      ).rejects.toThrow(/cannot change/);
      await expect(
        ds.query(`UPDATE partner_commissions SET amount_minor = 1 WHERE order_id = $1`, [o1.body.id]),
      ).rejects.toThrow(/cannot change/);
      await expect(ds.query(`DELETE FROM partner_settlements WHERE id = $1`, [s.body.id])).rejects.toThrow(
        /cannot be deleted/,
      );

      const bad = await api(brand)
        .post(`/v1/partner-settlements/${s.body.id}/payout`, { reference: '' })
        .expect(400);
      expect(bad.body.errors[0].field).toBe('reference');
      const paid = await api(brand)
        .post(`/v1/partner-settlements/${s.body.id}/payout`, { reference: 'ALIPAY-2026-001' })
        .expect(200);
      expect(paid.body).toMatchObject({ status: 'paid', payoutReference: 'ALIPAY-2026-001' });
      expect((await commissionOf(brand, o1.body.id))?.status).toBe('paid');
      expect((await commissionOf(brand, pending.body.id))?.status).toBe('pending');

      // A refund after payment: a negative adjustment on the next settlement, the paid commission untouched.
      await api(brand)
        .post(`/v1/orders/${o1.body.id}/refunds`, { externalId: 'RF-late', amountMinor: '50000' })
        .expect(201);
      expect(await commissionOf(brand, o1.body.id)).toMatchObject({ status: 'paid', amountMinor: '18000' });
      const [adj] = await ds.query(
        `SELECT amount_minor, reason FROM partner_adjustments WHERE order_id = $1`,
        [o1.body.id],
      );
      expect(adj).toEqual({ amount_minor: '-4500', reason: 'refund_after_settlement' });

      // The next period: the clawback alone is below the minimum payout: carried, nothing bound.
      const next = await api(brand)
        .post('/v1/partner-settlements', { partnerId: p.id, from: dateIn(1), to: dateIn(2) })
        .expect(201);
      expect(next.body).toMatchObject({
        status: 'carried',
        adjustmentsMinor: '-4500',
        totalMinor: '-4500',
        lineCount: 0,
      });
      // Once the pending commission is approved, it and the clawback settle together.
      await ds.query(
        `UPDATE partner_commissions SET hold_until = now() - interval '1 second' WHERE order_id = $1`,
        [pending.body.id],
      );
      await t.app.get(PartnerCommissionsService).approveDue();
      const third = await api(brand)
        .post('/v1/partner-settlements', { partnerId: p.id, from: dateIn(2), to: dateIn(3) })
        .expect(201);
      expect(third.body).toMatchObject({
        status: 'draft',
        commissionsMinor: '18000',
        adjustmentsMinor: '-4500',
        totalMinor: '13500',
      });
      expect(
        third.body.lines.map((l: { kind: string; amountMinor: string }) => [l.kind, l.amountMinor]),
      ).toEqual([
        ['commission', '18000'],
        ['adjustment', '-4500'],
      ]);
    });

    it('concurrent settlements of one partner and period: one is made (201), the others 409; each commission settled once', async () => {
      const { brand, templateId } = await brandWithShop();
      const p = await partner(brand, templateId, 'standard');
      const m = await createMember(t.app, brand);
      for (const days of [30, 25])
        await order(brand, {
          memberId: m.id,
          amountMinor: '100000',
          couponCodes: [p.code],
          placedAt: daysAgo(days),
        }).expect(201);
      expect((await api(brand).post('/v1/partner-commissions/approvals').expect(200)).body).toEqual({
        approved: 2,
      });
      const body = { partnerId: p.id, from: dateIn(-60), to: dateIn(1) };
      const results = await Promise.all(
        Array.from({ length: 5 }, () => api(brand).post('/v1/partner-settlements', body)),
      );
      const made = results.filter((r) => r.status === 201);
      expect(made).toHaveLength(1);
      expect(results.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(
        Array(4).fill('PARTNER_SETTLEMENT_EXISTS'),
      );
      expect(made[0].body).toMatchObject({ lineCount: 2, totalMinor: '18000' });
      const settled = await commissions(brand, p.id);
      expect(settled.map((c) => c.settlementId)).toEqual([made[0].body.id, made[0].body.id]);
    });
  });

  describe('promotion and demotion', () => {
    it('the scheduled evaluation promotes by orders and GMV in the window, demotes on a high fraud score, with evidence', async () => {
      const { brand, templateId } = await brandWithShop();
      await api(brand)
        .put('/v1/partner-tiers/pilot', {
          baseRateBp: 900,
          holdingDays: 14,
          minPayoutMinor: 0,
          promoteMinOrders: 2,
          promoteMinGmvMinor: 15000,
          promoteWindowDays: 30,
          promoteMaxFraudScore: 30,
        })
        .expect(200);
      await api(brand)
        .put('/v1/partner-tiers/standard', {
          baseRateBp: 900,
          holdingDays: 14,
          minPayoutMinor: 0,
          promoteMinOrders: null,
          promoteMinGmvMinor: null,
          demoteMinOrders: null,
          demoteFraudScore: 50,
        })
        .expect(200);
      const rising = await partner(brand, templateId, 'pilot');
      const quiet = await partner(brand, templateId, 'pilot');
      const flagged = await partner(brand, templateId, 'pilot');
      const m = await createMember(t.app, brand);
      // Two orders a day apart each (the same buyer, amount and items close together would be a
      // duplicate_order fraud flag, which adds to the score).
      for (const p of [rising, flagged])
        for (const day of [5, 6])
          await order(brand, {
            memberId: m.id,
            amountMinor: '10000',
            couponCodes: [p.code],
            placedAt: daysAgo(day),
          }).expect(201);
      await order(brand, {
        memberId: m.id,
        amountMinor: '10000',
        couponCodes: [quiet.code],
        placedAt: daysAgo(5),
      }).expect(201);
      await ds.query(`UPDATE partners SET fraud_score = 40 WHERE id = $1`, [flagged.id]);

      const evaluation = t.app.get(PartnerTierEvaluationService);
      const moves = await evaluation.evaluate(brand.id);
      expect(moves).toEqual([{ partnerId: rising.id, action: 'partner.promoted' }]);
      expect((await api(brand).get(`/v1/partners/${rising.id}`).expect(200)).body).toMatchObject({
        tier: 'standard',
      });
      expect((await api(brand).get(`/v1/partners/${quiet.id}`).expect(200)).body.tier).toBe('pilot');
      expect((await api(brand).get(`/v1/partners/${flagged.id}`).expect(200)).body.tier).toBe('pilot');
      const history = await api(brand).get(`/v1/partners/${rising.id}/history`).expect(200);
      expect(history.body.items.at(-1)).toMatchObject({
        fromTier: 'pilot',
        toTier: 'standard',
        reason: 'promoted',
        actorId: null,
        evidence: { fraudScore: 0, promotion: { orders: 2, gmvMinor: '20000', minOrders: 2 } },
      });
      expect(await evaluation.evaluate(brand.id)).toEqual([]);

      await ds.query(`UPDATE partners SET fraud_score = 60 WHERE id = $1`, [rising.id]);
      expect(await evaluation.evaluate(brand.id)).toEqual([
        { partnerId: rising.id, action: 'partner.demoted' },
      ]);
      expect((await api(brand).get(`/v1/partners/${rising.id}`).expect(200)).body).toMatchObject({
        status: 'pilot',
        tier: 'pilot',
      });
      const audit = await ds.query(
        `SELECT action, after FROM audit_log WHERE brand_id = $1 AND entity_id = $2 AND actor_type = 'system' ORDER BY id`,
        [brand.id, rising.id],
      );
      expect(audit.map((a: { action: string }) => a.action)).toEqual(['partner.promoted', 'partner.demoted']);
      expect(audit[1].after.evidence.fraudScore).toBe(60);
    });

    it('bad tier settings → 400 naming the field', async () => {
      const { brand } = await brandWithShop();
      const cases: Array<[string, object, string]> = [
        ['standard', { baseRateBp: 10001, holdingDays: 1, minPayoutMinor: 0 }, 'baseRateBp'],
        ['standard', { baseRateBp: 900, holdingDays: 1, minPayoutMinor: 1.5 }, 'minPayoutMinor'],
        ['standard', { baseRateBp: 900, holdingDays: 1, minPayoutMinor: 0, capMinor: '-1' }, 'capMinor'],
        ['gold', { baseRateBp: 900, holdingDays: 1, minPayoutMinor: 0 }, 'tier'],
      ];
      for (const [tier, body, field] of cases) {
        const res = await api(brand).put(`/v1/partner-tiers/${tier}`, body).expect(400);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      const tiers = await api(brand).get('/v1/partner-tiers').expect(200);
      expect(tiers.body.items.every((x: { configured: boolean }) => !x.configured)).toBe(true);
    });
  });

  describe('preferred partners', () => {
    it('get a dedicated coupon template with its own budget; its codes attribute orders to them', async () => {
      const { brand, templateId } = await brandWithShop();
      const pilot = await partner(brand, templateId, 'pilot');
      await api(brand)
        .post(`/v1/partners/${pilot.id}/dedicated-template`, {
          kind: 'fixed_amount',
          amountOffMinor: 500,
          budgetCount: 10,
        })
        .expect(409);
      const p = await partner(brand, templateId, 'preferred');
      const res = await api(brand)
        .post(`/v1/partners/${p.id}/dedicated-template`, {
          kind: 'fixed_amount',
          amountOffMinor: 500,
          budgetCount: 10,
        })
        .expect(201);
      expect(res.body.dedicatedTemplateId).not.toBeNull();
      const [tpl] = await ds.query(`SELECT status, budget_count FROM coupon_templates WHERE id = $1`, [
        res.body.dedicatedTemplateId,
      ]);
      expect(tpl).toEqual({ status: 'active', budget_count: 10 });
      const code = await api(brand)
        .post(`/v1/partners/${p.id}/codes`, { code: 'ANNA-VIP', maxRedemptions: 10 })
        .expect(201);
      expect(code.body).toMatchObject({ code: 'ANNA-VIP', templateId: res.body.dedicatedTemplateId });
      const m = await createMember(t.app, brand);
      const o = await order(brand, { memberId: m.id, couponCodes: ['anna-vip'] }).expect(201);
      expect(await commissionOf(brand, o.body.id)).toMatchObject({
        attributedBy: 'coupon',
        tier: 'preferred',
      });
      expect((await commissions(brand, p.id)).map((c) => c.orderId)).toEqual([o.body.id]);
    });
  });
});
