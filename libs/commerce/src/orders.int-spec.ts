import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MembersModule, MembersService } from '@siyu/members';
import { Actor, BrandsService, DomainException, PlatformModule } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { CommerceHooks, MemberOrdersChanged } from './commerce-hooks';
import { CommerceModule } from './commerce.module';
import { OrderAggregatesService } from './order-aggregates.service';
import { OrderMatcherService } from './order-matcher.service';
import { BatchItemResult, OrdersService } from './orders.service';

describe('commerce (int)', () => {
  let app: INestApplicationContext;
  let ds: DataSource;
  let orders: OrdersService;
  let members: MembersService;
  const heard: MemberOrdersChanged[] = [];
  let failNext: string | null = null;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule, MembersModule, CommerceModule],
    }).compile();
    app = await moduleRef.init();
    ds = app.get(DataSource);
    orders = app.get(OrdersService);
    members = app.get(MembersService);
    app.get(CommerceHooks).onMemberOrdersChanged(async (_m, change) => {
      heard.push(change);
      if (failNext && change.memberIds.includes(failNext)) {
        failNext = null;
        throw new Error('listener failed');
      }
    });
  });
  afterAll(() => app.close());

  async function brand(): Promise<Actor> {
    const { brand: b, owner } = await app.get(BrandsService).createWithOwner({
      name: `Brand ${randomUUID().slice(0, 8)}`,
      ownerEmail: `o-${randomUUID().slice(0, 8)}@test.siyu`,
      password: randomUUID(),
    });
    return { brandId: b.id, actorType: 'operator', actorId: owner.id, requestId: null };
  }
  const member = async (
    actor: Actor,
    identities: Record<string, string> = { unionid: `u-${randomUUID()}` },
  ) => (await members.upsert(actor, { identities })).member;
  const order = (extra: Record<string, unknown>) => ({
    source: 'store',
    externalId: `SO-${randomUUID()}`,
    amountMinor: '1000',
    currency: 'CNY',
    status: 'paid',
    placedAt: '2025-05-01T00:00:00Z',
    ...extra,
  });
  const aggregates = async (id: string) =>
    (
      await ds.query(
        `SELECT order_count, paid_spend_minor::text AS spend, first_order_at, last_order_at FROM members WHERE id = $1`,
        [id],
      )
    )[0];

  it('recomputeBrand repairs drifted aggregates and flags from the orders, and tells the hooks who changed', async () => {
    const actor = await brand();
    const a = await member(actor);
    const b = await member(actor);
    await orders.record(actor, order({ memberId: a.id, placedAt: '2025-01-01T00:00:00Z' }));
    await orders.record(actor, order({ memberId: a.id, placedAt: '2025-02-01T00:00:00Z', amountMinor: 500 }));
    await orders.record(actor, order({ memberId: b.id }));
    const right = { a: await aggregates(a.id), b: await aggregates(b.id) };
    expect(right.a).toMatchObject({ order_count: 2, spend: '1500' });
    await ds.query(`UPDATE members SET order_count = 9, paid_spend_minor = 1 WHERE id = $1`, [a.id]);
    await ds.query(`UPDATE orders SET is_repurchase = NOT is_repurchase WHERE member_id = $1`, [a.id]);
    heard.length = 0;
    const result = await app.get(OrderAggregatesService).recomputeBrand(actor.brandId);
    expect(result).toEqual({ changedMembers: 1 });
    expect(heard).toEqual([{ brandId: actor.brandId, memberIds: [a.id], cause: 'order' }]);
    expect(await aggregates(a.id)).toEqual(right.a);
    const flags = await ds.query(`SELECT is_repurchase FROM orders WHERE member_id = $1 ORDER BY placed_at`, [
      a.id,
    ]);
    expect(flags).toEqual([{ is_repurchase: false }, { is_repurchase: true }]);
  });

  it('the sweep matches orders whose identity appeared where no hook saw it, once', async () => {
    const actor = await brand();
    const ext = `wm-${randomUUID()}`;
    const { order: o } = await orders.record(actor, order({ identities: { externalUserId: ext } }));
    expect(o.memberId).toBeNull();
    const m = await member(actor);
    // as an import racing with the order would leave it: the identity is there, the order unmatched
    await ds.query(
      `INSERT INTO member_identities (brand_id, member_id, kind, app_id, value) VALUES ($1, $2, 'external_userid', '', $3)`,
      [actor.brandId, m.id, ext],
    );
    const matcher = app.get(OrderMatcherService);
    const swept = await matcher.sweep();
    expect(swept.matched).toBeGreaterThanOrEqual(1);
    const [row] = await ds.query(`SELECT member_id FROM orders WHERE id = $1`, [o.id]);
    expect(row.member_id).toBe(m.id);
    expect(await aggregates(m.id)).toMatchObject({ order_count: 1, spend: '1000' });
    const [{ claims }] = await ds.query(
      `SELECT count(*)::int AS claims FROM order_identity_claims WHERE order_id = $1`,
      [o.id],
    );
    expect(claims).toBe(0);
    const [{ events }] = await ds.query(
      `SELECT count(*)::int AS events FROM member_events WHERE member_id = $1 AND type = 'order.matched'`,
      [m.id],
    );
    expect(events).toBe(1);
    const again = await ds.transaction((mgr) => matcher.match(mgr, actor.brandId));
    expect(again).toEqual({ matched: 0, memberIds: [] });
  });

  it('a failing hook listener rolls the order back with it (the listener runs in the order’s transaction)', async () => {
    const actor = await brand();
    const m = await member(actor);
    failNext = m.id;
    const body = order({ memberId: m.id });
    await expect(orders.record(actor, body)).rejects.toThrow('listener failed');
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM orders WHERE external_id = $1`, [
      body.externalId,
    ]);
    expect(n).toBe(0);
    expect(await aggregates(m.id)).toMatchObject({ order_count: 0 });
  });

  it('records in the caller’s transaction when given one (a webhook’s), rolled back with it', async () => {
    const actor = await brand();
    const m = await member(actor);
    const body = order({ memberId: m.id });
    await expect(
      ds.transaction(async (manager) => {
        const r = await orders.record(actor, body, { manager });
        expect(r.outcome).toBe('created');
        const [inside] = await manager.query(`SELECT order_count FROM members WHERE id = $1`, [m.id]);
        expect(inside.order_count).toBe(1);
        throw new Error('webhook failed later');
      }),
    ).rejects.toThrow('webhook failed later');
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM orders WHERE external_id = $1`, [
      body.externalId,
    ]);
    expect(n).toBe(0);
    const { outcome } = await orders.record(actor, body);
    expect(outcome).toBe('created');
  });

  it('new orders get time-ordered ids (version 7 layout), ascending in batch order, distinct across batches', async () => {
    const actor = await brand();
    const m = await member(actor);
    const before = Date.now();
    const batch = Array.from({ length: 30 }, (_, i) =>
      order(i % 3 === 0 ? { identities: { storeCustomerId: `nobody-${randomUUID()}` } } : { memberId: m.id }),
    );
    const first = await orders.recordBatch(actor, batch);
    const again = await orders.recordBatch(actor, batch);
    const single = await orders.record(actor, order({ memberId: m.id }));
    const after = Date.now();
    const idOf = (r: BatchItemResult) => (r.outcome === 'failed' ? null : r.order.id);
    expect(first.map((r) => r.outcome)).toEqual(batch.map(() => 'created'));
    expect(again.map((r) => r.outcome)).toEqual(batch.map(() => 'existing'));
    expect(again.map(idOf)).toEqual(first.map(idOf));
    const ids = [...first.map((r) => idOf(r) as string), single.order.id];
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before - 1_000);
      expect(ms).toBeLessThanOrEqual(after + 1_000);
    }
    // Within the batch the ids ascend in the order of the orders (the index's right edge, in order).
    const batchIds = ids.slice(0, 30);
    expect([...batchIds].sort()).toEqual(batchIds);
    expect(new Set(ids).size).toBe(31);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM orders WHERE id = ANY($1::uuid[])`, [ids]);
    expect(n).toBe(31);
  });

  it('orders racing with a merge of their member all land on the survivor, counted once each', async () => {
    const actor = await brand();
    const survivor = await member(actor);
    const merged = await member(actor);
    await orders.record(actor, order({ memberId: merged.id, placedAt: '2024-01-01T00:00:00Z' }));
    const bodies = Array.from({ length: 8 }, (_, i) =>
      order({ memberId: merged.id, placedAt: new Date(Date.UTC(2025, 0, 1 + i)).toISOString() }),
    );
    const [mergeResult, ...recorded] = await Promise.allSettled([
      members.merge(actor, survivor.id, merged.id),
      ...bodies.map((b) => orders.record(actor, b)),
    ]);
    expect(mergeResult.status).toBe('fulfilled');
    expect(recorded.map((r) => r.status)).toEqual(Array(8).fill('fulfilled'));
    const rows = await ds.query(
      `SELECT member_id, count(*)::int AS n, count(*) FILTER (WHERE NOT is_repurchase)::int AS firsts
         FROM orders WHERE brand_id = $1 GROUP BY member_id`,
      [actor.brandId],
    );
    expect(rows).toEqual([{ member_id: survivor.id, n: 9, firsts: 1 }]);
    expect(await aggregates(survivor.id)).toMatchObject({ order_count: 9, spend: '9000' });
    expect(await aggregates(merged.id)).toMatchObject({ order_count: 0, spend: '0' });
  });
  it('aggregates and repurchase flags stay exact through concurrent batches, duplicates, refunds and cancellations', async () => {
    const actor = await brand();
    const ms = await Promise.all(Array.from({ length: 4 }, () => member(actor)));
    const tie = '2025-03-01T00:00:00.000Z';
    // Deterministic, out of order placed times; every fifth order of a member shares one instant (ties go by id).
    const mix = (tag: string, i: number, dayOffset: number) =>
      order({
        memberId: ms[i % 4].id,
        externalId: `MIX-${tag}-${i}`,
        amountMinor: String(100 + ((i * 37) % 900)),
        placedAt:
          i % 5 === 0
            ? tie
            : new Date(
                Date.UTC(2025, 2, 1) + (dayOffset + ((i * 53) % 90)) * 86_400_000 + i * 1000,
              ).toISOString(),
      });
    const first = Array.from({ length: 80 }, (_, i) => mix('a', i, 10));
    // Eight parallel batches of ten, each with three orders of the next batch too (the same key in two transactions).
    const batches = Array.from({ length: 8 }, (_, b) => [
      ...first.slice(b * 10, b * 10 + 10),
      ...first.slice(((b + 1) % 8) * 10, ((b + 1) % 8) * 10 + 3),
    ]);
    const round1 = await Promise.all(batches.map((batch) => orders.recordBatch(actor, batch)));
    expect(round1.flat().every((r) => r.outcome === 'created' || r.outcome === 'existing')).toBe(true);
    expect(round1.flat().filter((r) => r.outcome === 'created')).toHaveLength(80);
    await expectExact(actor.brandId);
    const firstsBefore = await firstOrders(actor.brandId);

    // Round 2, all at once: earlier orders (new first orders: the old ones become repurchases),
    // cancellations, full and partial refunds by status, refunds by the API, and replays of round 1.
    const earlier = Array.from({ length: 24 }, (_, i) => mix('b', i, -60));
    const ids = new Map(
      round1
        .flat()
        .flatMap((r) => (r.outcome === 'failed' ? [] : [[r.order.externalId, r.order.id] as const])),
    );
    const repost = (i: number, extra: Record<string, unknown>) => ({ ...first[i], ...extra });
    const moves = [
      [repost(0, { status: 'cancelled' }), repost(5, { status: 'cancelled' }), ...earlier.slice(0, 8)],
      [repost(1, { status: 'refunded' }), repost(10, { status: 'refunded' }), ...earlier.slice(8, 16)],
      [
        repost(2, { status: 'partially_refunded', refundedMinor: '50' }),
        repost(15, { status: 'cancelled' }),
        ...earlier.slice(16),
      ],
      [...first.slice(20, 30), repost(3, { status: 'refunded' }), ...earlier.slice(4, 12)],
    ];
    const refunds = [4, 6, 7, 9, 20, 25].map((i, k) =>
      orders.refund(actor, ids.get(first[i].externalId) as string, {
        externalId: `RF-${k}`,
        amountMinor: k % 2 === 0 ? '40' : first[i].amountMinor,
      }),
    );
    const settled = await Promise.allSettled([
      ...moves.map((batch) => orders.recordBatch(actor, batch)),
      ...refunds,
      // A refund racing with the cancellation of its order: one of the two loses, cleanly.
      orders.refund(actor, ids.get(first[15].externalId) as string, {
        externalId: 'RF-race',
        amountMinor: '10',
      }),
    ]);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(DomainException);
    expect(settled.filter((s) => s.status === 'fulfilled').length).toBeGreaterThanOrEqual(10);
    await expectExact(actor.brandId);

    const statuses = await ds.query(
      `SELECT status, count(*)::int AS n FROM orders WHERE brand_id = $1 GROUP BY status ORDER BY status`,
      [actor.brandId],
    );
    expect(statuses.map((r: { status: string }) => r.status)).toEqual([
      'cancelled',
      'paid',
      'partially_refunded',
      'refunded',
    ]);
    // The earlier orders took the first place from every member's round-1 first order.
    const firstsAfter = await firstOrders(actor.brandId);
    for (const m of ms) expect(firstsAfter.get(m.id)).not.toBe(firstsBefore.get(m.id));

    // Round 3, new orders only (nothing recomputes after them): each member's first order moves again.
    const earliest = Array.from({ length: 12 }, (_, i) => mix('c', i, -200));
    await Promise.all([0, 4, 8].map((k) => orders.recordBatch(actor, earliest.slice(k, k + 4))));
    await expectExact(actor.brandId);
    const firstsLast = await firstOrders(actor.brandId);
    for (const m of ms) expect(firstsLast.get(m.id)).not.toBe(firstsAfter.get(m.id));
  });

  it('new orders enter order_sequence as a delta equal to a recomputation: appends, earlier orders, ties, concurrent deliveries', async () => {
    const actor = await brand();
    const [a, b, c] = await Promise.all([member(actor), member(actor), member(actor)]);
    const at = (day: number, second = 0) =>
      new Date(Date.UTC(2025, 0, 1) + day * 86_400_000 + second * 1000).toISOString();

    // Appends, one order at a time, in placed order.
    for (const day of [10, 20, 30]) await orders.record(actor, order({ memberId: a.id, placedAt: at(day) }));
    await expectExact(actor.brandId);
    // Another append writes the new row and the previous last row's next_at, and leaves the rest alone.
    const versions = async () =>
      new Map(
        (
          await ds.query(`SELECT order_id, xmin::text AS v FROM order_sequence WHERE member_id = $1`, [a.id])
        ).map((r: { order_id: string; v: string }) => [r.order_id, r.v]),
      );
    const before = await versions();
    const { order: last } = await orders.record(actor, order({ memberId: a.id, placedAt: at(40) }));
    const after = await versions();
    const rewritten = [...before.keys()].filter((id) => after.get(id) !== before.get(id));
    const [{ id: previousLast }] = await ds.query(
      `SELECT id FROM orders WHERE member_id = $1 AND placed_at = $2`,
      [a.id, at(30)],
    );
    expect(rewritten).toEqual([previousLast]);
    expect(after.has(last.id)).toBe(true);
    await expectExact(actor.brandId);

    // One batch: a's orders before all of its others, between two, and at the same instant as one
    // (ties go by id); b's first orders out of placed order; c's with orders that do not count.
    await orders.recordBatch(actor, [
      order({ memberId: a.id, placedAt: at(15) }),
      order({ memberId: a.id, placedAt: at(1) }),
      order({ memberId: a.id, placedAt: at(30) }),
      order({ memberId: a.id, placedAt: at(30) }),
      order({ memberId: b.id, placedAt: at(50) }),
      order({ memberId: b.id, placedAt: at(5) }),
      order({ memberId: b.id, placedAt: at(25), status: 'partially_refunded', refundedMinor: '10' }),
      order({ memberId: c.id, placedAt: at(3), status: 'cancelled' }),
      order({ memberId: c.id, placedAt: at(4), status: 'refunded' }),
      order({ memberId: c.id, placedAt: at(6) }),
      order({ identities: { unionid: `nobody-${randomUUID()}` }, placedAt: at(2) }),
    ]);
    await expectExact(actor.brandId);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM order_sequence WHERE brand_id = $1`, [
      actor.brandId,
    ]);
    expect(n).toBe(4 + 4 + 3 + 1);

    // Concurrent deliveries for the same members, in and out of placed order, no key in two of them:
    // each waits for the members' locks and adds to the rows the one before it wrote.
    await Promise.all(
      Array.from({ length: 6 }, (_, k) =>
        orders.recordBatch(
          actor,
          [a, b, c].map((x, j) =>
            order({
              memberId: x.id,
              placedAt: at(((k * 17 + j * 29) % 60) + 1, k),
              amountMinor: String(100 + k),
            }),
          ),
        ),
      ),
    );
    await expectExact(actor.brandId);
  });

  /** Each member's first counted order (by placed time, then id), from the orders. */
  async function firstOrders(brandId: string): Promise<Map<string, string>> {
    const rows: Array<{ member_id: string; id: string }> = await ds.query(
      `SELECT DISTINCT ON (member_id) member_id, id FROM orders
        WHERE brand_id = $1 AND member_id IS NOT NULL AND status IN ('paid', 'partially_refunded')
        ORDER BY member_id, placed_at, id`,
      [brandId],
    );
    return new Map(rows.map((r) => [r.member_id, r.id]));
  }

  /**
   * The members' aggregates and every order's flag against a computation in this test from the
   * order rows: counted orders (paid, partially refunded) sorted by placed time then id; the first
   * is not a repurchase, the others are; count, net spend, first and last placed time; and each
   * counted order's `order_sequence` row (its number, the previous and next placed times).
   */
  async function expectExact(brandId: string): Promise<void> {
    const rows: Array<{
      id: string;
      member_id: string;
      status: string;
      amount: string;
      refunded: string;
      placed_at: Date;
      is_repurchase: boolean;
    }> = await ds.query(
      `SELECT id, member_id, status, amount_minor::text AS amount, refunded_minor::text AS refunded, placed_at, is_repurchase
         FROM orders WHERE brand_id = $1 AND member_id IS NOT NULL`,
      [brandId],
    );
    const byMember = new Map<string, typeof rows>();
    for (const r of rows) byMember.set(r.member_id, [...(byMember.get(r.member_id) ?? []), r]);
    const expectedFlags = new Map<string, boolean>();
    const expectedSequence = new Map<string, unknown>();
    const expected: Record<string, unknown> = {};
    for (const [memberId, list] of byMember) {
      const counted = list
        .filter((r) => r.status === 'paid' || r.status === 'partially_refunded')
        .sort(
          (a, b) => a.placed_at.getTime() - b.placed_at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        );
      for (const r of list) expectedFlags.set(r.id, false);
      counted.forEach((r, i) => {
        expectedFlags.set(r.id, i > 0);
        expectedSequence.set(r.id, {
          member_id: memberId,
          seq: i + 1,
          prev_at: counted[i - 1]?.placed_at ?? null,
          next_at: counted[i + 1]?.placed_at ?? null,
        });
      });
      expected[memberId] = {
        order_count: counted.length,
        spend: counted.reduce((s, r) => s + BigInt(r.amount) - BigInt(r.refunded), 0n).toString(),
        first_order_at: counted[0]?.placed_at ?? null,
        last_order_at: counted.reduce<Date | null>(
          (l, r) => (l === null || r.placed_at > l ? r.placed_at : l),
          null,
        ),
      };
    }
    const actual: Record<string, unknown> = {};
    for (const memberId of byMember.keys()) actual[memberId] = await aggregates(memberId);
    expect(actual).toEqual(expected);
    expect(new Map(rows.map((r) => [r.id, r.is_repurchase]))).toEqual(expectedFlags);
    expect(await sequenceOf(brandId)).toEqual(expectedSequence);
  }

  /** The brand's `order_sequence` rows by order id. */
  async function sequenceOf(brandId: string): Promise<Map<string, unknown>> {
    const rows: Array<{
      order_id: string;
      member_id: string;
      seq: number;
      prev_at: Date | null;
      next_at: Date | null;
    }> = await ds.query(
      `SELECT order_id, member_id, seq, prev_at, next_at FROM order_sequence WHERE brand_id = $1`,
      [brandId],
    );
    return new Map(rows.map(({ order_id, ...r }) => [order_id, r]));
  }
});
