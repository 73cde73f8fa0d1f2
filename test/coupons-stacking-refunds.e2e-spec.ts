import { CouponBatchesService } from '@siyu/coupons';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createMember } from './factories/member.factory';
import { orderBody } from './factories/order.factory';
import { createTestApp, TestApp } from './harness';

type Headers = Record<string, string>;
const bearer = (b: TestBrand): Headers => ({ authorization: `Bearer ${b.owner.token}` });

jest.setTimeout(120_000);

describe('coupons: stacking rules and partial refunds (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let brand: TestBrand;

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    brand = await createBrand(t.app);
  });
  afterAll(() => t.close());

  const api = () => ({
    get: (path: string) => t.http().get(path).set(bearer(brand)),
    post: (path: string, body: object = {}) => t.http().post(path).set(bearer(brand)).send(body),
  });

  async function template(body: Record<string, unknown>): Promise<string> {
    const res = await api()
      .post('/v1/coupon-templates', { name: 'T', kind: 'fixed_amount', amountOffMinor: 1000, ...body })
      .expect(201);
    await api().post(`/v1/coupon-templates/${res.body.id}/activate`).expect(200);
    return res.body.id;
  }

  /** A shared code of a fresh template (exclusive or stackable), usable by anyone many times. */
  async function sharedCode(stacking: 'exclusive' | 'stackable', body: Record<string, unknown> = {}) {
    const id = await template({ stacking, ...body });
    const res = await api()
      .post(`/v1/coupon-templates/${id}/shared-codes`, { maxRedemptions: 100 })
      .expect(201);
    return { templateId: id, code: res.body.code as string };
  }

  const ledger = (orderId: string) =>
    ds.query(
      `SELECT r.kind, c.code, r.discount_minor::text AS discount, r.order_amount_minor::text AS gmv
         FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id
        WHERE r.order_id = $1
        ORDER BY r.created_at, array_position(ARRAY['redemption', 'partial_refund', 'rollback'], r.kind::text),
                 r.refunded_through_minor`,
      [orderId],
    );
  const redemptionsOf = async (code: string): Promise<number> =>
    (await ds.query(`SELECT redemptions FROM coupons WHERE brand_id = $1 AND code = $2`, [brand.id, code]))[0]
      .redemptions;

  it('a codes batch run by two runners at once, two chunks each at a time, ends with exactly its count', async () => {
    const id = await template({ codePrefix: 'PX', codeLength: 8 });
    // 25,000 codes: queued (no worker in this app), then run here by two runners in 4,000-code chunks
    const res = await api().post(`/v1/coupon-templates/${id}/codes`, { count: 25_000 }).expect(202);
    const batches = t.app.get(CouponBatchesService);
    const seen: number[] = [];
    const [a, b] = await Promise.all([
      batches.run(res.body.id, async (done) => void seen.push(done), 4_000),
      batches.run(res.body.id, undefined, 4_000),
    ]);
    expect(a).toMatchObject({ status: 'done', done: 25_000, requested: 25_000, skipped: 0 });
    expect(b).toMatchObject({ status: 'done', done: 25_000 });
    expect(seen.some((d) => d > 0 && d < 25_000)).toBe(true); // progress between the chunks
    const [{ n, distinct }] = await ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT code)::int AS distinct FROM coupons WHERE template_id = $1`,
      [id],
    );
    expect({ n, distinct }).toEqual({ n: 25_000, distinct: 25_000 });
  });

  describe('stacking', () => {
    it('validate: exclusive codes do not combine, stackable ones do, and the reason names the clash', async () => {
      const ex1 = await sharedCode('exclusive');
      const ex2 = await sharedCode('exclusive');
      const st1 = await sharedCode('stackable', { amountOffMinor: 500 });
      const st2 = await sharedCode('stackable', { amountOffMinor: 300 });
      const expiredEx = await sharedCode('exclusive');
      await ds.query(`UPDATE coupons SET valid_until = now() - interval '1 second' WHERE code = $1`, [
        expiredEx.code,
      ]);
      const check = (code: string, otherCodes?: string[]) =>
        api()
          .post('/v1/coupons/validate', {
            code,
            cartAmountMinor: 20_000,
            ...(otherCodes ? { otherCodes } : {}),
          })
          .expect(200)
          .then((r) => r.body);

      // alone, each applies
      expect(await check(ex1.code)).toMatchObject({
        valid: true,
        stacking: 'exclusive',
        conflictsWith: null,
      });
      // two stackable codes combine, each with its own discount
      expect(await check(st1.code, [st2.code])).toMatchObject({ valid: true, discountMinor: '500' });
      expect(await check(st2.code, [st1.code])).toMatchObject({ valid: true, discountMinor: '300' });
      // an exclusive code beside any other: not_stackable, naming the other code
      expect(await check(ex1.code, [st1.code])).toMatchObject({
        valid: false,
        reason: 'not_stackable',
        discountMinor: '0',
        conflictsWith: st1.code,
      });
      expect(await check(ex1.code, [ex2.code])).toMatchObject({ valid: false, reason: 'not_stackable' });
      // a stackable code beside an exclusive one: not_stackable too (it may join only stackable ones)
      expect(await check(st1.code, [st2.code, ex2.code.toLowerCase()])).toMatchObject({
        valid: false,
        reason: 'not_stackable',
        conflictsWith: ex2.code,
      });
      // other codes that would not apply do not count: unknown, expired, or the same code again
      expect(await check(ex1.code, ['NOSUCHCODE', expiredEx.code, ex1.code])).toMatchObject({
        valid: true,
        discountMinor: '1000',
      });
      // the code's own refusal comes first
      expect(await check('NOSUCHCODE', [st1.code])).toMatchObject({ valid: false, reason: 'not_found' });
      // bad otherCodes: 400 naming the field
      const bad = await api()
        .post('/v1/coupons/validate', { code: ex1.code, cartAmountMinor: 100, otherCodes: 'ABC' })
        .expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain('otherCodes');
    });

    it('POST /v1/coupons/redeem: a second code on the same order obeys both codes’ rules', async () => {
      const ex = await sharedCode('exclusive');
      const st1 = await sharedCode('stackable');
      const st2 = await sharedCode('stackable');
      const redeem = (code: string, orderRef: string) =>
        api().post('/v1/coupons/redeem', { code, cartAmountMinor: 20_000, orderRef });

      // stackable + stackable on one order: both redeemed
      await redeem(st1.code, 'SO-stack-1').expect(201);
      await redeem(st2.code, 'SO-stack-1').expect(201);
      // an exclusive code on an order that already has a coupon: 422 not_stackable
      const refused = await redeem(ex.code, 'SO-stack-1').expect(422);
      expect(refused.body.errors).toEqual([expect.objectContaining({ message: 'not_stackable' })]);
      // an order that has the exclusive code takes no other
      await redeem(ex.code, 'SO-stack-2').expect(201);
      const r2 = await redeem(st1.code, 'SO-stack-2').expect(422);
      expect(r2.body.errors[0].message).toBe('not_stackable');
      // the same code again for the same order is the same redemption, not a clash
      expect((await redeem(ex.code, 'SO-stack-2').expect(200)).body.existing).toBe(true);
      // once the exclusive redemption is rolled back, the order may take the stackable code
      await api().post('/v1/coupons/rollback', { code: ex.code, orderRef: 'SO-stack-2' }).expect(200);
      await redeem(st1.code, 'SO-stack-2').expect(201);
      expect(await redemptionsOf(ex.code)).toBe(0); // given back by the rollback
      expect(await redemptionsOf(st1.code)).toBe(2);
      // nothing was left behind by the refusals
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM coupon_redemptions WHERE brand_id = $1 AND order_ref = 'SO-stack-1'`,
        [brand.id],
      );
      expect(n).toBe(2);
    });

    it('concurrent redemptions of two exclusive codes for one order: exactly one succeeds', async () => {
      const a = await sharedCode('exclusive');
      const b = await sharedCode('exclusive');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          api().post('/v1/coupons/redeem', {
            code: i % 2 === 0 ? a.code : b.code,
            cartAmountMinor: 20_000,
            orderRef: 'SO-race',
          }),
        ),
      );
      const created = results.filter((r) => r.status === 201);
      expect(created).toHaveLength(1);
      // the same code's other attempts answer the same redemption (200); the other code's are refused
      for (const r of results.filter((x) => x.status !== 201)) {
        if (r.status === 200) expect(r.body.code).toBe(created[0].body.code);
        else expect(r.body.errors[0].message).toBe('not_stackable');
      }
      const rows = await ds.query(
        `SELECT count(*)::int AS n FROM coupon_redemptions WHERE brand_id = $1 AND order_ref = 'SO-race'`,
        [brand.id],
      );
      expect(rows[0].n).toBe(1);
    });

    it('an order with two codes: stackable ones are both redeemed; with an exclusive one, none is', async () => {
      const member = await createMember(t.app, brand);
      const st1 = await sharedCode('stackable', { amountOffMinor: 500 });
      const st2 = await sharedCode('stackable', { amountOffMinor: 300 });
      const ex = await sharedCode('exclusive');
      const both = await api()
        .post('/v1/orders', orderBody({ memberId: member.id, couponCodes: [st1.code, st2.code] }))
        .expect(201);
      expect((await ledger(both.body.id)).map((r: { code: string }) => r.code).sort()).toEqual(
        [st1.code, st2.code].sort(),
      );
      // exclusive + stackable: the order is recorded, neither code is redeemed
      const mixed = await api()
        .post('/v1/orders', orderBody({ memberId: member.id, couponCodes: [ex.code, st1.code] }))
        .expect(201);
      expect(await ledger(mixed.body.id)).toEqual([]);
      expect(await redemptionsOf(ex.code)).toBe(0);
      expect(await redemptionsOf(st1.code)).toBe(1);
      // exclusive + a code that does not apply (unknown): the exclusive one is alone, and redeemed
      const alone = await api()
        .post('/v1/orders', orderBody({ memberId: member.id, couponCodes: [ex.code, 'NOSUCHCODE'] }))
        .expect(201);
      expect(await ledger(alone.body.id)).toEqual([
        { kind: 'redemption', code: ex.code, discount: '1000', gmv: '12800' },
      ]);
    });
  });

  describe('partial refunds', () => {
    it('record the refunded shares; the report nets them; the full refund rolls back the rest once', async () => {
      const templateId = await template({ amountOffMinor: 2000, budgetMoneyMinor: 1_000_000 });
      const member = await createMember(t.app, brand);
      const issued = await api()
        .post(`/v1/coupon-templates/${templateId}/issue`, { memberId: member.id })
        .expect(201);
      const code = issued.body.code as string;
      // cart 12,800 list price, 2,000 off: 10,800 paid
      const order = await api()
        .post('/v1/orders', orderBody({ memberId: member.id, couponCodes: [code], amountMinor: '10800' }))
        .expect(201);
      const refund = (externalId: string, amountMinor: number) =>
        api().post(`/v1/orders/${order.body.id}/refunds`, { externalId, amountMinor }).expect(201);
      const report = async () =>
        (await api().get(`/v1/coupon-templates/${templateId}/report`).expect(200)).body;
      const budgetSpent = async () =>
        (
          await ds.query(`SELECT discount_minor::text AS d FROM coupon_templates WHERE id = $1`, [templateId])
        )[0].d;

      // a quarter refunded (2,700 of 10,800): a quarter of the discount (500) and the 2,700 of GMV
      await refund('r1', 2700);
      expect(await ledger(order.body.id)).toEqual([
        { kind: 'redemption', code, discount: '2000', gmv: '10800' },
        { kind: 'partial_refund', code, discount: '500', gmv: '2700' },
      ]);
      expect(await report()).toMatchObject({
        redemptions: 1,
        partialRefunds: 1,
        rollbacks: 0,
        redeemed: 1,
        discountGivenMinor: '1500',
        discountRefundedMinor: '500',
        gmvMinor: '8100',
      });
      // the code stays used, the budget stays spent
      expect(await redemptionsOf(code)).toBe(1);
      expect(await budgetSpent()).toBe('2000');
      const used = await api()
        .post('/v1/coupons/validate', { code, memberId: member.id, cartAmountMinor: 12_800 })
        .expect(200);
      expect(used.body.reason).toBe('already_used');

      // a retried refund (same externalId) records nothing more
      await api()
        .post(`/v1/orders/${order.body.id}/refunds`, { externalId: 'r1', amountMinor: 2700 })
        .expect(200);
      // a second partial refund: shares of the new total (5,400 → 1,000), less what was recorded
      await refund('r2', 2700);
      expect((await ledger(order.body.id)).slice(2)).toEqual([
        { kind: 'partial_refund', code, discount: '500', gmv: '2700' },
      ]);
      expect(await report()).toMatchObject({
        discountGivenMinor: '1000',
        gmvMinor: '5400',
        partialRefunds: 2,
      });

      // the rest refunded: one rollback with what was left (1,000 of discount, 5,400 of GMV)
      await refund('r3', 5400);
      const rows = await ledger(order.body.id);
      expect(rows.filter((r: { kind: string }) => r.kind === 'rollback')).toEqual([
        { kind: 'rollback', code, discount: '1000', gmv: '5400' },
      ]);
      // the ledger nets to zero, the report to nothing, the budget and the code are given back
      const sum = (k: 'discount' | 'gmv') =>
        rows.reduce(
          (s: bigint, r: Record<string, string>) => s + (r.kind === 'redemption' ? 1n : -1n) * BigInt(r[k]),
          0n,
        );
      expect(sum('discount')).toBe(0n);
      expect(sum('gmv')).toBe(0n);
      expect(await report()).toMatchObject({
        redemptions: 1,
        partialRefunds: 2,
        rollbacks: 1,
        redeemed: 0,
        discountGivenMinor: '0',
        gmvMinor: '0',
      });
      expect(await budgetSpent()).toBe('0');
      expect(await redemptionsOf(code)).toBe(0);
      // the order's hook running again (a retried status post) rolls back nothing more
      await api()
        .post(
          '/v1/orders',
          orderBody({
            memberId: member.id,
            couponCodes: [code],
            amountMinor: '10800',
            externalId: order.body.externalId,
            status: 'refunded',
            refundedMinor: '10800',
          }),
        )
        .expect(200);
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM coupon_redemptions WHERE order_id = $1 AND kind = 'rollback'`,
        [order.body.id],
      );
      expect(n).toBe(1);
    });

    it('an order recorded already partly refunded, or moved there by a status post, records its share', async () => {
      const st = await sharedCode('stackable', { amountOffMinor: 1000 });
      const member = await createMember(t.app, brand);
      // recorded as partially_refunded: 4,000 of 10,000 paid → 400 of the 1,000 discount
      const pre = await api()
        .post(
          '/v1/orders',
          orderBody({
            memberId: member.id,
            couponCodes: [st.code],
            amountMinor: '10000',
            status: 'partially_refunded',
            refundedMinor: '4000',
          }),
        )
        .expect(201);
      expect(await ledger(pre.body.id)).toEqual([
        { kind: 'redemption', code: st.code, discount: '1000', gmv: '10000' },
        { kind: 'partial_refund', code: st.code, discount: '400', gmv: '4000' },
      ]);
      // paid, then a status post says partially_refunded with 3,333 (odd shares round down)
      const body = orderBody({ memberId: member.id, couponCodes: [st.code], amountMinor: '10000' });
      const paid = await api().post('/v1/orders', body).expect(201);
      await api()
        .post('/v1/orders', { ...body, status: 'partially_refunded', refundedMinor: '3333' })
        .expect(200);
      expect((await ledger(paid.body.id)).slice(1)).toEqual([
        { kind: 'partial_refund', code: st.code, discount: '333', gmv: '3333' },
      ]);
      // then cancelled is not allowed from partially_refunded; refunded in full rolls back the rest
      await api()
        .post('/v1/orders', { ...body, status: 'refunded', refundedMinor: '10000' })
        .expect(200);
      expect((await ledger(paid.body.id)).slice(2)).toEqual([
        { kind: 'rollback', code: st.code, discount: '667', gmv: '6667' },
      ]);
    });
  });
});
