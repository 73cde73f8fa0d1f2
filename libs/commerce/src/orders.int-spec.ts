import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MembersModule, MembersService } from '@siyu/members';
import { Actor, BrandsService, PlatformModule } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { CommerceHooks, MemberOrdersChanged } from './commerce-hooks';
import { CommerceModule } from './commerce.module';
import { OrderAggregatesService } from './order-aggregates.service';
import { OrderMatcherService } from './order-matcher.service';
import { OrdersService } from './orders.service';

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
});
