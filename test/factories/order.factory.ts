import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { OrdersService, OrderView } from '@siyu/commerce';
import { TestBrand } from './brand.factory';
import { ownerActor } from './member.factory';

/** The body of POST /v1/orders: a paid CNY order with one line, a fresh external id. */
export function orderBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    source: 'store',
    externalId: `SO-${randomUUID()}`,
    amountMinor: '12800',
    currency: 'CNY',
    status: 'paid',
    placedAt: '2025-06-18T20:15:00+08:00',
    items: [
      { sku: 'TEA-1', name: 'Longjing 250g', category: 'green-tea', quantity: 1, unitPriceMinor: 12800 },
    ],
    ...overrides,
  };
}

/** An order recorded through the service (as POST /v1/orders would). */
export async function recordOrder(
  app: INestApplicationContext,
  brand: TestBrand,
  overrides: Record<string, unknown> = {},
): Promise<OrderView> {
  const { order } = await app.get(OrdersService).record(ownerActor(brand), orderBody(overrides));
  return order;
}
