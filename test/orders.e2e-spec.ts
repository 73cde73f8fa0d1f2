import { randomUUID } from 'node:crypto';
import { CommerceHooks, MemberOrdersChanged } from '@siyu/commerce';
import { MembersWorkerModule } from '@siyu/members';
import { DataSource } from 'typeorm';
import { createApiKey } from './factories/api-key.factory';
import { createBrand, createOperator, TestBrand } from './factories/brand.factory';
import { createMember, csv, uniquePhone } from './factories/member.factory';
import { orderBody, recordOrder } from './factories/order.factory';
import { createTestApp, TestApp } from './harness';

type Headers = Record<string, string>;

/** A JSON number given by its digits (spliced into the request body unparsed). */
const rawNumber = (digits: string) => ({ rawNumber: digits });

/** The API with the member-import processor in-process (orders matched by an import need it). */
describe('orders (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;
  let auth: Headers;
  let ds: DataSource;
  const changes: Array<MemberOrdersChanged & { orderCount: number[] }> = [];

  beforeAll(async () => {
    t = await createTestApp(MembersWorkerModule);
    brand = await createBrand(t.app);
    auth = { authorization: `Bearer ${brand.owner.token}` };
    ds = t.app.get(DataSource);
    // Listens as the tiers lib does: inside the transaction, after the aggregates were recomputed.
    t.app.get(CommerceHooks).onMemberOrdersChanged(async (m, change) => {
      const rows: Array<{ order_count: number }> = await m.query(
        `SELECT order_count FROM members WHERE id = ANY($1::uuid[]) ORDER BY id`,
        [change.memberIds],
      );
      changes.push({ ...change, orderCount: rows.map((r) => r.order_count) });
    });
  });
  afterAll(() => t.close());

  const post = (body: object, headers: Headers = auth) => t.http().post('/v1/orders').set(headers).send(body);
  const batch = (orders: unknown[], headers: Headers = auth) =>
    t.http().post('/v1/orders/batch').set(headers).send({ orders });
  const refund = (orderId: string, body: object, headers: Headers = auth) =>
    t.http().post(`/v1/orders/${orderId}/refunds`).set(headers).send(body);
  const member = async (id: string) => (await t.http().get(`/v1/members/${id}`).set(auth).expect(200)).body;
  const flags = async (memberId: string) =>
    (
      await ds.query(
        `SELECT external_id, is_repurchase FROM orders WHERE member_id = $1 ORDER BY placed_at, id`,
        [memberId],
      )
    ).map((r: { external_id: string; is_repurchase: boolean }) => [r.external_id, r.is_repurchase]);
  const timelineTypes = async (memberId: string) =>
    (await t.http().get(`/v1/members/${memberId}/timeline?limit=100`).set(auth).expect(200)).body.items.map(
      (e: { type: string }) => e.type,
    );
  const uid = () => randomUUID().slice(0, 12);

  describe('recording', () => {
    it('records an order by member id (201): exact amounts, items, aggregates, timeline, audit', async () => {
      const m = await createMember(t.app, brand);
      const body = orderBody({
        memberId: m.id,
        amountMinor: '999999999999999', // the largest amount an order may carry
        items: [
          { sku: 'TEA-1', name: 'Longjing', category: 'green-tea', quantity: 2, unitPriceMinor: '12800' },
          { sku: 'CUP-1', quantity: 1, unitPriceMinor: 0 },
        ],
        couponCodes: ['SUMMER-20'],
        linkCode: 'k7Qm2xPa9_-',
      });
      const res = await post(body).expect(201);
      expect(res.body).toMatchObject({
        memberId: m.id,
        source: 'store',
        externalId: body.externalId,
        status: 'paid',
        currency: 'CNY',
        amountMinor: '999999999999999',
        refundedMinor: '0',
        netMinor: '999999999999999',
        placedAt: '2025-06-18T12:15:00.000Z',
        isRepurchase: false,
        couponCodes: ['SUMMER-20'],
        linkCode: 'k7Qm2xPa9_-',
        items: [
          { sku: 'TEA-1', name: 'Longjing', category: 'green-tea', quantity: 2, unitPriceMinor: '12800' },
          { sku: 'CUP-1', name: null, category: null, quantity: 1, unitPriceMinor: '0' },
        ],
        refunds: [],
      });
      expect(await member(m.id)).toMatchObject({
        orderCount: 1,
        paidSpendMinor: '999999999999999',
        firstOrderAt: '2025-06-18T12:15:00.000Z',
        lastOrderAt: '2025-06-18T12:15:00.000Z',
      });
      expect(await timelineTypes(m.id)).toContain('order.paid');
      const audit = await t
        .http()
        .get('/v1/audit-log')
        .query({ action: 'order.create', entityId: res.body.id })
        .set(auth)
        .expect(200);
      expect(audit.body.items).toHaveLength(1);
      const got = await t.http().get(`/v1/orders/${res.body.id}`).set(auth).expect(200);
      expect(got.body).toEqual(res.body);
      // a second one: the member's spend passes 2^53 and stays exact (bigint end to end)
      await post(orderBody({ memberId: m.id, amountMinor: 999999999999999 })).expect(201);
      expect((await member(m.id)).paidSpendMinor).toBe('1999999999999998');
    });

    it('is idempotent on (source, externalId): the same order again is a 200 with the same order, counted once', async () => {
      const unionid = `u-${uid()}`;
      const m = await createMember(t.app, brand, { identities: { unionid } });
      const body = orderBody({ identities: { unionid } });
      const first = await post(body).expect(201);
      const again = await post(body).expect(200);
      expect(again.body.id).toBe(first.body.id);
      // the same external id from another source is another order
      const other = await post({ ...body, source: 'taobao' }).expect(201);
      expect(other.body.id).not.toBe(first.body.id);
      expect(await member(m.id)).toMatchObject({ orderCount: 2, paidSpendMinor: '25600' });
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM orders WHERE external_id = $1`, [
        body.externalId,
      ]);
      expect(n).toBe(2);
    });

    it('answers 409 naming the fields when the same key comes back with other content', async () => {
      const m = await createMember(t.app, brand);
      const body = orderBody({ memberId: m.id });
      const first = await post(body).expect(201);
      const res = await post({
        ...body,
        amountMinor: 1,
        items: [],
        placedAt: '2025-06-19T00:00:00Z',
      }).expect(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('ORDER_CONFLICT');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'amountMinor',
        'items',
        'placedAt',
      ]);
      const other = await createMember(t.app, brand);
      const moved = await post({ ...body, memberId: other.id }).expect(409);
      expect(moved.body.errors).toEqual([{ field: 'memberId', message: expect.stringContaining(m.id) }]);
      // nothing changed
      const got = await t.http().get(`/v1/orders/${first.body.id}`).set(auth).expect(200);
      expect(got.body).toEqual(first.body);
    });

    it('moves the status forward on a re-post (refunds, cancel), ignores an older status, refuses going back', async () => {
      const m = await createMember(t.app, brand);
      const body = orderBody({ memberId: m.id, amountMinor: '10000' });
      const created = await post(body).expect(201);
      const partly = await post({ ...body, status: 'partially_refunded', refundedMinor: '2500' }).expect(200);
      expect(partly.body).toMatchObject({
        id: created.body.id,
        status: 'partially_refunded',
        refundedMinor: '2500',
        refunds: [
          expect.objectContaining({ amountMinor: '2500', externalId: expect.stringMatching(/^siyu:/) }),
        ],
      });
      expect(await member(m.id)).toMatchObject({ orderCount: 1, paidSpendMinor: '7500' });
      // the original "paid" retried after the refund: older news, nothing changes
      const stale = await post(body).expect(200);
      expect(stale.body).toMatchObject({ status: 'partially_refunded', refundedMinor: '2500' });
      const full = await post({ ...body, status: 'refunded' }).expect(200);
      expect(full.body).toMatchObject({ status: 'refunded', refundedMinor: '10000' });
      expect(full.body.refunds.map((r: { amountMinor: string }) => r.amountMinor)).toEqual(['2500', '7500']);
      expect(await member(m.id)).toMatchObject({ orderCount: 0, paidSpendMinor: '0', firstOrderAt: null });
      const back = await post({ ...body, status: 'cancelled' }).expect(409);
      expect(back.body.errors).toEqual([{ field: 'status', message: expect.stringContaining('refunded') }]);

      const second = orderBody({ memberId: m.id });
      await post(second).expect(201);
      const cancelled = await post({ ...second, status: 'cancelled' }).expect(200);
      expect(cancelled.body.status).toBe('cancelled');
      await post(second).expect(200); // a retried "paid" of a cancelled order changes nothing
      await post({ ...second, status: 'refunded' }).expect(409);
      expect(await member(m.id)).toMatchObject({ orderCount: 0 });
      expect(await timelineTypes(m.id)).toEqual(
        expect.arrayContaining(['order.paid', 'order.refunded', 'order.cancelled']),
      );
      const causes = changes.filter((c) => c.memberIds.includes(m.id)).map((c) => c.cause);
      expect(causes).toEqual(['order', 'status', 'status', 'order', 'status']);
    });

    it('records orders that arrive already (partially) refunded, with a refund row for the amount', async () => {
      const m = await createMember(t.app, brand);
      const full = await post(orderBody({ memberId: m.id, status: 'refunded', amountMinor: '500' })).expect(
        201,
      );
      expect(full.body).toMatchObject({ refundedMinor: '500', netMinor: '0' });
      expect(full.body.refunds).toHaveLength(1);
      const part = await post(
        orderBody({ memberId: m.id, status: 'partially_refunded', amountMinor: '800', refundedMinor: 300 }),
      ).expect(201);
      expect(part.body).toMatchObject({ refundedMinor: '300', netMinor: '500', isRepurchase: false });
      expect(await member(m.id)).toMatchObject({ orderCount: 1, paidSpendMinor: '500' });
      for (const bad of [
        { status: 'partially_refunded' },
        { status: 'partially_refunded', refundedMinor: '800' },
        { status: 'refunded', refundedMinor: '1' },
        { status: 'paid', refundedMinor: '1' },
      ]) {
        const res = await post(orderBody({ memberId: m.id, amountMinor: '800', ...bad })).expect(400);
        expect(res.body.errors[0].field).toBe('refundedMinor');
      }
    });
  });

  describe('concurrency', () => {
    it('two identical posts at once record one order', async () => {
      for (const customer of [
        async () => ({ memberId: (await createMember(t.app, brand)).id }),
        async () => ({ identities: { storeCustomerId: `C-${uid()}` } }), // unmatched: no member row to lock
      ]) {
        const body = orderBody(await customer());
        const [a, b] = await Promise.all([post(body), post(body)]);
        expect([a.status, b.status].sort()).toEqual([200, 201]);
        expect(a.body.id).toBe(b.body.id);
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM orders WHERE external_id = $1`, [
          body.externalId,
        ]);
        expect(n).toBe(1);
      }
    });

    it('20 orders for one member at once: order count 20, exactly one first order', async () => {
      const m = await createMember(t.app, brand);
      const bodies = Array.from({ length: 20 }, (_, i) =>
        orderBody({
          memberId: m.id,
          amountMinor: 100 + i,
          placedAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString(),
        }),
      );
      const results = await Promise.all(bodies.map((b) => post(b)));
      expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(await member(m.id)).toMatchObject({
        orderCount: 20,
        paidSpendMinor: String(20 * 100 + 190),
        firstOrderAt: '2025-01-01T00:00:00.000Z',
        lastOrderAt: '2025-01-20T00:00:00.000Z',
      });
      const f = await flags(m.id);
      expect(f.filter(([, rep]: [string, boolean]) => !rep)).toEqual([[bodies[0].externalId, false]]);
    });
  });

  describe('refunds', () => {
    it('partial, repeated, conflicting, exceeding, then full: spend net of refunds and repurchase flags follow', async () => {
      const m = await createMember(t.app, brand);
      const first = await post(
        orderBody({ memberId: m.id, amountMinor: '10000', placedAt: '2025-03-01T10:00:00+08:00' }),
      ).expect(201);
      const second = await post(
        orderBody({ memberId: m.id, amountMinor: '4000', placedAt: '2025-04-01T10:00:00+08:00' }),
      ).expect(201);
      expect(second.body.isRepurchase).toBe(true);

      const partial = await refund(first.body.id, {
        externalId: 'RF-1',
        amountMinor: '3000',
        reason: 'one box damaged',
        refundedAt: '2025-03-05T09:00:00+08:00',
      }).expect(201);
      expect(partial.body.refund).toMatchObject({
        externalId: 'RF-1',
        amountMinor: '3000',
        reason: 'one box damaged',
      });
      expect(partial.body.order).toMatchObject({
        status: 'partially_refunded',
        refundedMinor: '3000',
        netMinor: '7000',
      });
      expect(await member(m.id)).toMatchObject({ orderCount: 2, paidSpendMinor: '11000' });

      const repeat = await refund(first.body.id, { externalId: 'RF-1', amountMinor: 3000 }).expect(200);
      expect(repeat.body.refund.id).toBe(partial.body.refund.id);
      expect(repeat.body.order.refundedMinor).toBe('3000');
      const conflict = await refund(first.body.id, { externalId: 'RF-1', amountMinor: '100' }).expect(409);
      expect(conflict.body).toMatchObject({ code: 'REFUND_CONFLICT', errors: [{ field: 'amountMinor' }] });

      const exceeding = await refund(first.body.id, { externalId: 'RF-2', amountMinor: '7001' }).expect(422);
      expect(exceeding.body).toMatchObject({
        code: 'REFUND_EXCEEDS_ORDER',
        errors: [{ field: 'amountMinor' }],
      });
      expect(exceeding.body.detail).toContain('7000');

      const full = await refund(first.body.id, { externalId: 'RF-2', amountMinor: '7000' }).expect(201);
      expect(full.body.order).toMatchObject({ status: 'refunded', refundedMinor: '10000', netMinor: '0' });
      expect(full.body.order.refunds).toHaveLength(2);
      // the fully refunded first order no longer counts: the second becomes the first order
      expect(await member(m.id)).toMatchObject({
        orderCount: 1,
        paidSpendMinor: '4000',
        firstOrderAt: '2025-04-01T02:00:00.000Z',
      });
      expect(await flags(m.id)).toEqual([
        [first.body.externalId, false],
        [second.body.externalId, false],
      ]);
      await refund(first.body.id, { externalId: 'RF-3', amountMinor: '1' }).expect(422);
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM order_refunds WHERE order_id = $1`, [
        first.body.id,
      ]);
      expect(n).toBe(2);
      const types = await timelineTypes(m.id);
      expect(types.filter((x: string) => x === 'order.refunded')).toHaveLength(2);
      const causes = changes.filter((c) => c.memberIds.includes(m.id)).map((c) => c.cause);
      expect(causes).toEqual(['order', 'order', 'refund', 'refund']);
      expect(changes.filter((c) => c.memberIds.includes(m.id)).at(-1)?.orderCount).toEqual([1]);
    });

    it('refuses refunds of cancelled orders, before the order, and with bad amounts', async () => {
      const m = await createMember(t.app, brand);
      const o = await recordOrder(t.app, brand, { memberId: m.id, status: 'cancelled' });
      const cancelled = await refund(o.id, { externalId: 'R', amountMinor: 1 }).expect(422);
      expect(cancelled.body.code).toBe('ORDER_NOT_REFUNDABLE');
      const paid = await recordOrder(t.app, brand, { memberId: m.id });
      const early = await refund(paid.id, {
        externalId: 'R',
        amountMinor: 1,
        refundedAt: '2025-01-01T00:00:00Z',
      }).expect(422);
      expect(early.body.errors[0].field).toBe('refundedAt');
      for (const [amountMinor, field] of [
        [0, 'amountMinor'],
        [-5, 'amountMinor'],
        [1.5, 'amountMinor'],
        ['1e3', 'amountMinor'],
        ['9223372036854775808', 'amountMinor'],
      ] as const) {
        const res = await refund(paid.id, { externalId: 'R', amountMinor }).expect(400);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      await refund(paid.id, { externalId: 'R', amountMinor: 1, reason: 'x\u0000' }).expect(400);
      const reserved = await refund(paid.id, { externalId: 'siyu:mine', amountMinor: 1 }).expect(400);
      expect(reserved.body.errors[0].field).toBe('externalId');
      await refund(randomUUID(), { externalId: 'R', amountMinor: 1 }).expect(404);
      await refund('not-a-uuid', { externalId: 'R', amountMinor: 1 }).expect(400);
    });

    it('concurrent refunds never exceed the order, and a retried refund counts once', async () => {
      const m = await createMember(t.app, brand);
      const o = await recordOrder(t.app, brand, { memberId: m.id, amountMinor: '1000' });
      const same = await Promise.all(
        [1, 2, 3].map(() => refund(o.id, { externalId: 'RF-same', amountMinor: 400 })),
      );
      expect(same.map((r) => r.status).sort()).toEqual([200, 200, 201]);
      const distinct = await Promise.all(
        [1, 2, 3].map((i) => refund(o.id, { externalId: `RF-${i}`, amountMinor: 400 })),
      );
      expect(distinct.map((r) => r.status).sort()).toEqual([201, 422, 422]);
      const [row] = await ds.query(
        `SELECT o.refunded_minor::text AS refunded, (SELECT sum(amount_minor)::text FROM order_refunds r WHERE r.order_id = o.id) AS rows
           FROM orders o WHERE o.id = $1`,
        [o.id],
      );
      expect(row).toEqual({ refunded: '800', rows: '800' });
      expect(await member(m.id)).toMatchObject({ paidSpendMinor: '200' });
    });
  });

  describe('repurchase', () => {
    it('is the member’s second or later counted order by placed time, recomputed when an earlier order lands late', async () => {
      const m = await createMember(t.app, brand);
      const june = await recordOrder(t.app, brand, { memberId: m.id, placedAt: '2025-06-01T00:00:00Z' });
      const july = await recordOrder(t.app, brand, { memberId: m.id, placedAt: '2025-07-01T00:00:00Z' });
      expect([june.isRepurchase, july.isRepurchase]).toEqual([false, true]);
      // a cancelled order in between counts for nothing
      await recordOrder(t.app, brand, {
        memberId: m.id,
        placedAt: '2025-01-01T00:00:00Z',
        status: 'cancelled',
        externalId: 'cancelled-early',
      });
      const may = await recordOrder(t.app, brand, { memberId: m.id, placedAt: '2025-05-01T00:00:00Z' });
      expect(may.isRepurchase).toBe(false);
      expect(await flags(m.id)).toEqual([
        ['cancelled-early', false],
        [may.externalId, false],
        [june.externalId, true],
        [july.externalId, true],
      ]);
      expect(await member(m.id)).toMatchObject({ orderCount: 3, firstOrderAt: '2025-05-01T00:00:00.000Z' });
    });
  });

  describe('unmatched orders', () => {
    it('keeps an order no member matches, with its identities as claims (phone as its HMAC), and matches it when a member upsert adds the identity', async () => {
      const phone = uniquePhone();
      const openid = `o-${uid()}`;
      const body = orderBody({ identities: { phone, openid, appId: 'wx-shop' }, amountMinor: 6600 });
      const res = await post(body).expect(201);
      expect(res.body.memberId).toBeNull();
      const claims = await ds.query(
        `SELECT kind, app_id, value FROM order_identity_claims WHERE order_id = $1 ORDER BY kind`,
        [res.body.id],
      );
      expect(claims).toEqual([
        { kind: 'openid', app_id: 'wx-shop', value: openid },
        { kind: 'phone', app_id: '', value: expect.stringMatching(/^[0-9a-f]{64}$/) },
      ]);
      expect(JSON.stringify(claims)).not.toContain(phone);
      const unmatched = await t
        .http()
        .get('/v1/orders')
        .query({ matched: 'false', limit: 500 })
        .set(auth)
        .expect(200);
      expect(unmatched.body.items.map((o: { id: string }) => o.id)).toContain(res.body.id);
      // a second order of the same customer, placed earlier
      const earlier = await post(
        orderBody({ identities: { phone: `+86${phone}` }, placedAt: '2025-01-05T10:00:00+08:00' }),
      ).expect(201);

      // the member appears (by the phone, spelled differently): both orders are matched in that transaction
      const created = await t
        .http()
        .post('/v1/members')
        .set(auth)
        .send({ identities: { phone: `+86 ${phone}` }, nickname: 'Late joiner' })
        .expect(201);
      expect(created.body).toMatchObject({ orderCount: 2, paidSpendMinor: String(6600 + 12800) });
      const got = await t.http().get(`/v1/orders/${res.body.id}`).set(auth).expect(200);
      expect(got.body).toMatchObject({ memberId: created.body.id, isRepurchase: true });
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM order_identity_claims WHERE order_id = ANY($1::uuid[])`,
        [[res.body.id, earlier.body.id]],
      );
      expect(n).toBe(0);
      const types = await timelineTypes(created.body.id);
      expect(types.filter((x: string) => x === 'order.matched')).toHaveLength(2);
      const change = changes.find((c) => c.memberIds.includes(created.body.id));
      expect(change).toMatchObject({ cause: 'match', orderCount: [2] });
      // re-posting the order now finds it matched: nothing changes
      await post(body).expect(200);
      expect(await member(created.body.id)).toMatchObject({ orderCount: 2 });
    });

    it('matches when an identity is added to an existing member; an order naming two members is refused', async () => {
      const m = await createMember(t.app, brand);
      const externalUserId = `wm-${uid()}`;
      const o = await post(orderBody({ identities: { externalUserId } })).expect(201);
      const unionid = (await t.http().get(`/v1/members/${m.id}`).set(auth).expect(200)).body.identities[0]
        .value;
      await t
        .http()
        .post('/v1/members')
        .set(auth)
        .send({ identities: { unionid, externalUserId } })
        .expect(200);
      expect((await t.http().get(`/v1/orders/${o.body.id}`).set(auth).expect(200)).body.memberId).toBe(m.id);

      // the first member to own one of an unmatched order's identities takes it; it does not move later
      const a = `C-${uid()}`;
      const b = `wm-${uid()}`;
      const first = await post(orderBody({ identities: { storeCustomerId: a, externalUserId: b } })).expect(
        201,
      );
      const owner = await createMember(t.app, brand, { identities: { storeCustomerId: a } });
      await createMember(t.app, brand, { identities: { externalUserId: b } });
      const got = await t.http().get(`/v1/orders/${first.body.id}`).set(auth).expect(200);
      expect(got.body.memberId).toBe(owner.id);
      // a new order naming both is refused: the caller must choose, or merge them first
      const both = await post(orderBody({ identities: { storeCustomerId: a, externalUserId: b } })).expect(
        409,
      );
      expect(both.body.code).toBe('ORDER_IDENTITY_CONFLICT');
      expect(both.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'identities.externalUserId',
        'identities.storeCustomerId',
      ]);
    });

    it('matches when a member CSV import adds the identity', async () => {
      const ext = `wm-imp-${uid()}`;
      const store = `C-imp-${uid()}`;
      const o1 = await post(orderBody({ identities: { externalUserId: ext } })).expect(201);
      const o2 = await post(
        orderBody({ identities: { storeCustomerId: store }, placedAt: '2024-12-01T00:00:00Z' }),
      ).expect(201);
      const file = csv(
        ['external_userid', 'store_customer_id', 'nickname'],
        [
          [ext, '', 'Imported A'],
          ['', store, 'Imported B'],
        ],
      );
      const up = await t
        .http()
        .post('/v1/members/imports')
        .set(auth)
        .attach('file', Buffer.from(file), 'members.csv')
        .expect(202);
      for (;;) {
        const s = await t.http().get(`/v1/members/imports/${up.body.id}`).set(auth).expect(200);
        if (s.body.status === 'completed' || s.body.status === 'failed') {
          expect(s.body).toMatchObject({ status: 'completed', inserted: 2 });
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      const got1 = await t.http().get(`/v1/orders/${o1.body.id}`).set(auth).expect(200);
      const got2 = await t.http().get(`/v1/orders/${o2.body.id}`).set(auth).expect(200);
      expect(got1.body.memberId).not.toBeNull();
      expect(got2.body.memberId).not.toBeNull();
      expect(got1.body.memberId).not.toBe(got2.body.memberId);
      expect(await member(got2.body.memberId)).toMatchObject({
        orderCount: 1,
        firstOrderAt: '2024-12-01T00:00:00.000Z',
      });
    });
  });

  describe('merge and erase', () => {
    it('merge recomputes the survivor from its orders: count, spend, first/last, repurchase flags; hooks hear "merge"', async () => {
      const survivor = await createMember(t.app, brand);
      const merged = await createMember(t.app, brand);
      const s1 = await recordOrder(t.app, brand, {
        memberId: survivor.id,
        placedAt: '2025-03-01T00:00:00Z',
        amountMinor: 100,
      });
      const s2 = await recordOrder(t.app, brand, {
        memberId: survivor.id,
        placedAt: '2025-05-01T00:00:00Z',
        amountMinor: 200,
      });
      const d1 = await recordOrder(t.app, brand, {
        memberId: merged.id,
        placedAt: '2025-01-01T00:00:00Z',
        amountMinor: 400,
      });
      const d2 = await recordOrder(t.app, brand, {
        memberId: merged.id,
        placedAt: '2025-04-01T00:00:00Z',
        amountMinor: 800,
      });
      await refund(d2.id, { externalId: 'R-1', amountMinor: 300 }).expect(201);
      const res = await t
        .http()
        .post('/v1/members/merge')
        .set(auth)
        .send({ survivorId: survivor.id, mergedId: merged.id })
        .expect(200);
      expect(res.body).toMatchObject({
        orderCount: 4,
        paidSpendMinor: String(100 + 200 + 400 + 500),
        firstOrderAt: '2025-01-01T00:00:00.000Z',
        lastOrderAt: '2025-05-01T00:00:00.000Z',
      });
      expect(await flags(survivor.id)).toEqual([
        [d1.externalId, false],
        [s1.externalId, true],
        [d2.externalId, true],
        [s2.externalId, true],
      ]);
      expect(await member(merged.id)).toMatchObject({ orderCount: 0, paidSpendMinor: '0' });
      expect(changes.at(-1)).toMatchObject({ cause: 'merge', memberIds: [survivor.id], orderCount: [4] });
      // an order posted later for the merged member's id lands on the survivor
      const late = await post(orderBody({ memberId: merged.id })).expect(201);
      expect(late.body.memberId).toBe(survivor.id);
    });

    it('erase keeps the orders and the aggregates; the orders hold no personal data; no new orders attach to it', async () => {
      const phone = uniquePhone();
      const m = await createMember(t.app, brand, { identities: { phone } });
      await post(orderBody({ identities: { phone }, amountMinor: 300 })).expect(201);
      const unmatchedFirst = await post(orderBody({ identities: { storeCustomerId: `C-${uid()}` } })).expect(
        201,
      );
      expect(unmatchedFirst.body.memberId).toBeNull();
      await recordOrder(t.app, brand, { memberId: m.id, amountMinor: 700 });
      await t.http().post(`/v1/members/${m.id}/erase`).set(auth).expect(200);
      expect(await member(m.id)).toMatchObject({
        orderCount: 2,
        paidSpendMinor: '1000',
        erasedAt: expect.any(String),
      });
      const [{ orders, claims }] = await ds.query(
        `SELECT count(*)::int AS orders,
                (SELECT count(*)::int FROM order_identity_claims c JOIN orders o ON o.id = c.order_id WHERE o.member_id = $1) AS claims
           FROM orders WHERE member_id = $1`,
        [m.id],
      );
      expect({ orders, claims }).toEqual({ orders: 2, claims: 0 });
      const again = await post(orderBody({ memberId: m.id })).expect(422);
      expect(again.body).toMatchObject({ code: 'ORDER_MEMBER_ERASED', errors: [{ field: 'memberId' }] });
      // refunds of its orders still work, and its aggregates follow
      const [o] = await ds.query(`SELECT id FROM orders WHERE member_id = $1 AND amount_minor = 700`, [m.id]);
      await refund(o.id, { externalId: 'R-erased', amountMinor: 700 }).expect(201);
      expect(await member(m.id)).toMatchObject({ orderCount: 1, paidSpendMinor: '300' });
    });
  });

  describe('batch', () => {
    it('records the good orders set-wise, reports the bad ones by index and field, and is idempotent', async () => {
      const a = await createMember(t.app, brand);
      const unionid = `u-${uid()}`;
      const b = await createMember(t.app, brand, { identities: { unionid } });
      const orders = [
        orderBody({ memberId: a.id, placedAt: '2025-02-01T00:00:00Z', amountMinor: 100 }),
        orderBody({ memberId: a.id, placedAt: '2025-01-01T00:00:00Z', amountMinor: 200 }),
        orderBody({ identities: { unionid }, amountMinor: '300' }),
        orderBody({ memberId: a.id, amountMinor: 1.5 }),
        orderBody({ memberId: a.id, currency: 'USD' }),
        orderBody({ identities: { storeCustomerId: `C-${uid()}` } }),
        'not an order',
        orderBody({ memberId: randomUUID() }),
        orderBody({ memberId: b.id, status: 'refunded', amountMinor: 50 }),
      ];
      orders.push({ ...(orders[0] as object) }); // the same key twice in one batch
      const res = await batch(orders).expect(200);
      expect(res.body).toMatchObject({ received: 10, created: 5, existing: 1, updated: 0, failed: 4 });
      const r = res.body.results;
      expect(r.map((x: { outcome: string }) => x.outcome)).toEqual([
        'created',
        'created',
        'created',
        'failed',
        'failed',
        'created',
        'failed',
        'failed',
        'created',
        'existing',
      ]);
      expect(r[3]).toMatchObject({ httpStatus: 400, errors: [{ field: 'orders[3].amountMinor' }] });
      expect(r[4]).toMatchObject({
        httpStatus: 422,
        code: 'ORDER_CURRENCY_MISMATCH',
        errors: [{ field: 'orders[4].currency' }],
      });
      expect(r[6]).toMatchObject({ httpStatus: 400, errors: [{ field: 'orders[6]' }] });
      expect(r[7]).toMatchObject({
        httpStatus: 422,
        code: 'ORDER_MEMBER_NOT_FOUND',
        errors: [{ field: 'orders[7].memberId' }],
      });
      expect(r[9].id).toBe(r[0].id);
      expect(r[5].memberId).toBeNull();
      expect(await member(a.id)).toMatchObject({
        orderCount: 2,
        paidSpendMinor: '300',
        firstOrderAt: '2025-01-01T00:00:00.000Z',
      });
      expect(await member(b.id)).toMatchObject({ orderCount: 1, paidSpendMinor: '300' });
      expect(await flags(a.id)).toEqual([
        [(orders[1] as { externalId: string }).externalId, false],
        [(orders[0] as { externalId: string }).externalId, true],
      ]);
      const hookCalls = changes.filter((c) => c.memberIds.includes(a.id));
      expect(hookCalls).toEqual([
        expect.objectContaining({ cause: 'order', memberIds: [a.id, b.id].sort() }),
      ]);

      const again = await batch(orders).expect(200);
      expect(again.body).toMatchObject({ created: 0, existing: 6, failed: 4 });
      expect(await member(a.id)).toMatchObject({ orderCount: 2 });
    });

    it('refuses an empty batch, more than 1,000 orders, and a body that is not a batch', async () => {
      const empty = await batch([]).expect(400);
      expect(empty.body.errors[0].field).toBe('orders');
      const tooMany = await batch(Array.from({ length: 1001 }, () => ({}))).expect(400);
      expect(tooMany.body.errors[0].field).toBe('orders');
      await t.http().post('/v1/orders/batch').set(auth).send({ orders: 'x' }).expect(400);
      await t.http().post('/v1/orders/batch').set(auth).send([orderBody()]).expect(400);
    });
  });

  describe('reads', () => {
    it('lists with filters and keyset pages', async () => {
      const m = await createMember(t.app, brand);
      const source = `src-${uid().slice(0, 6)}`;
      const made = [];
      for (let i = 0; i < 5; i++)
        made.push(
          await recordOrder(t.app, brand, {
            memberId: m.id,
            source,
            placedAt: new Date(Date.UTC(2025, 2, 1 + i)).toISOString(),
            status: i === 4 ? 'cancelled' : 'paid',
          }),
        );
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await t
          .http()
          .get('/v1/orders')
          .query({ memberId: m.id, limit: 2, ...(cursor ? { cursor } : {}) })
          .set(auth)
          .expect(200);
        seen.push(...page.body.items.map((o: { id: string }) => o.id));
        expect(page.body.items[0].items).toBeUndefined();
        cursor = page.body.nextCursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(made.map((o) => o.id).reverse());
      const filtered = await t
        .http()
        .get('/v1/orders')
        .query({
          source,
          status: 'paid',
          placedFrom: '2025-03-02T00:00:00Z',
          placedTo: '2025-03-04T00:00:00Z',
        })
        .set(auth)
        .expect(200);
      expect(filtered.body.items.map((o: { id: string }) => o.id)).toEqual([made[2].id, made[1].id]);
      for (const q of [
        { status: 'shipped' },
        { placedFrom: 'yesterday' },
        { memberId: 'x' },
        { cursor: 'nope' },
        { limit: 0 },
      ])
        await t.http().get('/v1/orders').query(q).set(auth).expect(400);
    });
  });

  describe('summary', () => {
    it('adds up orders, GMV, refunds, net sales and the repurchase rate from the rows', async () => {
      const own = await createBrand(t.app);
      const h = { authorization: `Bearer ${own.owner.token}` };
      const empty = await t.http().get('/v1/orders/summary').set(h).expect(200);
      expect(empty.body).toMatchObject({
        orders: 0,
        buyers: 0,
        repurchaseRate: 0,
        netMinor: '0',
        currency: 'CNY',
      });
      const a = await createMember(t.app, own);
      const b = await createMember(t.app, own);
      await recordOrder(t.app, own, { memberId: a.id, amountMinor: 1000, placedAt: '2025-01-01T00:00:00Z' });
      await recordOrder(t.app, own, { memberId: a.id, amountMinor: 2000, placedAt: '2025-02-01T00:00:00Z' });
      const bo = await recordOrder(t.app, own, {
        memberId: b.id,
        amountMinor: 4000,
        placedAt: '2025-03-01T00:00:00Z',
      });
      await recordOrder(t.app, own, { memberId: b.id, amountMinor: 8000, status: 'cancelled' });
      await recordOrder(t.app, own, { identities: { unionid: `u-${uid()}` }, amountMinor: 500 });
      await refund(bo.id, { externalId: 'R', amountMinor: 1500 }, h).expect(201);
      const res = await t.http().get('/v1/orders/summary').set(h).expect(200);
      expect(res.body).toEqual({
        orders: 5,
        countedOrders: 4,
        unmatchedOrders: 1,
        currency: 'CNY',
        grossMinor: '7500',
        refundedMinor: '1500',
        netMinor: '6000',
        buyers: 2,
        repeatBuyers: 1,
        repurchaseOrders: 1,
        repurchaseRate: 0.5,
      });
      const window = await t
        .http()
        .get('/v1/orders/summary')
        .query({ placedFrom: '2025-01-15T00:00:00Z', placedTo: '2025-03-15T00:00:00Z' })
        .set(h)
        .expect(200);
      expect(window.body).toMatchObject({ orders: 2, buyers: 2, repeatBuyers: 1, netMinor: '4500' });
      await t.http().get('/v1/orders/summary').query({ placedFrom: 'soon' }).set(h).expect(400);
    });
  });

  describe('roles and tenancy', () => {
    it('lets operators and operator API keys write, marketers and community managers read only', async () => {
      const m = await createMember(t.app, brand);
      const operator = await createOperator(t.app, brand, 'operator');
      const marketer = await createOperator(t.app, brand, 'marketer');
      const cm = await createOperator(t.app, brand, 'community_manager');
      const key = await createApiKey(t.app, brand, 'operator');
      const byOperator = await post(orderBody({ memberId: m.id }), {
        authorization: `Bearer ${operator.token}`,
      }).expect(201);
      await post(orderBody({ memberId: m.id }), { 'x-api-key': key.key }).expect(201);
      for (const reader of [marketer, cm]) {
        const h = { authorization: `Bearer ${reader.token}` };
        await post(orderBody({ memberId: m.id }), h).expect(403);
        await batch([orderBody({ memberId: m.id })], h).expect(403);
        await refund(byOperator.body.id, { externalId: 'R', amountMinor: 1 }, h).expect(403);
        await t.http().get(`/v1/orders/${byOperator.body.id}`).set(h).expect(200);
        await t.http().get('/v1/orders').set(h).expect(200);
      }
      await t.http().get('/v1/orders').expect(401);
    });

    it('seals brands: another brand’s order is a 404, another brand’s member a 422 naming memberId', async () => {
      const other = await createBrand(t.app);
      const otherAuth = { authorization: `Bearer ${other.owner.token}` };
      const mine = await recordOrder(t.app, brand, { memberId: (await createMember(t.app, brand)).id });
      await t.http().get(`/v1/orders/${mine.id}`).set(otherAuth).expect(404);
      await refund(mine.id, { externalId: 'R', amountMinor: 1 }, otherAuth).expect(404);
      const list = await t.http().get('/v1/orders').set(otherAuth).expect(200);
      expect(list.body.items).toEqual([]);
      const res = await post(orderBody({ memberId: mine.memberId }), otherAuth).expect(422);
      expect(res.body).toMatchObject({ code: 'ORDER_MEMBER_NOT_FOUND', errors: [{ field: 'memberId' }] });
      // the same source + external id in another brand is another order
      const theirs = await post(
        orderBody({ externalId: mine.externalId, identities: { unionid: `u-${uid()}` } }),
        otherAuth,
      ).expect(201);
      expect(theirs.body.id).not.toBe(mine.id);
      // identities are matched within the brand only
      const unionid = `u-${uid()}`;
      await createMember(t.app, brand, { identities: { unionid } });
      const unmatched = await post(orderBody({ identities: { unionid } }), otherAuth).expect(201);
      expect(unmatched.body.memberId).toBeNull();
    });
  });

  describe('bad input', () => {
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['an amount of 2^63 (string)', { amountMinor: '9223372036854775808' }, 400, 'amountMinor'],
      [
        'an amount of 2^63 − 1 (a JSON number)',
        { amountMinor: rawNumber('9223372036854775807') },
        400,
        'amountMinor',
      ],
      [
        'an amount of 2^53 + 1 (a JSON number)',
        { amountMinor: rawNumber('9007199254740993') },
        400,
        'amountMinor',
      ],
      ['a JSON number with 30 digits', { amountMinor: rawNumber('1'.repeat(30)) }, 400, 'amountMinor'],
      ['an amount over the cap', { amountMinor: '1000000000000000' }, 400, 'amountMinor'],
      ['a float amount', { amountMinor: 12.5 }, 400, 'amountMinor'],
      ['a negative amount', { amountMinor: -1 }, 400, 'amountMinor'],
      ['an exponent', { amountMinor: '1e5' }, 400, 'amountMinor'],
      ['a decimal string', { amountMinor: '12.00' }, 400, 'amountMinor'],
      ['a boolean amount', { amountMinor: true }, 400, 'amountMinor'],
      ['an invalid date', { placedAt: '2025-02-30T10:00:00+08:00' }, 400, 'placedAt'],
      ['a date without offset', { placedAt: '2025-02-03T10:00:00' }, 400, 'placedAt'],
      ['a date far in the future', { placedAt: '2999-01-01T00:00:00Z' }, 400, 'placedAt'],
      ['a date as a number', { placedAt: 1700000000000 }, 400, 'placedAt'],
      ['an unknown field', { discount: 5 }, 400, 'discount'],
      ['an unknown identity field', { identities: { email: 'a@b.c' } }, 400, 'identities.email'],
      ['no customer', { memberId: undefined }, 400, 'identities'],
      ['empty identities', { memberId: undefined, identities: {} }, 400, 'identities'],
      ['memberId and identities', { identities: { unionid: 'u-x' } }, 400, 'memberId'],
      ['a bad phone', { memberId: undefined, identities: { phone: '12345' } }, 400, 'identities.phone'],
      [
        'openid without appId',
        { memberId: undefined, identities: { openid: 'o-1' } },
        400,
        'identities.appId',
      ],
      ['a bad member id', { memberId: 'not-a-uuid' }, 400, 'memberId'],
      ['an unknown member', { memberId: '00000000-0000-4000-8000-000000000000' }, 422, 'memberId'],
      ['a bad currency', { currency: 'XXXX' }, 400, 'currency'],
      ['another currency', { currency: 'USD' }, 422, 'currency'],
      ['an unknown status', { status: 'shipped' }, 400, 'status'],
      ['a bad source', { source: 'My Store' }, 400, 'source'],
      ['an external id with spaces', { externalId: 'a b' }, 400, 'externalId'],
      ['a too long external id', { externalId: 'x'.repeat(129) }, 400, 'externalId'],
      [
        'a zero quantity',
        { items: [{ sku: 'A', quantity: 0, unitPriceMinor: 1 }] },
        400,
        'items[0].quantity',
      ],
      [
        'a float unit price',
        { items: [{ sku: 'A', quantity: 1, unitPriceMinor: 0.5 }] },
        400,
        'items[0].unitPriceMinor',
      ],
      ['items not a list', { items: { sku: 'A' } }, 400, 'items'],
      [
        'an unknown item field',
        { items: [{ sku: 'A', quantity: 1, unitPriceMinor: 1, colour: 'red' }] },
        400,
        'items[0].colour',
      ],
      ['coupons not strings', { couponCodes: [1] }, 400, 'couponCodes'],
      [
        'a NUL in an item name',
        { items: [{ sku: 'A', name: 'a\u0000b', quantity: 1, unitPriceMinor: 1 }] },
        400,
        'items[0].name',
      ],
      ['a NUL in a coupon code', { couponCodes: ['X\u0000'] }, 400, 'couponCodes'],
      ['a link code with a slash', { linkCode: 'ab/cd' }, 400, 'linkCode'],
      ['a link code too long', { linkCode: 'a'.repeat(33) }, 400, 'linkCode'],
      ['a missing amount', { amountMinor: undefined }, 400, 'amountMinor'],
    ];

    it.each(cases)(
      'refuses %s with a problem naming the field, changing nothing',
      async (_, patch, status, field) => {
        const m = await createMember(t.app, brand);
        const body = orderBody({ memberId: m.id, ...patch });
        // numbers JavaScript cannot hold are spliced into the JSON text as a client would send them
        const json = JSON.stringify(body).replace(/\{"rawNumber":"(\d+)"\}/g, '$1');
        const res = await t
          .http()
          .post('/v1/orders')
          .set({ ...auth, 'content-type': 'application/json' })
          .send(json);
        expect(res.status).toBe(status);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
        const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM orders WHERE external_id = $1`, [
          body.externalId,
        ]);
        expect(n).toBe(0);
      },
    );

    it('answers malformed JSON and a bad id with 400, never a 500', async () => {
      const raw = await t
        .http()
        .post('/v1/orders')
        .set({ ...auth, 'content-type': 'application/json' })
        .send('{"source": ');
      expect(raw.status).toBe(400);
      await t.http().get('/v1/orders/123').set(auth).expect(400);
      await t.http().get(`/v1/orders/${randomUUID()}`).set(auth).expect(404);
      await post([]).expect(400);
    });
  });
});
