import { randomUUID } from 'node:crypto';
import { OrdersService } from '@siyu/commerce';
import { normalisePhone } from '@siyu/members';
import { DataSource } from 'typeorm';
import { createBrand, createOperator, TestBrand } from './factories/brand.factory';
import { createMember, ownerActor, uniquePhone } from './factories/member.factory';
import { recordOrder } from './factories/order.factory';
import {
  addClicks,
  commissionStatus,
  createCommission,
  createPartner,
  createPartnerLink,
  flagsOf,
  fraudScore,
} from './factories/partners-risk.factory';
import { createTestApp, TestApp } from './harness';

const PLACED = '2025-06-18T12:00:00.000Z';
const minutesAfter = (iso: string, min: number) =>
  new Date(new Date(iso).getTime() + min * 60_000).toISOString();

/**
 * The fraud checks on real orders (commerce's service, refunds) and clicks, with commissions
 * created as partners-core creates them (insert, then PartnerHooks in the same transaction).
 */
describe('partners: fraud checks (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  /** An order through commerce's service; a fresh store customer unless a member or identities are given. */
  const buy = (brand: TestBrand, o: Record<string, unknown> = {}) =>
    recordOrder(t.app, brand, {
      ...(o.memberId || o.identities ? {} : { identities: { storeCustomerId: `c-${randomUUID()}` } }),
      ...o,
    });

  const api = (brand: TestBrand) => {
    const auth = { authorization: `Bearer ${brand.owner.token}` };
    return {
      get: (url: string) => t.http().get(url).set(auth),
      post: (url: string, body: object = {}) => t.http().post(url).set(auth).send(body),
      put: (url: string, body: object) => t.http().put(url).set(auth).send(body),
    };
  };

  describe('self-purchase', () => {
    it('flags an order bought by the partner’s own member and holds its commission; another buyer is not flagged', async () => {
      const brand = await createBrand(t.app);
      const own = await createMember(t.app, brand);
      const partner = await createPartner(t.app, brand, { memberId: own.id });
      const selfOrder = await buy(brand, { memberId: own.id });
      const c1 = await createCommission(t.app, brand, partner.id, selfOrder);

      const [flag] = await flagsOf(t.app, c1);
      expect(flag).toMatchObject({ kind: 'self_purchase', held: true });
      expect(flag.evidence).toMatchObject({ rule: 'partner_member', buyerMemberId: own.id });
      expect(await commissionStatus(t.app, c1)).toBe('held');
      const [{ reason }] = await ds.query(`SELECT reason FROM partner_commissions WHERE id = $1`, [c1]);
      expect(reason).toBe('fraud:self_purchase');
      expect(await fraudScore(t.app, partner.id)).toBe(30);

      const stranger = await createMember(t.app, brand);
      const c2 = await createCommission(
        t.app,
        brand,
        partner.id,
        await buy(brand, { memberId: stranger.id }),
      );
      expect(await flagsOf(t.app, c2)).toEqual([]);
      expect(await commissionStatus(t.app, c2)).toBe('pending');
    });

    it('flags a buyer who shares the partner’s phone (matched by HMAC, as identities store it), not one with another phone', async () => {
      const brand = await createBrand(t.app);
      const phone = uniquePhone();
      const partner = await createPartner(t.app, brand, { contactPhone: normalisePhone(phone) });
      const sharer = await createMember(t.app, brand, { identities: { phone } });
      const c1 = await createCommission(t.app, brand, partner.id, await buy(brand, { memberId: sharer.id }));
      const [flag] = await flagsOf(t.app, c1);
      expect(flag.kind).toBe('self_purchase');
      expect(flag.evidence.rule).toBe('partner_phone');

      // An order nobody owns yet, carrying the partner's phone: the claim is matched the same way.
      const unmatched = await buy(brand, { identities: { phone: phone } });
      expect(unmatched.memberId).toBe(sharer.id); // the phone already belongs to a member: matched at once
      const other = await createMember(t.app, brand, { identities: { phone: uniquePhone() } });
      const c2 = await createCommission(t.app, brand, partner.id, await buy(brand, { memberId: other.id }));
      expect(await flagsOf(t.app, c2)).toEqual([]);
    });

    it('flags an unmatched order whose identity claims carry the partner’s phone', async () => {
      const brand = await createBrand(t.app);
      const phone = uniquePhone();
      const partner = await createPartner(t.app, brand, { contactPhone: normalisePhone(phone) });
      const order = await buy(brand, { identities: { phone } });
      expect(order.memberId).toBeNull();
      const c = await createCommission(t.app, brand, partner.id, order);
      const [flag] = await flagsOf(t.app, c);
      expect(flag).toMatchObject({ kind: 'self_purchase', evidence: { rule: 'partner_phone' } });
    });
  });

  describe('click flooding', () => {
    it('flags an order after a flood of clicks from one IP hash; the same clicks from many addresses are not a flood; the threshold is per brand', async () => {
      const brand = await createBrand(t.app);
      const partner = await createPartner(t.app, brand);
      const link = await createPartnerLink(t.app, brand, partner.id);
      const buyer = await createMember(t.app, brand);
      const ip = 'a'.repeat(64);
      await addClicks(t.app, brand, link, partner.id, { count: 25, at: PLACED, ipHash: ip });
      const c1 = await createCommission(t.app, brand, partner.id, await buy(brand, { memberId: buyer.id }));
      const [flag] = await flagsOf(t.app, c1);
      expect(flag.kind).toBe('click_flood');
      expect(flag.evidence).toMatchObject({
        by: 'ip',
        key: ip.slice(0, 16),
        clicks: 25,
        threshold: 20,
        windowMinutes: 60,
      });
      expect(await commissionStatus(t.app, c1)).toBe('held');

      // Another partner: 25 clicks from 25 addresses within the same hour.
      const honest = await createPartner(t.app, brand);
      const link2 = await createPartnerLink(t.app, brand, honest.id);
      await addClicks(t.app, brand, link2, honest.id, { count: 25, at: PLACED });
      const c2 = await createCommission(t.app, brand, honest.id, await buy(brand, { memberId: buyer.id }));
      expect(await flagsOf(t.app, c2)).toEqual([]);

      // Raise the brand's threshold: the same flood on a third partner is no longer one.
      const settings = (await api(brand).get('/v1/partner-fraud-settings').expect(200)).body;
      await api(brand)
        .put('/v1/partner-fraud-settings', { ...settings, clickFloodMaxClicks: 30 })
        .expect(200);
      const third = await createPartner(t.app, brand);
      const link3 = await createPartnerLink(t.app, brand, third.id);
      await addClicks(t.app, brand, link3, third.id, { count: 25, at: PLACED, ipHash: 'b'.repeat(64) });
      const c3 = await createCommission(t.app, brand, third.id, await buy(brand, { memberId: buyer.id }));
      expect(await flagsOf(t.app, c3)).toEqual([]);
    });

    it('flags a flood from one device (the redirect’s device cookie) clicking from many addresses; many devices are not one', async () => {
      const brand = await createBrand(t.app);
      const partner = await createPartner(t.app, brand);
      const link = await createPartnerLink(t.app, brand, partner.id);
      const device = 'd'.repeat(64);
      await addClicks(t.app, brand, link, partner.id, { count: 21, at: PLACED, deviceHash: device });
      const c = await createCommission(t.app, brand, partner.id, await buy(brand));
      const [flag] = await flagsOf(t.app, c);
      expect(flag).toMatchObject({
        kind: 'click_flood',
        evidence: { by: 'device', key: device.slice(0, 16), clicks: 21, threshold: 20 },
      });

      const honest = await createPartner(t.app, brand);
      const link2 = await createPartnerLink(t.app, brand, honest.id);
      await addClicks(t.app, brand, link2, honest.id, { count: 21, at: PLACED });
      const c2 = await createCommission(t.app, brand, honest.id, await buy(brand));
      expect(await flagsOf(t.app, c2)).toEqual([]);
    });

    it('flags a flood from one member', async () => {
      const brand = await createBrand(t.app);
      const partner = await createPartner(t.app, brand);
      const link = await createPartnerLink(t.app, brand, partner.id);
      const clicker = await createMember(t.app, brand);
      await addClicks(t.app, brand, link, partner.id, { count: 22, at: PLACED, memberId: clicker.id });
      const c = await createCommission(t.app, brand, partner.id, await buy(brand, { memberId: clicker.id }));
      const [flag] = await flagsOf(t.app, c);
      expect(flag.evidence).toMatchObject({ by: 'member', key: clicker.id, clicks: 22 });
    });

    it('counts only clicks inside the window before the order', async () => {
      const brand = await createBrand(t.app);
      const partner = await createPartner(t.app, brand);
      const link = await createPartnerLink(t.app, brand, partner.id);
      await addClicks(t.app, brand, link, partner.id, {
        count: 25,
        at: minutesAfter(PLACED, -120),
        ipHash: 'c'.repeat(64),
      });
      await addClicks(t.app, brand, link, partner.id, {
        count: 25,
        at: minutesAfter(PLACED, 30),
        ipHash: 'c'.repeat(64),
      });
      const c = await createCommission(t.app, brand, partner.id, await buy(brand));
      expect(await flagsOf(t.app, c)).toEqual([]);
    });
  });

  describe('duplicate orders', () => {
    it('flags the later of two orders with the same buyer, amount and items within the window; not a different amount or a later day', async () => {
      const brand = await createBrand(t.app);
      const partner = await createPartner(t.app, brand);
      const buyer = await createMember(t.app, brand);
      const first = await buy(brand, { memberId: buyer.id, placedAt: PLACED });
      const c1 = await createCommission(t.app, brand, partner.id, first);
      const second = await buy(brand, { memberId: buyer.id, placedAt: minutesAfter(PLACED, 10) });
      const c2 = await createCommission(t.app, brand, partner.id, second);
      expect(await flagsOf(t.app, c1)).toEqual([]);
      const [flag] = await flagsOf(t.app, c2);
      expect(flag.kind).toBe('duplicate_order');
      expect(flag.evidence).toMatchObject({
        rule: 'same_buyer_amount_items',
        duplicateOf: first.id,
        minutesApart: 10,
      });

      const otherAmount = await buy(brand, {
        memberId: buyer.id,
        placedAt: minutesAfter(PLACED, 12),
        amountMinor: '9900',
        items: [{ sku: 'TEA-1', quantity: 1, unitPriceMinor: 9900 }],
      });
      expect(await flagsOf(t.app, await createCommission(t.app, brand, partner.id, otherAmount))).toEqual([]);
      const nextDay = await buy(brand, { memberId: buyer.id, placedAt: minutesAfter(PLACED, 24 * 60) });
      expect(await flagsOf(t.app, await createCommission(t.app, brand, partner.id, nextDay))).toEqual([]);
    });

    it('flags the same external order recorded from two sources for the same partner', async () => {
      const brand = await createBrand(t.app);
      const partner = await createPartner(t.app, brand);
      const externalId = `EXT-${randomUUID()}`;
      const a = await buy(brand, { source: 'store', externalId, placedAt: PLACED });
      const b = await buy(brand, { source: 'mall', externalId, placedAt: minutesAfter(PLACED, 600) });
      const ca = await createCommission(t.app, brand, partner.id, a);
      const cb = await createCommission(t.app, brand, partner.id, b);
      expect(await flagsOf(t.app, ca)).toEqual([]);
      const [flag] = await flagsOf(t.app, cb);
      expect(flag.evidence).toMatchObject({
        rule: 'same_external_id',
        duplicateOf: a.id,
        source: 'store',
        externalId,
      });
      // A different external id from the other source is not a duplicate.
      const c = await buy(brand, { source: 'mall', placedAt: minutesAfter(PLACED, 700) });
      expect(await flagsOf(t.app, await createCommission(t.app, brand, partner.id, c))).toEqual([]);
    });
  });

  describe('orders immediately refunded', () => {
    it('flags an order refunded in full within the window through the refund path (CommerceHooks); not a partial refund, not a full refund days later', async () => {
      const brand = await createBrand(t.app);
      const partner = await createPartner(t.app, brand);
      const orders = t.app.get(OrdersService);
      const quick = await buy(brand, { placedAt: PLACED });
      const c1 = await createCommission(t.app, brand, partner.id, quick);
      await orders.refund(ownerActor(brand), quick.id, {
        externalId: 'R-1a',
        amountMinor: '5000',
        refundedAt: minutesAfter(PLACED, 30),
      });
      expect(await flagsOf(t.app, c1)).toEqual([]); // one item back: ordinary
      await orders.refund(ownerActor(brand), quick.id, {
        externalId: 'R-1b',
        amountMinor: '7800',
        refundedAt: minutesAfter(PLACED, 90),
      });
      const [flag] = await flagsOf(t.app, c1);
      expect(flag.kind).toBe('quick_refund');
      expect(flag.evidence).toMatchObject({
        refundedMinor: '12800',
        orderMinor: '12800',
        minutesAfterOrder: 90,
        windowHours: 24,
      });
      // Held for review, or reversed by partners-core's refund handling (a full refund inside the hold).
      expect(['held', 'reversed']).toContain(await commissionStatus(t.app, c1));
      expect(await fraudScore(t.app, partner.id)).toBe(10);

      const slow = await buy(brand, { placedAt: PLACED });
      const c2 = await createCommission(t.app, brand, partner.id, slow);
      await orders.refund(ownerActor(brand), slow.id, {
        externalId: 'R-2',
        amountMinor: '12800',
        refundedAt: minutesAfter(PLACED, 3 * 24 * 60),
      });
      expect(await flagsOf(t.app, c2)).toEqual([]);
    });

    it('flags an order that was already refunded in full when its commission was created', async () => {
      const brand = await createBrand(t.app);
      const partner = await createPartner(t.app, brand);
      const order = await buy(brand, { placedAt: PLACED });
      await t.app.get(OrdersService).refund(ownerActor(brand), order.id, {
        externalId: 'R-0',
        amountMinor: '12800',
        refundedAt: minutesAfter(PLACED, 5),
      });
      const c = await createCommission(t.app, brand, partner.id, order);
      expect((await flagsOf(t.app, c)).map((f) => f.kind)).toEqual(['quick_refund']);
    });
  });

  describe('conversion rate far above the tier’s norm', () => {
    it('the sweep flags a partner converting far above the other partners of the tier; not the norm itself, not one below the minimum clicks', async () => {
      const brand = await createBrand(t.app);
      const placed = new Date(Date.now() - 86_400_000).toISOString();
      const hot = await createPartner(t.app, brand);
      const normal = await createPartner(t.app, brand);
      const few = await createPartner(t.app, brand);
      const pilot = await createPartner(t.app, brand, { tier: 'pilot' });
      const mk = async (p: { id: string }, clicks: number, orders: number) => {
        const link = await createPartnerLink(t.app, brand, p.id);
        if (clicks > 0) await addClicks(t.app, brand, link, p.id, { count: clicks, at: placed });
        const ids: string[] = [];
        for (let i = 0; i < orders; i++)
          ids.push(
            await createCommission(
              t.app,
              brand,
              p.id,
              await buy(brand, { placedAt: minutesAfter(placed, i * 61) }),
            ),
          );
        return ids;
      };
      const hotIds = await mk(hot, 25, 10); // 40 %
      await mk(normal, 200, 4); // 2 %
      await mk(few, 5, 3); // 60 %, but only 5 clicks
      await mk(pilot, 30, 2); // 6.7 %, alone on its tier: judged against the default norm (5 %)

      const res = await api(brand).post('/v1/partner-fraud-sweeps').expect(200);
      expect(res.body.flagged).toBe(10);
      expect(new Set(res.body.flags.map((f: { partnerId: string }) => f.partnerId))).toEqual(
        new Set([hot.id]),
      );
      const [flag] = await flagsOf(t.app, hotIds[0]);
      expect(flag.kind).toBe('conversion_rate');
      expect(flag.evidence).toMatchObject({
        clicks: 25,
        orders: 10,
        rateBp: 4000,
        tier: 'standard',
        multiplierPct: 300,
      });
      // The norm excludes the partner judged: the other standard partners' pooled rate (7 / 205).
      expect(flag.evidence.tierNormBp).toBe(Math.floor((7 * 10_000) / 205));
      for (const id of hotIds) expect(await commissionStatus(t.app, id)).toBe('held');
      expect(await fraudScore(t.app, hot.id)).toBe(30); // 15 × 2 (two or more flags of the check)
      expect(await fraudScore(t.app, normal.id)).toBe(0);

      // A second sweep adds nothing (one flag per commission and check).
      expect((await api(brand).post('/v1/partner-fraud-sweeps').expect(200)).body.flagged).toBe(0);
      const audit = await api(brand).get('/v1/audit-log?action=partner_fraud.sweep').expect(200);
      expect(audit.body.items).toHaveLength(2);
    });
  });

  describe('review', () => {
    it('approve returns a held commission to pending (hold not over) or approved (over); reject makes it rejected; audited once each', async () => {
      const brand = await createBrand(t.app);
      const own = await createMember(t.app, brand);
      const partner = await createPartner(t.app, brand, { memberId: own.id });
      const recent = new Date(Date.now() - 3_600_000).toISOString();
      const young = await createCommission(
        t.app,
        brand,
        partner.id,
        await buy(brand, { memberId: own.id, placedAt: recent }),
      );
      const old = await createCommission(
        t.app,
        brand,
        partner.id,
        await buy(brand, { memberId: own.id, placedAt: PLACED }),
      );
      const bad = await createCommission(
        t.app,
        brand,
        partner.id,
        await buy(brand, { memberId: own.id, placedAt: minutesAfter(PLACED, 5000) }),
      );
      expect(await fraudScore(t.app, partner.id)).toBe(60);
      const list = await api(brand)
        .get(`/v1/partner-fraud-flags?partnerId=${partner.id}&status=open&limit=2`)
        .expect(200);
      expect(list.body.items).toHaveLength(2);
      expect(list.body.nextCursor).toEqual(expect.any(String));
      const rest = await api(brand)
        .get(
          `/v1/partner-fraud-flags?partnerId=${partner.id}&status=open&limit=2&cursor=${list.body.nextCursor}`,
        )
        .expect(200);
      expect(rest.body.items).toHaveLength(1);

      const flagOf = async (c: string) => (await flagsOf(t.app, c))[0].id;
      const a = await api(brand)
        .post(`/v1/partner-fraud-flags/${await flagOf(young)}/review`, {
          decision: 'approve',
          note: 'her own tea',
        })
        .expect(200);
      expect(a.body).toMatchObject({
        status: 'approved',
        commissionStatus: 'pending',
        reviewNote: 'her own tea',
      });
      expect(await commissionStatus(t.app, young)).toBe('pending');
      await api(brand)
        .post(`/v1/partner-fraud-flags/${await flagOf(old)}/review`, { decision: 'approve' })
        .expect(200);
      expect(await commissionStatus(t.app, old)).toBe('approved');
      const r = await api(brand)
        .post(`/v1/partner-fraud-flags/${await flagOf(bad)}/review`, { decision: 'reject' })
        .expect(200);
      expect(r.body).toMatchObject({ status: 'rejected', commissionStatus: 'rejected' });
      // Two flags cleared, one confirmed: one uncleared self-purchase flag is 30 points.
      expect(await fraudScore(t.app, partner.id)).toBe(30);

      const again = await api(brand)
        .post(`/v1/partner-fraud-flags/${await flagOf(bad)}/review`, { decision: 'approve' })
        .expect(409);
      expect(again.body.code).toBe('PARTNER_FRAUD_FLAG_ALREADY_REVIEWED');
      expect(await commissionStatus(t.app, bad)).toBe('rejected');

      const audit = await api(brand).get('/v1/audit-log?entityType=partner_fraud_flag').expect(200);
      expect(audit.body.items.map((e: { action: string }) => e.action).sort()).toEqual([
        'partner_fraud_flag.approve',
        'partner_fraud_flag.approve',
        'partner_fraud_flag.reject',
      ]);
      const rejected = audit.body.items.find(
        (e: { action: string }) => e.action === 'partner_fraud_flag.reject',
      );
      expect(rejected.before).toMatchObject({ status: 'open', commissionStatus: 'held' });
      expect(rejected.after).toMatchObject({ status: 'rejected', commissionStatus: 'rejected' });
    });

    it('a commission with two open flags stays held until both are cleared', async () => {
      const brand = await createBrand(t.app);
      const own = await createMember(t.app, brand);
      const partner = await createPartner(t.app, brand, { memberId: own.id });
      const link = await createPartnerLink(t.app, brand, partner.id);
      await addClicks(t.app, brand, link, partner.id, { count: 21, at: PLACED, ipHash: 'd'.repeat(64) });
      const c = await createCommission(t.app, brand, partner.id, await buy(brand, { memberId: own.id }));
      const flags = await flagsOf(t.app, c);
      expect(flags.map((f) => f.kind)).toEqual(['click_flood', 'self_purchase']);
      expect(await fraudScore(t.app, partner.id)).toBe(50);
      await api(brand)
        .post(`/v1/partner-fraud-flags/${flags[0].id}/review`, { decision: 'approve' })
        .expect(200);
      expect(await commissionStatus(t.app, c)).toBe('held');
      await api(brand)
        .post(`/v1/partner-fraud-flags/${flags[1].id}/review`, { decision: 'approve' })
        .expect(200);
      expect(await commissionStatus(t.app, c)).toBe('approved');
      expect(await fraudScore(t.app, partner.id)).toBe(0);
    });

    it('concurrent reviews of one flag: one decision stands (200), the others are 409; audited once', async () => {
      const brand = await createBrand(t.app);
      const own = await createMember(t.app, brand);
      const partner = await createPartner(t.app, brand, { memberId: own.id });
      const recent = new Date(Date.now() - 3_600_000).toISOString();
      const c = await createCommission(
        t.app,
        brand,
        partner.id,
        await buy(brand, { memberId: own.id, placedAt: recent }),
      );
      const [flag] = await flagsOf(t.app, c);
      const decisions = ['approve', 'reject', 'approve', 'reject', 'approve', 'reject'];
      const results = await Promise.all(
        decisions.map((decision) =>
          api(brand).post(`/v1/partner-fraud-flags/${flag.id}/review`, { decision }),
        ),
      );
      const ok = results.filter((r) => r.status === 200);
      expect(ok).toHaveLength(1);
      expect(results.filter((r) => r.status === 409)).toHaveLength(decisions.length - 1);
      for (const r of results.filter((x) => x.status === 409))
        expect(r.body.code).toBe('PARTNER_FRAUD_FLAG_ALREADY_REVIEWED');
      const won = ok[0].body.status as string;
      // The commission follows the one decision that stood: back to pending (hold not over) or rejected.
      expect(await commissionStatus(t.app, c)).toBe(won === 'approved' ? 'pending' : 'rejected');
      expect(await fraudScore(t.app, partner.id)).toBe(won === 'approved' ? 0 : 30);
      const audit = await api(brand)
        .get(`/v1/audit-log?entityType=partner_fraud_flag&entityId=${flag.id}`)
        .expect(200);
      expect(audit.body.items).toHaveLength(1);
      expect(audit.body.items[0].action).toBe(
        `partner_fraud_flag.${won === 'approved' ? 'approve' : 'reject'}`,
      );
    });

    it('bad input is a 400 naming the field; another brand’s flag is a 404; community managers may not review', async () => {
      const brand = await createBrand(t.app);
      const own = await createMember(t.app, brand);
      const partner = await createPartner(t.app, brand, { memberId: own.id });
      const c = await createCommission(t.app, brand, partner.id, await buy(brand, { memberId: own.id }));
      const [flag] = await flagsOf(t.app, c);
      const bad = await api(brand)
        .post(`/v1/partner-fraud-flags/${flag.id}/review`, { decision: 'maybe' })
        .expect(400);
      expect(bad.headers['content-type']).toContain('application/problem+json');
      expect(bad.body.errors[0].field).toBe('decision');
      expect(
        (await api(brand).get('/v1/partner-fraud-flags/not-a-uuid').expect(400)).body.errors[0].field,
      ).toBe('id');
      const s = await api(brand).put('/v1/partner-fraud-settings', { clickFloodMaxClicks: 0 }).expect(400);
      expect(s.body.errors.map((e: { field: string }) => e.field)).toContain('clickFloodMaxClicks');
      expect((await api(brand).get('/v1/partner-fraud-settings').expect(200)).body.clickFloodMaxClicks).toBe(
        20,
      );

      const cm = await createOperator(t.app, brand, 'community_manager');
      await t
        .http()
        .post(`/v1/partner-fraud-flags/${flag.id}/review`)
        .set({ authorization: `Bearer ${cm.token}` })
        .send({ decision: 'approve' })
        .expect(403);

      const other = await createBrand(t.app);
      await api(other).get(`/v1/partner-fraud-flags/${flag.id}`).expect(404);
      await api(other).post(`/v1/partner-fraud-flags/${flag.id}/review`, { decision: 'approve' }).expect(404);
      expect((await api(other).get('/v1/partner-fraud-flags').expect(200)).body.items).toEqual([]);
      expect(await commissionStatus(t.app, c)).toBe('held');
    });
  });
});
