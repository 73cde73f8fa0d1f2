import { EntityManager } from 'typeorm';
import { countedOrderSql } from './commerce.constants';

/**
 * $1 brand, and the orders in `scope` (alias `o`): their counted orders' rows of `order_sequence`,
 * numbered per member by (placed_at, id) as the repurchase flags are.
 */
const sequenceSql = (scope: string) => `
SELECT o.id, o.brand_id, o.member_id, o.placed_at,
       row_number() OVER w AS seq, lag(o.placed_at) OVER w AS prev_at, lead(o.placed_at) OVER w AS next_at
  FROM orders o
 WHERE o.brand_id = $1 AND ${scope} AND ${countedOrderSql('o')}
WINDOW w AS (PARTITION BY o.member_id ORDER BY o.placed_at, o.id)`;

/**
 * Brings the members' rows of `order_sequence` up to date with their orders, in the caller's
 * transaction (OrderAggregatesService.recomputeMembers, after the members' aggregates, under their
 * row locks): rows of orders that stopped counting (refunded, cancelled) go, the rest are written
 * where they changed. Keyed by order, so an order moved to another member by a merge moves with it.
 * New orders do not come here: `OrderAggregatesService.insertNew` adds them as a delta that gives
 * the same rows.
 */
export async function refreshOrderSequence(
  manager: EntityManager,
  brandId: string,
  memberIds: string[],
): Promise<void> {
  if (memberIds.length === 0) return;
  await manager.query(
    `WITH gone AS (
       DELETE FROM order_sequence s USING orders o
        WHERE s.order_id = o.id AND o.brand_id = $1 AND o.member_id = ANY($2::uuid[])
          AND NOT ${countedOrderSql('o')}
     )
     INSERT INTO order_sequence (order_id, brand_id, member_id, placed_at, seq, prev_at, next_at)
     ${sequenceSql('o.member_id = ANY($2::uuid[])')}
     ON CONFLICT (order_id) DO UPDATE
        SET member_id = EXCLUDED.member_id, placed_at = EXCLUDED.placed_at, seq = EXCLUDED.seq,
            prev_at = EXCLUDED.prev_at, next_at = EXCLUDED.next_at
      WHERE (order_sequence.member_id, order_sequence.placed_at, order_sequence.seq,
             order_sequence.prev_at, order_sequence.next_at)
            IS DISTINCT FROM (EXCLUDED.member_id, EXCLUDED.placed_at, EXCLUDED.seq, EXCLUDED.prev_at, EXCLUDED.next_at)`,
    [brandId, [...new Set(memberIds)]],
  );
}

/** The brand's `order_sequence` rebuilt from its orders (bulk loads, repairs, benchmarks). */
export async function rebuildOrderSequence(manager: EntityManager, brandId: string): Promise<void> {
  await manager.query(`DELETE FROM order_sequence WHERE brand_id = $1`, [brandId]);
  await manager.query(
    `INSERT INTO order_sequence (order_id, brand_id, member_id, placed_at, seq, prev_at, next_at)
     ${sequenceSql('o.member_id IS NOT NULL')}`,
    [brandId],
  );
}
