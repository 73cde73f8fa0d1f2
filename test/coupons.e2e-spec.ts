import { randomUUID } from 'node:crypto';
import { Agent } from 'node:http';
import request from 'supertest';
import {
  CODE_ALPHABET,
  CouponExpiryService,
  CouponRedemptionService,
  CouponsWorkerModule,
  CouponTierPerksService,
} from '@siyu/coupons';
import { AuditService } from '@siyu/platform';
import { DataSource, DataSourceOptions } from 'typeorm';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createMember } from './factories/member.factory';
import { orderBody } from './factories/order.factory';
import { ladderBody } from './factories/tiers.factory';
import { waitFor } from './support/processes';
import { createTestApp, TestApp } from './harness';

type Headers = Record<string, string>;
const bearer = (b: TestBrand): Headers => ({ authorization: `Bearer ${b.owner.token}` });

jest.setTimeout(240_000); // a shared, loaded machine: concurrency tests wait on commits, never on a clock

describe('coupons (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let brand: TestBrand;
  let url: string;
  // Many simultaneous requests over at most 64 kept-alive sockets to one listening server (not a
  // fresh ephemeral server per request), so the OS backlog is not what the test measures.
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });

  beforeAll(async () => {
    t = await createTestApp(CouponsWorkerModule);
    ds = t.app.get(DataSource);
    brand = await createBrand(t.app);
    await t.app.listen(0, '127.0.0.1');
    url = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(async () => {
    agent.destroy();
    await t.close();
  });

  /**
   * A POST among many at once (the concurrency tests). A request reset without an answer on a
   * loaded machine is retried: redeem and issue are idempotent per (code, orderRef) and (member, sourceRef), so a
   * retry answers the first attempt's outcome (200 `existing`) and never counts twice.
   */
  const concurrent = async (path: string, body: object, b: TestBrand = brand): Promise<request.Response> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request(url).post(path).agent(agent).set(bearer(b)).send(body);
      } catch (err) {
        // Only a request that got no answer (a reset socket) is tried again.
        if (attempt === 5 || (err as { response?: unknown }).response) throw err;
      }
    }
  };
  const succeeded = (rs: request.Response[]) => rs.filter((r) => r.status === 201 || r.status === 200);

  const api = (b: TestBrand = brand) => ({
    get: (path: string) => t.http().get(path).set(bearer(b)),
    post: (path: string, body: object = {}) => t.http().post(path).set(bearer(b)).send(body),
    patch: (path: string, body: object) => t.http().patch(path).set(bearer(b)).send(body),
    put: (path: string, body: object) => t.http().put(path).set(bearer(b)).send(body),
  });

  async function template(body: Record<string, unknown> = {}, b: TestBrand = brand): Promise<string> {
    const res = await api(b)
      .post('/v1/coupon-templates', {
        name: 'Welcome ¥20',
        kind: 'fixed_amount',
        amountOffMinor: 2000,
        ...body,
      })
      .expect(201);
    await api(b).post(`/v1/coupon-templates/${res.body.id}/activate`).expect(200);
    return res.body.id;
  }

  async function members(n: number, b: TestBrand = brand): Promise<string[]> {
    const rows: Array<{ id: string }> = await ds.query(
      `INSERT INTO members (brand_id, nickname) SELECT $1, 'm' || i FROM generate_series(1, $2) i RETURNING id`,
      [b.id, n],
    );
    return rows.map((r) => r.id);
  }

  const issue = (id: string, memberId: string, sourceRef?: string, b: TestBrand = brand) =>
    api(b).post(`/v1/coupon-templates/${id}/issue`, { memberId, ...(sourceRef ? { sourceRef } : {}) });

  describe('bad input', () => {
    it.each([
      [{ kind: 'fixed_amount', amountOffMinor: -100 }, 'amountOffMinor'],
      [{ kind: 'percentage', percentOff: 101 }, 'percentOff'],
      [{ kind: 'percentage', percentOff: 10, maxDiscountMinor: -1 }, 'maxDiscountMinor'],
      [{ kind: 'fixed_amount', amountOffMinor: 100, minSpendMinor: -1 }, 'minSpendMinor'],
      [{ kind: 'fixed_amount', amountOffMinor: 100, budgetMoneyMinor: 0 }, 'budgetMoneyMinor'],
      [
        {
          kind: 'fixed_amount',
          amountOffMinor: 100,
          validFrom: '2026-12-01T00:00:00+08:00',
          validUntil: '2026-11-01T00:00:00+08:00',
        },
        'validUntil',
      ],
      [{ kind: 'fixed_amount' }, 'amountOffMinor'],
      [{ kind: 'percentage', percentOff: 10, amountOffMinor: 100 }, 'amountOffMinor'],
      [{ kind: 'fixed_amount', amountOffMinor: 1.5 }, 'amountOffMinor'],
      [{ kind: 'fixed_amount', amountOffMinor: 100, codePrefix: 'bad prefix' }, 'codePrefix'],
      [{ kind: 'fixed_amount', amountOffMinor: 100, codeLength: 3 }, 'codeLength'],
      [{ kind: 'gift', amountOffMinor: 100 }, 'kind'],
    ])('%j → 400 problem+json naming %s, nothing created', async (body, field) => {
      const b = await createBrand(t.app);
      const res = await api(b)
        .post('/v1/coupon-templates', { name: 'x', ...body })
        .expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect((await api(b).get('/v1/coupon-templates').expect(200)).body.items).toHaveLength(0);
    });

    it('validate and redeem bodies are checked field by field', async () => {
      const res = await api()
        .post('/v1/coupons/validate', { code: 'X', cartAmountMinor: -5, memberId: 'nope', extra: 1 })
        .expect(400);
      const fields = res.body.errors.map((e: { field: string }) => e.field);
      expect(fields).toEqual(expect.arrayContaining(['cartAmountMinor', 'memberId', 'extra']));
      const r2 = await api().post('/v1/coupons/redeem', { code: 'X', cartAmountMinor: 100 }).expect(400);
      expect(r2.body.errors.map((e: { field: string }) => e.field)).toContain('orderRef');
    });
  });

  it("another brand's templates, codes and batches answer 404 (and validate says not_found)", async () => {
    const other = await createBrand(t.app);
    const id = await template();
    const [m] = await members(1);
    const issued = await issue(id, m).expect(201);
    for (const path of [`/v1/coupon-templates/${id}`, `/v1/coupon-templates/${id}/report`])
      await api(other).get(path).expect(404);
    await api(other).post(`/v1/coupon-templates/${id}/activate`).expect(404);
    await api(other).post(`/v1/coupon-templates/${id}/codes`, { count: 5 }).expect(404);
    await api(other).patch(`/v1/coupon-templates/${id}`, { name: 'stolen' }).expect(404);
    const [om] = await members(1, other);
    await issue(id, om, undefined, other).expect(404);
    const v = await api(other)
      .post('/v1/coupons/validate', { code: issued.body.code, memberId: m, cartAmountMinor: 10_000 })
      .expect(200);
    expect(v.body).toMatchObject({ valid: false, reason: 'not_found', couponId: null });
    const r = await api(other)
      .post('/v1/coupons/redeem', {
        code: issued.body.code,
        memberId: m,
        cartAmountMinor: 10_000,
        orderRef: 'o-1',
      })
      .expect(422);
    expect(r.body.errors[0].message).toBe('not_found');
    // another brand's member cannot be issued this brand's coupon
    const foreign = await issue(id, om).expect(404);
    expect(foreign.body.errors[0]).toMatchObject({ field: 'memberId', message: 'member_not_found' });
  });

  it('states: draft issues nothing, paused refuses, transitions are audited, ended is final', async () => {
    const created = await api()
      .post('/v1/coupon-templates', {
        name: 'Draft',
        kind: 'percentage',
        percentOff: 15,
        maxDiscountMinor: 3000,
      })
      .expect(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ status: 'draft', percentOff: 15, maxDiscountMinor: '3000' });
    const [m] = await members(1);
    const refused = await issue(id, m).expect(422);
    expect(refused.body.errors[0].message).toBe('template_not_active');
    await api().post(`/v1/coupon-templates/${id}/activate`).expect(200);
    const c = await issue(id, m, 'k1').expect(201);
    await api().post(`/v1/coupon-templates/${id}/pause`).expect(200);
    const v = await api()
      .post('/v1/coupons/validate', { code: c.body.code, memberId: m, cartAmountMinor: 10_000 })
      .expect(200);
    expect(v.body).toMatchObject({ valid: false, reason: 'paused' });
    // terms are fixed once it issued; the name and budgets may change
    const fixed = await api().patch(`/v1/coupon-templates/${id}`, { percentOff: 50 }).expect(409);
    expect(fixed.body.errors[0].field).toBe('percentOff');
    await api().patch(`/v1/coupon-templates/${id}`, { name: 'Renamed', budgetCount: 10 }).expect(200);
    await api().post(`/v1/coupon-templates/${id}/activate`).expect(200);
    const ok = await api()
      .post('/v1/coupons/validate', { code: c.body.code, memberId: m, cartAmountMinor: 100_000 })
      .expect(200);
    expect(ok.body).toMatchObject({ valid: true, reason: null, discountMinor: '3000' }); // 15 % capped at 3000
    await api().post(`/v1/coupon-templates/${id}/end`).expect(200);
    await api().post(`/v1/coupon-templates/${id}/activate`).expect(409);
    const audit = await api().get('/v1/audit-log').query({ entityId: id }).expect(200);
    expect(audit.body.items.map((a: { action: string }) => a.action).sort()).toEqual(
      [
        'coupon_template.activated',
        'coupon_template.activated',
        'coupon_template.created',
        'coupon_template.ended',
        'coupon_template.paused',
        'coupon_template.updated',
      ].sort(),
    );
  });

  it('validate answers each reason code and the discount', async () => {
    const id = await template({ minSpendMinor: 10_000, channels: ['store', 'live'] });
    const [a, b] = await members(2);
    const { code } = (await issue(id, a).expect(201)).body;
    const check = (body: object) =>
      api()
        .post('/v1/coupons/validate', {
          code,
          memberId: a,
          cartAmountMinor: 20_000,
          channel: 'store',
          ...body,
        })
        .expect(200)
        .then((r) => r.body);
    expect(await check({})).toMatchObject({ valid: true, discountMinor: '2000', kind: 'fixed_amount' });
    expect(await check({ code: code.toLowerCase() })).toMatchObject({ valid: true }); // typed in lower case
    expect(await check({ memberId: b })).toMatchObject({
      valid: false,
      reason: 'not_yours',
      discountMinor: '0',
    });
    expect(await check({ cartAmountMinor: 9_999 })).toMatchObject({ valid: false, reason: 'minimum_spend' });
    expect(await check({ channel: 'taobao' })).toMatchObject({ valid: false, reason: 'channel_not_allowed' });
    expect(await check({ code: 'NOSUCHCODE' })).toMatchObject({ valid: false, reason: 'not_found' });
    await ds.query(`UPDATE coupons SET valid_from = now() + interval '1 day' WHERE code = $1`, [code]);
    expect(await check({})).toMatchObject({ valid: false, reason: 'not_yet_valid' });
    await ds.query(
      `UPDATE coupons SET valid_from = NULL, valid_until = now() - interval '1 second' WHERE code = $1`,
      [code],
    );
    expect(await check({})).toMatchObject({ valid: false, reason: 'expired' });
    // the scheduled expiry marks it, and a redemption is refused the same way
    const expired = await t.app.get(CouponExpiryService).expire();
    expect(expired.coupons).toBeGreaterThanOrEqual(1);
    const [row] = await ds.query(`SELECT status FROM coupons WHERE code = $1`, [code]);
    expect(row.status).toBe('expired');
    const r = await api()
      .post('/v1/coupons/redeem', {
        code,
        memberId: a,
        cartAmountMinor: 20_000,
        channel: 'store',
        orderRef: 'x',
      })
      .expect(422);
    expect(r.body.errors[0].message).toBe('expired');
  });

  it('1,000 concurrent redemptions of one personal code over 40 pool connections: exactly one succeeds', async () => {
    const id = await template();
    const [m] = await members(1);
    const { code } = (await issue(id, m).expect(201)).body;
    // The redeem route's own service on a pool of 40 connections (the app's test pool has 5), so
    // 40 transactions race for the code at any moment; HTTP concurrency is covered by the tests below.
    // (40, not more: the other jest worker's app, workers and sim share the server's 100 connections.)
    const wide = new DataSource({ ...(ds.options as object), extra: { max: 40 } } as DataSourceOptions);
    await wide.initialize();
    try {
      const service = new CouponRedemptionService(wide, t.app.get(AuditService));
      const actor = {
        brandId: brand.id,
        actorType: 'operator' as const,
        actorId: brand.owner.id,
        requestId: null,
      };
      const results = await Promise.allSettled(
        Array.from({ length: 1_000 }, (_, i) =>
          service.redeemByOperator(actor, {
            code,
            memberId: m,
            cartAmountMinor: 10_000n,
            orderRef: `order-${i}`,
          }),
        ),
      );
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok).toHaveLength(1);
      for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected'))
        expect(r.reason).toMatchObject({ code: 'COUPON_NOT_REDEEMABLE', reason: 'already_used' });
      const winner = (ok[0] as PromiseFulfilledResult<{ orderRef: string; redemptionId: string }>).value;
      // the same (code, order) again over HTTP is the same redemption, answered 200
      const again = await api()
        .post('/v1/coupons/redeem', { code, memberId: m, cartAmountMinor: 10_000, orderRef: winner.orderRef })
        .expect(200);
      expect(again.body).toMatchObject({ redemptionId: winner.redemptionId, existing: true });
    } finally {
      await wide.destroy();
    }
    const [c] = await ds.query(`SELECT redemptions FROM coupons WHERE code = $1`, [code]);
    expect(c.redemptions).toBe(1);
    const [n] = await ds.query(
      `SELECT count(*)::int AS n FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id WHERE c.code = $1`,
      [code],
    );
    expect(n.n).toBe(1);
  });

  it('a shared code limited to 100, with 500 concurrent redemptions: exactly 100 succeed', async () => {
    const id = await template({ name: 'Live ¥5', amountOffMinor: 500 });
    const shared = await api()
      .post(`/v1/coupon-templates/${id}/shared-codes`, { code: 'LIVE-500', maxRedemptions: 100 })
      .expect(201);
    await api()
      .post(`/v1/coupon-templates/${id}/shared-codes`, { code: 'live-500', maxRedemptions: 5 })
      .expect(409);
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        concurrent('/v1/coupons/redeem', { code: 'LIVE-500', cartAmountMinor: 3_000, orderRef: `live-${i}` }),
      ),
    );
    expect(succeeded(results)).toHaveLength(100);
    expect(results.filter((r) => r.status === 422)).toHaveLength(400);
    for (const r of results.filter((x) => x.status === 422))
      expect(r.body.errors[0].message).toBe('exhausted');
    const [c] = await ds.query(`SELECT redemptions FROM coupons WHERE id = $1`, [shared.body.couponId]);
    expect(c.redemptions).toBe(100);
    const report = await api().get(`/v1/coupon-templates/${id}/report`).expect(200);
    expect(report.body).toMatchObject({
      redeemed: 100,
      discountGivenMinor: '50000',
      gmvMinor: String(100 * 2_500),
    });
  });

  it('a money budget is hit exactly: concurrent redemptions stop at the budget, never past it', async () => {
    const id = await template({ name: 'Budget', amountOffMinor: 500, budgetMoneyMinor: 10_000 });
    await api()
      .post(`/v1/coupon-templates/${id}/shared-codes`, { code: 'BUDGET-10K', maxRedemptions: 1_000 })
      .expect(201);
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        concurrent('/v1/coupons/redeem', { code: 'BUDGET-10K', cartAmountMinor: 5_000, orderRef: `b-${i}` }),
      ),
    );
    expect(succeeded(results)).toHaveLength(20);
    for (const r of results.filter((x) => x.status === 422))
      expect(r.body.errors[0].message).toBe('budget_exhausted');
    const [tpl] = await ds.query(
      `SELECT discount_minor::text AS d, redeemed_count FROM coupon_templates WHERE id = $1`,
      [id],
    );
    expect(tpl).toEqual({ d: '10000', redeemed_count: 20 });
    const v = await api()
      .post('/v1/coupons/validate', { code: 'BUDGET-10K', cartAmountMinor: 5_000 })
      .expect(200);
    expect(v.body).toMatchObject({ valid: false, reason: 'budget_exhausted' });
  });

  it('300 concurrent issues against a per-member limit of 1: each member gets one', async () => {
    const id = await template({ name: 'One each', perMemberLimit: 1 });
    const people = await members(100);
    const results = await Promise.all(
      people.flatMap((m) =>
        [0, 1, 2].map((k) =>
          concurrent(`/v1/coupon-templates/${id}/issue`, { memberId: m, sourceRef: `req-${k}` }),
        ),
      ),
    );
    expect(succeeded(results)).toHaveLength(100);
    for (const r of results.filter((x) => x.status !== 201 && x.status !== 200)) {
      expect(r.status).toBe(422);
      expect(r.body.errors[0].message).toBe('member_limit');
    }
    const rows: Array<{ member_id: string; n: number }> = await ds.query(
      `SELECT member_id, count(*)::int AS n FROM coupons WHERE template_id = $1 GROUP BY member_id`,
      [id],
    );
    expect(rows).toHaveLength(100);
    expect(rows.every((r) => r.n === 1)).toBe(true);
    const report = await api().get(`/v1/coupon-templates/${id}/report`).expect(200);
    expect(report.body).toMatchObject({ issued: 100, redeemed: 0 });
  });

  it('a count budget under concurrent issues: exactly the budget, then a clean refusal; a retried issue is the same coupon', async () => {
    const id = await template({ name: 'Fifty', budgetCount: 50 });
    const people = await members(80);
    const results = await Promise.all(
      people.map((m) =>
        concurrent(`/v1/coupon-templates/${id}/issue`, { memberId: m, sourceRef: 'welcome' }),
      ),
    );
    expect(succeeded(results)).toHaveLength(50);
    for (const r of results.filter((x) => x.status !== 201 && x.status !== 200)) {
      expect(r.status).toBe(422);
      expect(r.body).toMatchObject({ code: 'COUPON_BUDGET_EXHAUSTED' });
    }
    const winner = succeeded(results)[0];
    const who = people[results.indexOf(winner)];
    const again = await issue(id, who, 'welcome').expect(201);
    expect(again.body).toMatchObject({
      couponId: winner.body.couponId,
      code: winner.body.code,
      existing: true,
    });
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM coupons WHERE template_id = $1`, [id]);
    expect(n).toBe(50);
    expect(winner.body.code).toMatch(new RegExp(`^[${CODE_ALPHABET}]{10}$`));
  });

  it('an order redeems its code in its transaction; a refund records a rollback row and frees the code', async () => {
    const id = await template({ name: 'Order ¥20', codePrefix: 'TEA', codeLength: 8 });
    const member = await createMember(t.app, brand);
    const { code } = (await issue(id, member.id).expect(201)).body;
    expect(code).toMatch(/^TEA/);
    const order = await api()
      .post('/v1/orders', orderBody({ memberId: member.id, couponCodes: [code], amountMinor: '10800' }))
      .expect(201);
    const [red] = await ds.query(
      `SELECT kind, order_id, discount_minor::text AS d, cart_amount_minor::text AS cart FROM coupon_redemptions WHERE order_id = $1`,
      [order.body.id],
    );
    expect(red).toEqual({ kind: 'redemption', order_id: order.body.id, d: '2000', cart: '12800' });
    const used = await api()
      .post('/v1/coupons/validate', { code, memberId: member.id, cartAmountMinor: 12_800 })
      .expect(200);
    expect(used.body.reason).toBe('already_used');
    // the same order again (a retried webhook) redeems nothing more
    await api()
      .post(
        '/v1/orders',
        orderBody({
          memberId: member.id,
          couponCodes: [code],
          amountMinor: '10800',
          externalId: order.body.externalId,
        }),
      )
      .expect(200);
    // a partial refund keeps the coupon used (its share is its own ledger row); the full refund rolls it back
    await api()
      .post(`/v1/orders/${order.body.id}/refunds`, { externalId: 'r1', amountMinor: 800 })
      .expect(201);
    let rows = await ds.query(
      `SELECT kind FROM coupon_redemptions WHERE order_id = $1 ORDER BY created_at, kind`,
      [order.body.id],
    );
    expect(rows).toEqual([{ kind: 'redemption' }, { kind: 'partial_refund' }]);
    await api()
      .post(`/v1/orders/${order.body.id}/refunds`, { externalId: 'r2', amountMinor: 10_000 })
      .expect(201);
    rows = await ds.query(
      `SELECT kind, reverses_id IS NOT NULL AS reverses FROM coupon_redemptions WHERE order_id = $1 ORDER BY kind`,
      [order.body.id],
    );
    expect(rows).toEqual([
      { kind: 'partial_refund', reverses: true },
      { kind: 'redemption', reverses: false },
      { kind: 'rollback', reverses: true },
    ]);
    const report = await api().get(`/v1/coupon-templates/${id}/report`).expect(200);
    expect(report.body).toMatchObject({
      issued: 1,
      redemptions: 1,
      rollbacks: 1,
      redeemed: 0,
      redemptionRate: 0,
      discountGivenMinor: '0',
      gmvMinor: '0',
    });
    // the code is usable again, once
    const second = await api()
      .post('/v1/orders', orderBody({ memberId: member.id, couponCodes: [code], amountMinor: '10800' }))
      .expect(201);
    const after = await api().get(`/v1/coupon-templates/${id}/report`).expect(200);
    expect(after.body).toMatchObject({
      redeemed: 1,
      redemptionRate: 1,
      discountGivenMinor: '2000',
      gmvMinor: '10800',
    });
    const [ok] = await ds.query(`SELECT count(*)::int AS n FROM coupon_redemptions WHERE order_id = $1`, [
      second.body.id,
    ]);
    expect(ok.n).toBe(1);
    // an order with a code that cannot be used is still recorded
    await api()
      .post(
        '/v1/orders',
        orderBody({ memberId: member.id, couponCodes: [code, 'NOPE'], amountMinor: '10800' }),
      )
      .expect(201);
  });

  it('codes: 1,000,000 of length 4 are refused with the ratio; generated codes are unique, from the alphabet, with the prefix', async () => {
    const short = await template({ name: 'Short', codeLength: 4 });
    const refused = await api().post(`/v1/coupon-templates/${short}/codes`, { count: 1_000_000 }).expect(422);
    expect(refused.body).toMatchObject({ code: 'COUPON_CODE_SPACE_TOO_SMALL' });
    expect(refused.body.errors[0].field).toBe('count');
    expect(refused.body.detail).toContain('codeLength 6');
    const [none] = await ds.query(`SELECT issued_count FROM coupon_templates WHERE id = $1`, [short]);
    expect(none.issued_count).toBe(0);

    const id = await template({ name: 'Cards', codePrefix: 'SY', codeLength: 6, budgetCount: 2_000 });
    const batch = await api()
      .post(`/v1/coupon-templates/${id}/codes`, { count: 1_500, label: 'print run' })
      .expect(201);
    expect(batch.body).toMatchObject({ status: 'done', requested: 1_500, done: 1_500, percent: 100 });
    const [stats] = await ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT code)::int AS d, bool_and(code ~ $2) AS shape, bool_and(kind = 'bearer') AS bearer
         FROM coupons WHERE template_id = $1`,
      [id, `^SY[${CODE_ALPHABET}]{6}$`],
    );
    expect(stats).toEqual({ n: 1_500, d: 1_500, shape: true, bearer: true });
    const over = await api().post(`/v1/coupon-templates/${id}/codes`, { count: 501 }).expect(422);
    expect(over.body.code).toBe('COUPON_BUDGET_EXHAUSTED');
    // a bearer code is redeemed once, by whoever holds it
    const [{ code }] = await ds.query(`SELECT code FROM coupons WHERE template_id = $1 LIMIT 1`, [id]);
    const [m] = await members(1);
    await api()
      .post('/v1/coupons/redeem', { code, memberId: m, cartAmountMinor: 5_000, orderRef: 'card-1' })
      .expect(201);
    await api().post('/v1/coupons/redeem', { code, cartAmountMinor: 5_000, orderRef: 'card-2' }).expect(422);
  });

  it('a large generation is a queued batch with progress, run by the worker', async () => {
    const id = await template({ name: 'Partner codes', codeLength: 8 });
    const res = await api()
      .post(`/v1/coupon-templates/${id}/codes`, { count: 25_000, source: 'partner' })
      .expect(202);
    const done = await waitFor(
      async () => {
        const b = await api().get(`/v1/coupon-batches/${res.body.id}`).expect(200);
        return b.body.status === 'done' ? b.body : undefined;
      },
      60_000,
      'batch done',
    );
    expect(done).toMatchObject({ requested: 25_000, done: 25_000, percent: 100 });
    const [{ n }] = await ds.query(
      `SELECT count(DISTINCT code)::int AS n FROM coupons WHERE template_id = $1 AND source = 'partner'`,
      [id],
    );
    expect(n).toBe(25_000);
  });

  it('issues to a segment in SQL, once per member, within the per-member limit', async () => {
    const b = await createBrand(t.app);
    const id = await template({ name: 'Segment', perMemberLimit: 1 }, b);
    const people = await members(30, b);
    await issue(id, people[0], 'earlier', b).expect(201); // already holds one: skipped
    const seg = await api(b)
      .post('/v1/segments', { name: 'Everyone', rule: { all: [] } })
      .expect(201);
    const batch = await api(b)
      .post(`/v1/coupon-templates/${id}/issue-segment`, { segmentId: seg.body.id })
      .expect(201);
    expect(batch.body).toMatchObject({ status: 'done', requested: 30, done: 30, skipped: 1 });
    const [{ n, d }] = await ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT member_id)::int AS d FROM coupons WHERE template_id = $1`,
      [id],
    );
    expect([n, d]).toEqual([30, 30]);
  });

  it('tier perks: an upgrade issues its coupon exactly once, however often the consumer runs', async () => {
    const b = await createBrand(t.app);
    await api(b).put('/v1/tiers', ladderBody()).expect(200);
    const tiers: Array<{ id: string; name: string }> = await ds.query(
      `SELECT id, name FROM tiers WHERE brand_id = $1`,
      [b.id],
    );
    const silver = tiers.find((x) => x.name === 'Silver')!.id;
    const id = await template({ name: 'Silver welcome' }, b);
    await api(b)
      .put(`/v1/coupon-tier-perks/${silver}`, { templateIds: [id] })
      .expect(200);
    await api(b)
      .put(`/v1/coupon-tier-perks/${randomUUID()}`, { templateIds: [id] })
      .expect(404);
    const member = await createMember(t.app, b);
    await api(b)
      .post('/v1/orders', orderBody({ memberId: member.id, amountMinor: '150000', items: [] }))
      .expect(201);
    const perks = t.app.get(CouponTierPerksService);
    await waitFor(
      async () => {
        await perks.run(b.id);
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM coupons WHERE template_id = $1`, [id]);
        return n > 0 ? true : undefined;
      },
      30_000,
      'perk issued',
    );
    // many consumers at once, then again from a cursor reset to zero: still one coupon
    await Promise.all([perks.run(b.id), perks.run(b.id), perks.sweep(), perks.run(b.id)]);
    await ds.query(`UPDATE coupon_tier_cursors SET last_change_id = 0 WHERE brand_id = $1`, [b.id]);
    await perks.run(b.id);
    const rows = await ds.query(`SELECT member_id, source FROM coupons WHERE template_id = $1`, [id]);
    expect(rows).toEqual([{ member_id: member.id, source: 'tier_perk' }]);
    // a second upgrade (Gold) has no perk; a member who reached Silver gets one too
    const other = await createMember(t.app, b);
    await api(b)
      .post('/v1/orders', orderBody({ memberId: other.id, amountMinor: '120000', items: [] }))
      .expect(201);
    await perks.run(b.id);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM coupons WHERE template_id = $1`, [id]);
    expect(n).toBe(2);
  });
});
