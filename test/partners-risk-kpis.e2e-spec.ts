import { randomUUID } from 'node:crypto';
import { OrdersService } from '@siyu/commerce';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { ownerActor } from './factories/member.factory';
import { recordOrder } from './factories/order.factory';
import {
  addClicks,
  createCommission,
  createPartner,
  createPartnerLink,
} from './factories/partners-risk.factory';
import { createTestApp, TestApp } from './harness';

const FROM = '2026-08-01T00:00:00.000Z';
const TO = '2026-11-01T00:00:00.000Z';
const DAY = 86_400_000;

interface Row {
  [k: string]: unknown;
}

/**
 * The KPIs against an independent computation: the rows read back with plain SELECTs and the
 * README's definitions applied in TypeScript, compared with what the API answers.
 */
describe('partners: KPIs (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let brand: TestBrand;
  let auth: Record<string, string>;
  const ids: Record<string, string> = {};

  const order = (amount: number, placedAt: string, extra: Record<string, unknown> = {}) =>
    recordOrder(t.app, brand, {
      identities: { storeCustomerId: `c-${randomUUID()}` },
      amountMinor: String(amount),
      items: [{ sku: `SKU-${randomUUID().slice(0, 6)}`, quantity: 1, unitPriceMinor: amount }],
      placedAt,
      ...extra,
    });

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    brand = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
    auth = { authorization: `Bearer ${brand.owner.token}` };

    const pia = await createPartner(t.app, brand, {
      name: 'Pilot Pia',
      tier: 'pilot',
      activatedAt: '2026-09-01T00:00:00Z',
    });
    const late = await createPartner(t.app, brand, {
      name: 'Pilot Lu',
      tier: 'pilot',
      activatedAt: '2026-08-31T20:00:00Z', // 1 September 04:00 in Shanghai: the September cohort
    });
    const gone = await createPartner(t.app, brand, {
      name: 'Pilot Gone',
      tier: 'pilot',
      status: 'suspended',
      activatedAt: '2026-09-10T00:00:00Z',
    });
    const sam = await createPartner(t.app, brand, {
      name: 'Standard Sam',
      tier: 'standard',
      activatedAt: '2026-08-15T00:00:00Z',
      firstSaleAt: '2026-08-16T12:00:00Z',
    });
    const pei = await createPartner(t.app, brand, {
      name: 'Preferred Pei',
      tier: 'preferred',
      activatedAt: '2026-07-10T00:00:00Z',
    });
    const [{ id: applied }] = await ds.query(
      `INSERT INTO partners (brand_id, name, kind) VALUES ($1, 'Applied Al', 'koc') RETURNING id`,
      [brand.id],
    );
    Object.assign(ids, { pia: pia.id, late: late.id, gone: gone.id, sam: sam.id, pei: pei.id, applied });

    // Clicks (some outside the window).
    for (const [p, n, at] of [
      [pia, 40, '2026-09-02T00:00:00Z'],
      [sam, 100, '2026-09-05T00:00:00Z'],
      [sam, 7, '2026-07-05T00:00:00Z'],
      [pei, 12, '2026-10-01T00:00:00Z'],
    ] as const) {
      const link = await createPartnerLink(t.app, brand, p.id);
      await addClicks(t.app, brand, link, p.id, { count: n, at });
    }

    const orders = t.app.get(OrdersService);
    // Pia: three sales; the second partly refunded, the third fully.
    const p1 = await order(10_000, '2026-09-03T08:00:00Z');
    await createCommission(t.app, brand, pia.id, p1);
    // (Refunded before their commissions are written, so the figures below do not depend on how
    // partners-core adjusts a commission on a refund.)
    const p2 = await order(20_000, '2026-09-20T08:00:00Z');
    await orders.refund(ownerActor(brand), p2.id, {
      externalId: 'R1',
      amountMinor: '5000',
      refundedAt: '2026-09-25T08:00:00Z',
    });
    await createCommission(t.app, brand, pia.id, p2, { status: 'approved' });
    const p3 = await order(8_000, '2026-10-20T08:00:00Z');
    await orders.refund(ownerActor(brand), p3.id, {
      externalId: 'R2',
      amountMinor: '8000',
      refundedAt: '2026-10-28T08:00:00Z',
    });
    await createCommission(t.app, brand, pia.id, p3, { status: 'reversed' });
    // Lu: one sale 39.5 days after activation (outside the first 30 days).
    await createCommission(t.app, brand, late.id, await order(5_000, '2026-10-10T08:00:00Z'));

    // Sam: one paid with a released uplift, one paid without, one rejected as fraud, one on a cancelled order.
    const upliftId = randomUUID();
    await createCommission(t.app, brand, sam.id, await order(30_000, '2026-09-06T08:00:00Z'), {
      status: 'paid',
      upliftId,
      upliftMinor: '4800',
      upliftState: 'released',
    });
    await createCommission(t.app, brand, sam.id, await order(12_000, '2026-08-20T08:00:00Z'), {
      status: 'paid',
    });
    await createCommission(t.app, brand, sam.id, await order(99_000, '2026-09-07T08:00:00Z'), {
      status: 'rejected',
    });
    await createCommission(
      t.app,
      brand,
      sam.id,
      await order(7_000, '2026-09-08T08:00:00Z', { status: 'cancelled' }),
    );

    // Pei: a baseline before the uplift, then an uplift over three days (all paid), one held.
    await createCommission(t.app, brand, pei.id, await order(10_000, '2026-09-28T08:00:00Z'), {
      status: 'paid',
    });
    const peiUplift = randomUUID();
    for (const [amount, at] of [
      [40_000, '2026-10-01T08:00:00Z'],
      [25_000, '2026-10-02T08:00:00Z'],
      [15_000, '2026-10-03T08:00:00Z'],
    ] as const)
      await createCommission(t.app, brand, pei.id, await order(amount, at), {
        status: 'paid',
        upliftId: peiUplift,
        upliftMinor: String(amount * 0.16),
        upliftState: 'released',
        rateBp: 900,
      });
    await createCommission(t.app, brand, pei.id, await order(3_000, '2026-10-15T08:00:00Z'), {
      status: 'held',
    });
    // Pei before the window: counts in the all-time figures only.
    await createCommission(t.app, brand, pei.id, await order(6_000, '2026-07-20T08:00:00Z'), {
      status: 'paid',
    });
  });
  afterAll(() => t.close());

  /** The definitions in the README, applied to plain rows. */
  async function expected(from: string | null, to: string | null) {
    const inW = (d: Date) => (!from || d >= new Date(from)) && (!to || d < new Date(to));
    const partners: Row[] = await ds.query(
      `SELECT id, tier, activated_at, first_sale_at FROM partners WHERE brand_id = $1`,
      [brand.id],
    );
    const comms: Row[] = await ds.query(
      `SELECT pc.partner_id, pc.status, pc.amount_minor::bigint::text AS amount, pc.uplift_minor::text AS uplift, pc.uplift_state,
              pc.uplift_id, pc.order_paid_at, o.amount_minor::text AS order_amount, o.refunded_minor::text AS refunded, o.status AS order_status
         FROM partner_commissions pc JOIN orders o ON o.id = pc.order_id WHERE pc.brand_id = $1`,
      [brand.id],
    );
    const clicks: Row[] = await ds.query(
      `SELECT partner_id, clicked_at FROM link_clicks WHERE brand_id = $1`,
      [brand.id],
    );
    const counted = comms.filter((c) => c.status !== 'rejected' && c.order_status !== 'cancelled');
    const net = (c: Row) => BigInt(c.order_amount as string) - BigInt(c.refunded as string);
    const per = new Map<string, Record<string, bigint | number | null>>();
    for (const p of partners) {
      const mine = counted.filter((c) => c.partner_id === p.id);
      const w = mine.filter((c) => inW(c.order_paid_at as Date));
      const sum = (xs: Row[], f: (c: Row) => bigint) => xs.reduce((a, c) => a + f(c), 0n);
      const windows = new Map<string, Row[]>();
      for (const c of w.filter((c) => c.uplift_state === 'released'))
        windows.set(c.uplift_id as string, [...(windows.get(c.uplift_id as string) ?? []), c]);
      let incremental = 0n;
      for (const cs of windows.values()) {
        const s = Math.min(...cs.map((c) => (c.order_paid_at as Date).getTime()));
        const e = Math.max(...cs.map((c) => (c.order_paid_at as Date).getTime())) + DAY;
        const between = (a: number, b: number) =>
          sum(
            mine.filter(
              (c) => (c.order_paid_at as Date).getTime() >= a && (c.order_paid_at as Date).getTime() < b,
            ),
            net,
          );
        incremental += between(s, e) - between(s - (e - s), s);
      }
      const firstSale =
        (p.first_sale_at as Date | null) ??
        (() => {
          // Orders paid before activation (back-filled) are not the first sale.
          const since = (p.activated_at as Date | null)?.getTime();
          const after = mine.filter(
            (c) => since !== undefined && (c.order_paid_at as Date).getTime() >= since,
          );
          return after.length
            ? new Date(Math.min(...after.map((c) => (c.order_paid_at as Date).getTime())))
            : null;
        })();
      per.set(p.id as string, {
        clicks: clicks.filter((c) => c.partner_id === p.id && inW(c.clicked_at as Date)).length,
        orders: w.length,
        gmv: sum(w, (c) => BigInt(c.order_amount as string)),
        net: sum(w, net),
        refunded: w.filter((c) => BigInt(c.refunded as string) > 0n).length,
        earned: sum(
          w.filter((c) => ['pending', 'approved', 'paid'].includes(c.status as string)),
          (c) => BigInt(c.amount as string),
        ),
        paid: sum(
          w.filter((c) => c.status === 'paid'),
          (c) => BigInt(c.amount as string),
        ),
        upliftPaid: sum(
          w.filter((c) => c.status === 'paid' && c.uplift_state === 'released'),
          (c) => BigInt(c.uplift as string),
        ),
        incremental,
        ttfs:
          p.activated_at && firstSale
            ? Math.round(((firstSale.getTime() - (p.activated_at as Date).getTime()) / 3_600_000) * 100) / 100
            : null,
      });
    }
    const figures = (rows: Array<Record<string, bigint | number | null>>) => {
      const s = (k: string) => rows.reduce((a, r) => a + BigInt(r[k] as bigint | number), 0n);
      const clicksN = s('clicks');
      const ordersN = s('orders');
      const upliftPaid = s('upliftPaid');
      return {
        clicks: Number(clicksN),
        orders: Number(ordersN),
        gmvMinor: s('gmv').toString(),
        netGmvMinor: s('net').toString(),
        refundedOrders: Number(s('refunded')),
        refundRateBp: ordersN > 0n ? Number((s('refunded') * 10_000n) / ordersN) : null,
        commissionEarnedMinor: s('earned').toString(),
        commissionPaidMinor: s('paid').toString(),
        epcMinor: clicksN > 0n ? ((s('earned') * 2n + clicksN) / (2n * clicksN)).toString() : null,
        upliftPaidMinor: upliftPaid.toString(),
        incrementalGmvMinor: s('incremental').toString(),
        incentiveRoi: upliftPaid > 0n ? (Number(s('incremental')) / Number(upliftPaid)).toFixed(2) : null,
      };
    };
    return { partners, per, figures };
  }

  it('per partner, per tier and in total, the API answers what the rows say', async () => {
    for (const [from, to] of [
      [FROM, TO],
      [null, null],
    ] as const) {
      const q = from ? `?from=${from}&to=${to}` : '';
      const { partners, per, figures } = await expected(from, to);
      const list = await t
        .http()
        .get(`/v1/partners/kpis/partners${q}${q ? '&' : '?'}limit=500`)
        .set(auth)
        .expect(200);
      expect(list.body.items).toHaveLength(partners.length);
      for (const item of list.body.items) {
        const e = per.get(item.partnerId)!;
        expect(item).toMatchObject({ ...figures([e]), timeToFirstSaleHours: e.ttfs });
      }
      const summary = await t.http().get(`/v1/partners/kpis${q}`).set(auth).expect(200);
      expect(summary.body.totals).toMatchObject({ partners: partners.length, ...figures([...per.values()]) });
      for (const tier of ['pilot', 'standard', 'preferred', null]) {
        const members = partners.filter((p) => p.tier === tier).map((p) => per.get(p.id as string)!);
        const row = summary.body.tiers.find((r: { tier: string | null }) => r.tier === tier);
        expect(row).toMatchObject({ partners: members.length, ...figures(members) });
      }
    }
  });

  it('the figures themselves, by hand: time to first sale, EPC, refund rate, incentive ROI', async () => {
    const one = (id: string, q = `?from=${FROM}&to=${TO}`) =>
      t.http().get(`/v1/partners/${id}/kpis${q}`).set(auth).expect(200);
    const pia = (await one(ids.pia)).body;
    expect(pia).toMatchObject({
      name: 'Pilot Pia',
      fraudScore: 0,
      timeToFirstSaleHours: 56, // activated 1 Sep 00:00, first sale 3 Sep 08:00 (from her commissions)
      clicks: 40,
      orders: 3,
      gmvMinor: '38000',
      netGmvMinor: '25000',
      refundedOrders: 2,
      refundRateBp: 6666,
      commissionEarnedMinor: '2700', // 900 + 1800; the reversed one earns nothing
      epcMinor: '68', // 2700 / 40 = 67.5, half up
      incentiveRoi: null,
    });
    const sam = (await one(ids.sam)).body;
    expect(sam).toMatchObject({
      timeToFirstSaleHours: 36,
      orders: 2,
      gmvMinor: '42000',
      commissionPaidMinor: '8580',
    });
    expect(sam.upliftPaidMinor).toBe('4800');
    // Sam's uplift window is 6 Sep 08:00 + 1 day; the day before it had no sales: 30,000 incremental.
    expect(sam.incrementalGmvMinor).toBe('30000');
    expect(sam.incentiveRoi).toBe('6.25');
    const pei = (await one(ids.pei)).body;
    // Uplift window 1 Oct 08:00 → 4 Oct 08:00 (80,000); the three days before it: 10,000.
    expect(pei).toMatchObject({
      upliftPaidMinor: '12800',
      incrementalGmvMinor: '70000',
      incentiveRoi: '5.47',
    });
    expect(pei.commissionEarnedMinor).toBe(String(900 + 3600 + 2250 + 1350 + 12800));
    expect((await one(ids.applied, '')).body).toMatchObject({
      timeToFirstSaleHours: null,
      orders: 0,
      epcMinor: null,
    });
  });

  it('Pilot validation: each activation-month cohort (brand time zone), its first 30 days and where it is now', async () => {
    const res = await t.http().get('/v1/partners/kpis/pilot-cohorts').set(auth).expect(200);
    expect(res.body.cohorts).toEqual([
      expect.objectContaining({ cohort: '2026-07', partners: 1, firstSaleWithin30Days: 1, promoted: 1 }),
      expect.objectContaining({ cohort: '2026-08', partners: 1, firstSaleWithin30Days: 1, promoted: 1 }),
      {
        cohort: '2026-09',
        partners: 3,
        firstSaleWithin30Days: 1,
        firstSaleWithin30DaysBp: 3333,
        medianTimeToFirstSaleHours: expect.any(Number),
        ordersFirst30Days: 2, // Pia's 3 Sep and 20 Sep sales; her 20 Oct one and Lu's are later
        netGmvFirst30DaysMinor: '25000',
        commissionFirst30DaysMinor: '2700',
        stillPilot: 2,
        promoted: 0,
        suspendedOrBanned: 1,
      },
    ]);
    // Median of Pia (56 h) and Lu (39.5 days = 948 h).
    expect(res.body.cohorts[2].medianTimeToFirstSaleHours).toBe((56 + 948) / 2);
  });

  it('bad windows are 400s naming the field; another brand’s partner is a 404 and sees none of these', async () => {
    const bad = await t.http().get('/v1/partners/kpis?from=yesterday').set(auth).expect(400);
    expect(bad.body.errors[0].field).toBe('from');
    expect(
      (await t.http().get(`/v1/partners/kpis?from=${TO}&to=${FROM}`).set(auth).expect(400)).body.errors[0]
        .field,
    ).toBe('to');
    await t.http().get('/v1/partners/kpis/partners?tier=gold').set(auth).expect(400);
    const other = await createBrand(t.app);
    const otherAuth = { authorization: `Bearer ${other.owner.token}` };
    await t.http().get(`/v1/partners/${ids.pia}/kpis`).set(otherAuth).expect(404);
    const theirs = await t.http().get('/v1/partners/kpis').set(otherAuth).expect(200);
    expect(theirs.body.totals).toMatchObject({ partners: 0, orders: 0, gmvMinor: '0' });
    expect(theirs.body.tiers).toEqual([]);
  });
});
