/** An order's state. Only `paid` and `partially_refunded` orders count toward a member's aggregates. */
export const ORDER_STATUSES = ['paid', 'partially_refunded', 'refunded', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The statuses that count as a paid order (order count, spend, repurchase, tiers, segments). */
export const COUNTED_ORDER_STATUSES: readonly OrderStatus[] = ['paid', 'partially_refunded'];

/** SQL: does the order aliased `o` count toward aggregates. */
export const countedOrderSql = (o: string) => `${o}.status IN ('paid', 'partially_refunded')`;

/** SQL: the order's paid amount net of refunds, 0 when it does not count. */
export const netSpendSql = (o: string) =>
  `CASE WHEN ${countedOrderSql(o)} THEN ${o}.amount_minor - ${o}.refunded_minor ELSE 0 END`;

/** An order source: a short slug (`store`, `shopify`, `taobao`, `aliexpress`, `api`, …). */
export const ORDER_SOURCE_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,39}$';

/** Timeline events this lib appends to a member's timeline. */
export const ORDER_EVENT_TYPES = {
  paid: 'order.paid',
  refunded: 'order.refunded',
  cancelled: 'order.cancelled',
  matched: 'order.matched',
} as const;

/** The largest amount one order (or line, or refund) may carry, in minor units: 10^15 - 1. */
export const MAX_AMOUNT_MINOR = 999_999_999_999_999n;

/** Orders per `POST /v1/orders/batch`. */
export const ORDER_BATCH_MAX = 1_000;

/**
 * External ids of the refund rows Siyu writes itself when an order is recorded as (partially)
 * refunded, or moves there by a status change. Callers' refund ids may not start with it.
 */
export const SYSTEM_REFUND_PREFIX = 'siyu:';
