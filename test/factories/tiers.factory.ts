import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { CommerceHooks, OrderAggregatesService, OrdersChangeCause } from '@siyu/commerce';
import { DataSource, EntityManager } from 'typeorm';
import { TestBrand } from './brand.factory';

/**
 * Orders written in SQL with commerce's own recompute and hooks (the row, the member's aggregates
 * recomputed, then CommerceHooks in the same transaction), for tier tests that need exact placed_at
 * edges without the orders API.
 */
export interface TestOrder {
  id: string;
  memberId: string;
}

async function recompute(
  app: INestApplicationContext,
  m: EntityManager,
  brandId: string,
  memberId: string,
): Promise<void> {
  await app.get(OrderAggregatesService).recomputeMembers(m, brandId, [memberId]);
}

async function changed(
  app: INestApplicationContext,
  m: EntityManager,
  brandId: string,
  memberId: string,
  cause: OrdersChangeCause,
): Promise<void> {
  await recompute(app, m, brandId, memberId);
  await app.get(CommerceHooks).memberOrdersChanged(m, { brandId, memberIds: [memberId], cause });
}

/** A paid order of `amountMinor` placed at `placedAt`, in its own transaction (as POST /v1/orders would). */
export async function placeOrder(
  app: INestApplicationContext,
  brand: TestBrand | { id: string },
  memberId: string,
  amountMinor: number,
  placedAt: Date = new Date(),
  opts: { manager?: EntityManager } = {},
): Promise<TestOrder> {
  const work = async (m: EntityManager) => {
    const [{ id }] = await m.query(
      `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor, placed_at)
       VALUES ($1, $2, 'store', $3, 'paid', 'CNY', $4, $5) RETURNING id`,
      [brand.id, memberId, `t-${randomUUID()}`, amountMinor, placedAt],
    );
    await changed(app, m, brand.id, memberId, 'order');
    return { id, memberId };
  };
  return opts.manager ? work(opts.manager) : app.get(DataSource).transaction(work);
}

/** A refund of `amountMinor` on an order (partially or fully refunded), as POST /v1/orders/:id/refunds would. */
export async function refundOrder(
  app: INestApplicationContext,
  brand: TestBrand | { id: string },
  order: TestOrder,
  amountMinor: number,
): Promise<void> {
  await app.get(DataSource).transaction(async (m) => {
    await m.query(
      `UPDATE orders SET refunded_minor = refunded_minor + $2,
              status = CASE WHEN refunded_minor + $2 >= amount_minor THEN 'refunded' ELSE 'partially_refunded' END
        WHERE id = $1`,
      [order.id, amountMinor],
    );
    await changed(app, m, brand.id, order.memberId, 'refund');
  });
}

/** Orders inserted without the hooks (history before a ladder existed, window edges). */
export async function insertOrders(
  app: INestApplicationContext,
  brand: TestBrand | { id: string },
  orders: Array<{ memberId: string; amountMinor: number; placedAt: Date }>,
): Promise<void> {
  await app.get(DataSource).transaction(async (m) => {
    for (const o of orders) {
      await m.query(
        `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor, placed_at)
         VALUES ($1, $2, 'store', $3, 'paid', 'CNY', $4, $5)`,
        [brand.id, o.memberId, `t-${randomUUID()}`, o.amountMinor, o.placedAt],
      );
    }
    for (const id of new Set(orders.map((o) => o.memberId))) await recompute(app, m, brand.id, id);
  });
}

/** A Member / Silver / Gold ladder body for PUT /v1/tiers (thresholds in minor units). */
export function ladderBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    basis: 'paid_spend',
    windowDays: null,
    graceDays: 7,
    reevaluation: 'daily',
    reevaluationTime: '03:00',
    tiers: [
      { name: 'Member', threshold: 0 },
      { name: 'Silver', threshold: 100_000 },
      { name: 'Gold', threshold: 500_000 },
    ],
    ...over,
  };
}
