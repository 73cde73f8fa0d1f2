import { countedOrderSql } from '@siyu/commerce';
import { int, numberOps, range, scalarPredicate } from '../rule/predicates';
import { CheckedCondition, CompileContext, SegmentFieldDef } from '../rule/segment-field';
import { booleanField, integerField } from './field-builders';
import { DAY_MS } from './member-fields';

const category = 'orders';
const MAX_COUNT = 1_000_000_000;
/** The largest amount in minor units a rule may name (well inside bigint and a JS safe integer). */
export const MAX_MINOR = 1_000_000_000_000_000;
const MAX_DAYS_SINCE = 36_500;

/** Paid spend net of refunds of an order known to count (netSpendSql without its status test). */
const countedNetSpend = (o: string) => `${o}.amount_minor - ${o}.refunded_minor`;

/**
 * The smallest value a window condition accepts, when it accepts no value below 1 (a member must
 * have a counted order in the window to match); undefined otherwise (`lt 5`, `neq 3`, `gte 0`…).
 */
export function windowLowerBound(op: string, value: unknown): number | undefined {
  const least = (() => {
    switch (op) {
      case 'gte':
      case 'eq':
        return value as number;
      case 'gt':
        return (value as number) + 1;
      case 'in':
        return Math.min(...(value as number[]));
      case 'between':
        return (value as [number, number])[0];
      default:
        return undefined;
    }
  })();
  return least !== undefined && least >= 1 ? least : undefined;
}

/**
 * A windowed aggregate of the member's counted orders placed in the last `days` days (`placed_at ≥
 * now − days × 24 h`), read from the member's lifetime aggregates where they already give it:
 * 0 when the last counted order is older than the window (or there is none), the lifetime figure
 * when the first one is inside it; otherwise one probe of `orders_counted_member_placed_idx`
 * (keyed by the member, it answers from the index alone). Exact because commerce keeps the
 * aggregates equal to a recomputation from the orders, in the transactions that change them.
 *
 * Its guard, for conditions that need at least one order in the window and a value ≥ L ≥ 1: the
 * last order inside the window and the lifetime figure ≥ L (each order adds ≥ 0, refunds never
 * exceed the amount), so members it rules out are never probed.
 */
function windowField(
  name: string,
  description: string,
  aggregate: string,
  lifetime: (member: string) => string,
  sqlType: 'int' | 'bigint',
) {
  const spec = int(0, sqlType === 'int' ? MAX_COUNT : MAX_MINOR);
  const cutOf = (c: CheckedCondition, ctx: CompileContext) =>
    ctx.bind(new Date(ctx.now.getTime() - (c.days as number) * DAY_MS), 'timestamptz');
  const def: SegmentFieldDef = {
    name,
    category,
    description,
    window: true,
    heavy: true,
    ops: numberOps(spec),
    compile: (c, ctx) => {
      const m = ctx.member;
      const cut = cutOf(c, ctx);
      const probe = `(SELECT ${aggregate} FROM orders o
          WHERE o.member_id = ${m}.id AND o.placed_at >= ${cut} AND ${countedOrderSql('o')})`;
      const value = `CASE WHEN ${m}.last_order_at >= ${cut}
        THEN CASE WHEN ${m}.first_order_at >= ${cut} THEN ${lifetime(m)} ELSE ${probe} END
        ELSE 0 END`;
      return scalarPredicate(value, c.op, c.value, ctx, sqlType, false);
    },
    guard: (c, ctx) => {
      const least = windowLowerBound(c.op, c.value);
      if (least === undefined) return undefined;
      const m = ctx.member;
      return `${m}.last_order_at >= ${cutOf(c, ctx)} AND ${lifetime(m)} >= ${ctx.bind(least, sqlType)}`;
    },
  };
  return def;
}

/**
 * Whole days since a timestamp, floor((now − t) / 24 h), compared without computing it per row:
 * each comparison becomes a range on `t` (so an index on `t` can serve it). A member without the
 * timestamp (never ordered) matches only `neq`.
 */
function daysSinceField(name: string, column: string, description: string): SegmentFieldDef {
  const spec = int(0, MAX_DAYS_SINCE);
  return {
    name,
    category,
    description,
    ops: { eq: spec, neq: spec, gt: spec, gte: spec, lt: spec, lte: spec, between: range(spec) },
    compile: (c: CheckedCondition, ctx: CompileContext) => {
      const t = `${ctx.member}.${column}`;
      const cut = (days: number) => ctx.bind(new Date(ctx.now.getTime() - days * DAY_MS), 'timestamptz');
      // days ≥ n ⇔ t ≤ now − n·24h ; days ≤ n ⇔ t > now − (n+1)·24h
      const atLeast = (n: number) => `${t} <= ${cut(n)}`;
      const atMost = (n: number) => `${t} > ${cut(n + 1)}`;
      const v = c.value as number;
      switch (c.op) {
        case 'gte':
          return atLeast(v);
        case 'gt':
          return atLeast(v + 1);
        case 'lte':
          return atMost(v);
        case 'lt':
          return atMost(v - 1);
        case 'eq':
          return `(${atLeast(v)} AND ${atMost(v)})`;
        case 'neq':
          return `(${t} IS NULL OR ${t} > ${cut(v)} OR ${t} <= ${cut(v + 1)})`;
        default: {
          const [from, to] = c.value as [number, number];
          return `(${atLeast(from)} AND ${atMost(to)})`;
        }
      }
    },
  };
}

/** The order fields of the catalogue: lifetime aggregates, windows, recency, repurchase. */
export const ORDER_FIELDS: SegmentFieldDef[] = [
  integerField({
    name: 'order_count',
    category,
    description: 'Paid orders, lifetime (the member’s aggregate)',
    column: (m) => `${m}.order_count`,
    nullable: false,
    min: 0,
    max: MAX_COUNT,
  }),
  integerField({
    name: 'paid_spend',
    category,
    description: 'Paid spend net of refunds, lifetime, in minor units (the member’s aggregate)',
    column: (m) => `${m}.paid_spend_minor`,
    nullable: false,
    min: 0,
    max: MAX_MINOR,
    sqlType: 'bigint',
  }),
  windowField(
    'orders_within_days',
    'Paid orders placed in the last `days` days',
    'count(*)',
    (m) => `${m}.order_count`,
    'int',
  ),
  windowField(
    'spend_within_days',
    'Paid spend net of refunds of orders placed in the last `days` days, in minor units',
    `COALESCE(sum(${countedNetSpend('o')}), 0)`,
    (m) => `${m}.paid_spend_minor`,
    'bigint',
  ),
  daysSinceField('days_since_last_order', 'last_order_at', 'Whole days since the last paid order'),
  daysSinceField('days_since_first_order', 'first_order_at', 'Whole days since the first paid order'),
  booleanField({
    name: 'has_repurchased',
    category,
    description: 'Has a paid order that is a repurchase (a second or later paid order)',
    predicate: (ctx) =>
      `EXISTS (SELECT 1 FROM orders o WHERE o.member_id = ${ctx.member}.id AND o.is_repurchase AND ${countedOrderSql('o')})`,
  }),
];
