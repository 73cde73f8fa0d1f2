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
