import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MemberMergeRegistry } from '@siyu/members';
import { DataSource, EntityManager } from 'typeorm';
import { CommerceHooks } from './commerce-hooks';
import { countedOrderSql } from './commerce.constants';

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

/**
 * Members' order aggregates (order count, paid spend net of refunds, first and last order time) and
 * each order's repurchase flag, always recomputed from the orders in SQL, never incremented, so a
 * refund, a late order placed earlier, a match or a merge cannot leave them drifting.
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
   * Recomputes the members' repurchase flags and aggregates in the caller's transaction. The caller
   * holds the members' row locks (so two recomputes of one member cannot interleave).
   */
  async recomputeMembers(manager: EntityManager, brandId: string, memberIds: string[]): Promise<void> {
    const ids = [...new Set(memberIds)];
    if (ids.length === 0) return;
    await manager.query(flagsSql('x.member_id = ANY($2::uuid[])'), [brandId, ids]);
    await manager.query(aggregatesSql('unnest($2::uuid[])'), [brandId, ids]);
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
      await this.hooks.memberOrdersChanged(m, { brandId, memberIds: ids, cause: 'order' });
      return { changedMembers: ids.length };
    });
  }
}
