import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MemberEventsService, MemberIdentityHooks } from '@siyu/members';
import { DataSource, EntityManager } from 'typeorm';
import { CommerceHooks } from './commerce-hooks';
import { ORDER_EVENT_TYPES } from './commerce.constants';
import { lockMembers } from './commerce-tx';
import { OrderAggregatesService } from './order-aggregates.service';

/**
 * $1 brand, optionally $2 members: unmatched orders one of whose claimed identities now belongs to
 * a member (one of $2's, when given), with every member any of their claims points to. An order
 * whose claims point to two members stays unmatched (a merge of the two resolves it).
 */
const candidatesSql = (scoped: boolean) => `
WITH candidates AS (
  SELECT DISTINCT c.order_id
    FROM order_identity_claims c
    JOIN member_identities i ON i.brand_id = c.brand_id AND i.kind = c.kind AND i.app_id = c.app_id AND i.value = c.value
   WHERE c.brand_id = $1 ${scoped ? 'AND i.member_id = ANY($2::uuid[])' : ''})
SELECT c.order_id, array_agg(DISTINCT i.member_id::text) AS members
  FROM order_identity_claims c
  JOIN candidates USING (order_id)
  JOIN member_identities i ON i.brand_id = c.brand_id AND i.kind = c.kind AND i.app_id = c.app_id AND i.value = c.value
 WHERE c.brand_id = $1
 GROUP BY c.order_id`;

export interface MatchResult {
  matched: number;
  memberIds: string[];
}

/**
 * Matches unmatched orders to the members their customer identities now belong to, set-wise:
 * claims × member_identities. Runs inside the transaction that added identities (a member upsert,
 * a CSV import), and from the worker's periodic sweep for anything those could not see.
 */
@Injectable()
export class OrderMatcherService implements OnModuleInit {
  private readonly logger = new Logger(OrderMatcherService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly identityHooks: MemberIdentityHooks,
    private readonly aggregates: OrderAggregatesService,
    private readonly events: MemberEventsService,
    private readonly hooks: CommerceHooks,
  ) {}

  onModuleInit(): void {
    this.identityHooks.onIdentitiesAdded(async (m, change) => {
      await this.match(m, change.brandId, change.memberIds);
    });
  }

  /**
   * In the caller's transaction: sets the orders' member, drops their claims, writes `order.matched`
   * on the timeline, recomputes the members' aggregates and tells the hooks (cause `match`).
   */
  async match(m: EntityManager, brandId: string, memberIds?: string[]): Promise<MatchResult> {
    const scoped = memberIds !== undefined;
    const found: Array<{ order_id: string; members: string[] }> = await m.query(
      candidatesSql(scoped),
      scoped ? [brandId, memberIds] : [brandId],
    );
    const pairs = found
      .filter((f) => f.members.length === 1)
      .map((f) => ({ orderId: f.order_id, memberId: f.members[0] }));
    return this.assign(m, brandId, pairs);
  }

  /**
   * In the caller's transaction: gives unmatched orders the member another lib found for them (the
   * conversions lib: the member a per-recipient link code was sent to), as `match` does for
   * identities. An order that has a member already, or a member merged away or erased, is left alone.
   */
  async assign(
    m: EntityManager,
    brandId: string,
    pairs: Array<{ orderId: string; memberId: string }>,
  ): Promise<MatchResult> {
    if (pairs.length === 0) return { matched: 0, memberIds: [] };
    await lockMembers(
      m,
      brandId,
      pairs.map((p) => p.memberId),
    );
    // Still unmatched, and the member still active (not merged away or erased while we waited).
    const matched: Array<{
      id: string;
      member_id: string;
      source: string;
      external_id: string;
      status: string;
      amount_minor: string;
      currency: string;
    }> = await m
      .query(
        `UPDATE orders o SET member_id = x.member_id, updated_at = now()
         FROM unnest($2::uuid[], $3::uuid[]) AS x(order_id, member_id)
         JOIN members mm ON mm.id = x.member_id AND mm.brand_id = $1 AND mm.erased_at IS NULL AND mm.merged_into IS NULL
        WHERE o.id = x.order_id AND o.brand_id = $1 AND o.member_id IS NULL
        RETURNING o.id, o.member_id, o.source, o.external_id, o.status, o.amount_minor::text AS amount_minor, o.currency`,
        [brandId, pairs.map((p) => p.orderId), pairs.map((p) => p.memberId)],
      )
      .then(([rows]: [never[], number]) => rows);
    if (matched.length === 0) return { matched: 0, memberIds: [] };
    await m.query(`DELETE FROM order_identity_claims WHERE brand_id = $1 AND order_id = ANY($2::uuid[])`, [
      brandId,
      matched.map((r) => r.id),
    ]);
    await this.events.appendMany(
      m,
      matched.map((r) => ({
        brandId,
        memberId: r.member_id,
        type: ORDER_EVENT_TYPES.matched,
        data: {
          orderId: r.id,
          source: r.source,
          externalId: r.external_id,
          status: r.status,
          amountMinor: r.amount_minor,
          currency: r.currency,
        },
      })),
    );
    const affected = [...new Set(matched.map((r) => r.member_id))].sort();
    await this.aggregates.recomputeMembers(m, brandId, affected);
    await this.hooks.memberOrdersChanged(m, { brandId, memberIds: affected, cause: 'match' });
    return { matched: matched.length, memberIds: affected };
  }

  /** Every brand with unmatched orders, one transaction each (the worker's periodic sweep). */
  async sweep(): Promise<{ brands: number; matched: number }> {
    const brands: Array<{ brand_id: string }> = await this.ds.query(
      `SELECT DISTINCT brand_id FROM order_identity_claims ORDER BY brand_id`,
    );
    let matched = 0;
    for (const { brand_id } of brands) {
      const r = await this.ds.transaction((m) => this.match(m, brand_id));
      matched += r.matched;
    }
    if (matched > 0) this.logger.log({ brands: brands.length, matched }, `matched ${matched} order(s)`);
    return { brands: brands.length, matched };
  }
}
