import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MemberMergeRegistry } from '@siyu/members';
import { timeOrderedUuidSql } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { CommerceHooks } from './commerce-hooks';
import { COUNTED_ORDER_STATUSES, countedOrderSql } from './commerce.constants';
import { refreshOrderSequence } from './order-sequence';

const COUNTED = new Set<string>(COUNTED_ORDER_STATUSES);

/**
 * $1 brand, and the members' orders (`scope`): the member's counted orders in placed order, the
 * second and later are repurchases; every other order is not. Only rows whose flag changes are written.
 */
const flagsSql = (scope: string) => `
UPDATE orders o SET is_repurchase = r.rep
  FROM (SELECT x.id,
               ${countedOrderSql('x')}
                 AND row_number() OVER (PARTITION BY x.member_id, ${countedOrderSql('x')} ORDER BY x.placed_at, x.id) > 1 AS rep
          FROM orders x
         WHERE x.brand_id = $1 AND ${scope}) r
 WHERE o.id = r.id AND o.is_repurchase IS DISTINCT FROM r.rep`;

/** $1 brand, and the members (`members`, a relation of one uuid column): aggregates over their counted orders. */
const aggregatesSql = (members: string) => `
UPDATE members m
   SET order_count = a.n, paid_spend_minor = a.spend, first_order_at = a.first_at, last_order_at = a.last_at,
       updated_at = now()
  FROM (SELECT t.id, count(o.id)::int AS n, COALESCE(sum(o.amount_minor - o.refunded_minor), 0)::bigint AS spend,
               min(o.placed_at) AS first_at, max(o.placed_at) AS last_at
          FROM ${members} AS t(id)
          LEFT JOIN orders o ON o.member_id = t.id AND o.brand_id = $1 AND ${countedOrderSql('o')}
         GROUP BY t.id) a
 WHERE m.id = a.id AND m.brand_id = $1
   AND (m.order_count, m.paid_spend_minor, m.first_order_at, m.last_order_at)
       IS DISTINCT FROM (a.n, a.spend, a.first_at, a.last_at)
RETURNING m.id`;

/** One new order as `insertNew` takes it (a row of `jsonb_to_recordset`, amounts as decimal strings). */
export interface NewOrderRow {
  member_id: string | null;
  source: string;
  external_id: string;
  status: string;
  currency: string;
  amount_minor: string;
  refunded_minor: string;
  placed_at: string;
  coupon_codes: string[];
  link_code: string | null;
}

/**
 * The CTEs of `insertNewSql` that add the inserted counted orders (`ins`, their members in `added`)
 * to `order_sequence` as a delta: the members' current rows (exact: every writer keeps them with
 * the orders, under the members' row locks, and the statement reads them as they were before it)
 * and the new orders are numbered together by (placed_at, id), and only the rows that differ are
 * written: each new order, and of the old rows the ones a new order displaced or now neighbours.
 * A member's new orders after all their counted ones (the common case) insert those rows and set
 * the previous last row's next_at; an earlier one renumbers the rows after it. Nothing is read from
 * `orders`, so the cost follows the member's sequence rows, not their orders' heap pages. The rows
 * are found by member alone (the members are the brand's, locked by the caller under it): a brand
 * condition beside it, on a table without fresh statistics, was planned as a bitmap AND with the
 * brand's whole (brand_id, placed_at) index for every member.
 */
const sequenceDeltaSql = `
seq_rows AS (
  SELECT s.order_id AS id, s.member_id, s.placed_at, s.seq AS old_seq, s.prev_at AS old_prev, s.next_at AS old_next
    FROM added a JOIN order_sequence s ON s.member_id = a.member_id
  UNION ALL
  SELECT i.id, i.member_id, i.placed_at, NULL, NULL, NULL
    FROM ins i WHERE i.member_id IS NOT NULL AND ${countedOrderSql('i')}),
seq_new AS (
  SELECT r.id, r.member_id, r.placed_at, r.old_seq, r.old_prev, r.old_next,
         row_number() OVER w AS seq, lag(r.placed_at) OVER w AS prev_at, lead(r.placed_at) OVER w AS next_at
    FROM seq_rows r
  WINDOW w AS (PARTITION BY r.member_id ORDER BY r.placed_at, r.id)),
seq AS (
  INSERT INTO order_sequence AS s (order_id, brand_id, member_id, placed_at, seq, prev_at, next_at)
  SELECT n.id, $1, n.member_id, n.placed_at, n.seq, n.prev_at, n.next_at
    FROM seq_new n
   WHERE (n.old_seq, n.old_prev, n.old_next) IS DISTINCT FROM (n.seq, n.prev_at, n.next_at)
  ON CONFLICT (order_id) DO UPDATE SET seq = EXCLUDED.seq, prev_at = EXCLUDED.prev_at, next_at = EXCLUDED.next_at)`;

/**
 * $1 brand, $2 the new orders (jsonb array of NewOrderRow): inserts them (a known key is skipped)
 * with their repurchase flag already right, demotes the member's previous first order when a new
 * one comes before it, and adds the inserted counted orders to their members' aggregates — one
 * statement, whatever the batch size. `returning` is the select list over the inserted rows (`o`).
 *
 * The flag needs no history: among a member's counted orders, ordered by (placed_at, id), only the
 * first is not a repurchase. So a new counted order is a repurchase unless it comes before every
 * counted order the member has; the member row (locked by the caller, exact by this very rule)
 * says when that is possible (no orders yet, or a new one at or before first_order_at), and only
 * then is the member's current first order looked up (one probe of the counted-orders index).
 *
 * Each member's candidates are settled in one row (`firsts`: the earliest new order against the
 * current first), never by joining the batch's CTEs with each other: their row counts are unknown
 * to the planner (estimated at 1–2), and such joins were planned as nested loops, 1,000 × 1,000
 * comparisons per delivery (150–200 ms of one delivery's statement under load).
 */
const insertNewSql = (returning: string) => `
WITH r AS MATERIALIZED (
  SELECT ${timeOrderedUuidSql('r.n')} AS id, r.* -- time-ordered: ascending in batch order
    FROM jsonb_to_recordset($2::jsonb) AS r(member_id uuid, source text, external_id text, status text,
         currency text, amount_minor bigint, refunded_minor bigint, placed_at timestamptz, coupon_codes text[],
         link_code text, n bigint)),
c AS (SELECT r.id, r.member_id, r.placed_at FROM r WHERE r.member_id IS NOT NULL AND ${countedOrderSql('r')}),
ms AS (
  SELECT x.member_id, x.id AS new_id, x.placed_at AS new_at, mm.order_count > 0 AS had,
         (mm.order_count = 0 OR x.placed_at <= mm.first_order_at) AS contested
    FROM (SELECT DISTINCT ON (c.member_id) c.member_id, c.id, c.placed_at FROM c ORDER BY c.member_id, c.placed_at, c.id) x
    JOIN members mm ON mm.id = x.member_id AND mm.brand_id = $1),
firsts AS (
  SELECT ms.member_id, f.id AS prior_id,
         CASE WHEN f.id IS NOT NULL AND (f.placed_at, f.id) < (ms.new_at, ms.new_id) THEN f.id ELSE ms.new_id END AS id
    FROM ms LEFT JOIN LATERAL (
      SELECT p.id, p.placed_at FROM orders p
       WHERE ms.had AND p.member_id = ms.member_id AND ${countedOrderSql('p')}
       ORDER BY p.placed_at, p.id LIMIT 1) f ON true
   WHERE ms.contested),
ins AS (
  INSERT INTO orders AS o (id, brand_id, member_id, source, external_id, status, currency, amount_minor, refunded_minor,
                           placed_at, coupon_codes, link_code, is_repurchase)
  SELECT r.id, $1, r.member_id, r.source, r.external_id, r.status, r.currency, r.amount_minor, r.refunded_minor,
         r.placed_at, r.coupon_codes, r.link_code,
         r.member_id IS NOT NULL AND ${countedOrderSql('r')} AND f.id IS NULL
    FROM r LEFT JOIN firsts f ON f.id = r.id
   ORDER BY r.n
  ON CONFLICT (brand_id, source, external_id) DO NOTHING
  RETURNING o.*),
demoted AS (
  UPDATE orders o SET is_repurchase = true
    FROM firsts f
   WHERE o.id = f.prior_id AND f.id <> f.prior_id AND NOT o.is_repurchase),
added AS (
  SELECT i.member_id, count(*)::int AS n, sum(i.amount_minor - i.refunded_minor)::bigint AS spend,
         min(i.placed_at) AS first_at, max(i.placed_at) AS last_at
    FROM ins i WHERE i.member_id IS NOT NULL AND ${countedOrderSql('i')}
   GROUP BY i.member_id),
agg AS (
  UPDATE members m
     SET order_count = m.order_count + a.n, paid_spend_minor = m.paid_spend_minor + a.spend,
         first_order_at = LEAST(m.first_order_at, a.first_at), last_order_at = GREATEST(m.last_order_at, a.last_at),
         updated_at = now()
    FROM added a
   WHERE m.id = a.member_id AND m.brand_id = $1),
${sequenceDeltaSql}
SELECT ${returning} FROM ins o`;

/**
 * Members' order aggregates (order count, paid spend net of refunds, first and last order time),
 * each order's repurchase flag and the members' `order_sequence` rows (the repurchase report's
 * source). New orders (the hot path: webhooks, batches) are added to them in the statement that
 * inserts them (`insertNew`), from the member row, at most one index probe and the member's
 * sequence rows, never from the member's orders. Everything else that changes a member's orders —
 * a refund, a status change, a match, a merge — recomputes the members concerned from their orders
 * in SQL (`recomputeMembers`, the sequence with them).
 * Both run under the members' row locks (every writer takes them first, in id order), so the two
 * never interleave for one member and the aggregates stay exactly what a recomputation gives
 * (`recomputeBrand` repairs rows written behind commerce's back).
 */
@Injectable()
export class OrderAggregatesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly mergeRegistry: MemberMergeRegistry,
    private readonly hooks: CommerceHooks,
  ) {}

  onModuleInit(): void {
    // A merge moves the orders, then recomputes both members from them (the survivor's flags too:
    // the merged member's first order may now be the survivor's repurchase, or the other way round).
    this.mergeRegistry.register('orders', async (m, { brandId, survivorId, mergedId }) => {
      await m.query(
        `UPDATE orders SET member_id = $2, updated_at = now() WHERE brand_id = $1 AND member_id = $3`,
        [brandId, survivorId, mergedId],
      );
      await this.recomputeMembers(m, brandId, [survivorId, mergedId]);
      await this.hooks.memberOrdersChanged(m, { brandId, memberIds: [survivorId], cause: 'merge' });
    });
  }

  /**
   * Inserts new orders (ON CONFLICT of the key: skipped) with their repurchase flags, and adds the
   * inserted counted orders to their members' aggregates, in one statement. The caller holds the
   * row locks of every member in `rows`. Returns the inserted rows (`returning` over alias `o`).
   *
   * A row skipped because a concurrent transaction recorded its key first was counted as a
   * candidate first order of its member: when it was one, that member is recomputed from its
   * orders, so the flags of the rows that were inserted stay exact.
   */
  async insertNew(
    manager: EntityManager,
    brandId: string,
    rows: NewOrderRow[],
    returning: string,
  ): Promise<Array<Record<string, unknown>>> {
    if (rows.length === 0) return [];
    const inserted: Array<Record<string, unknown>> = await manager.query(insertNewSql(returning), [
      brandId,
      JSON.stringify(rows.map((r, n) => ({ ...r, n }))),
    ]);
    if (inserted.length < rows.length) {
      const got = new Set(inserted.map((r) => `${r.source}\u0000${r.external_id}`));
      const skipped = rows.filter(
        (r) => r.member_id !== null && COUNTED.has(r.status) && !got.has(`${r.source}\u0000${r.external_id}`),
      );
      if (skipped.length > 0) {
        const ids = [...new Set(skipped.map((r) => r.member_id as string))];
        await this.recomputeMembers(manager, brandId, ids);
        const fresh: Array<{ id: string; is_repurchase: boolean }> = await manager.query(
          `SELECT id, is_repurchase FROM orders WHERE id = ANY($1::uuid[])`,
          [inserted.map((r) => r.id)],
        );
        const flag = new Map(fresh.map((f) => [f.id, f.is_repurchase]));
        for (const r of inserted) r.is_repurchase = flag.get(r.id as string) ?? r.is_repurchase;
      }
    }
    return inserted;
  }

  /**
   * Recomputes the members' repurchase flags, aggregates and order sequence in the caller's
   * transaction. The caller holds the members' row locks (so two recomputes of one member cannot
   * interleave).
   */
  async recomputeMembers(manager: EntityManager, brandId: string, memberIds: string[]): Promise<void> {
    const ids = [...new Set(memberIds)];
    if (ids.length === 0) return;
    await manager.query(flagsSql('x.member_id = ANY($2::uuid[])'), [brandId, ids]);
    await manager.query(aggregatesSql('unnest($2::uuid[])'), [brandId, ids]);
    await refreshOrderSequence(manager, brandId, ids);
  }

  /**
   * Every member of the brand at once (bulk loads, repairs, benchmarks), in one transaction. Hooks
   * hear about the members whose aggregates changed.
   */
  async recomputeBrand(brandId: string): Promise<{ changedMembers: number }> {
    return this.ds.transaction(async (m) => {
      // Members first, in id order, as every order write takes them: no deadlock with those.
      await m.query(`SELECT id FROM members WHERE brand_id = $1 ORDER BY id FOR UPDATE`, [brandId]);
      await m.query(flagsSql('x.member_id IS NOT NULL'), [brandId]);
      const [rows]: [Array<{ id: string }>, number] = await m.query(
        aggregatesSql('(SELECT id FROM members WHERE brand_id = $1)'),
        [brandId],
      );
      const ids = rows.map((r) => r.id);
      await refreshOrderSequence(m, brandId, ids);
      await this.hooks.memberOrdersChanged(m, { brandId, memberIds: ids, cause: 'order' });
      return { changedMembers: ids.length };
    });
  }
}
