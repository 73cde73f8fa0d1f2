import { Injectable, OnModuleInit } from '@nestjs/common';
import { CommerceHooks } from '@siyu/commerce';
import { MemberMergeContext, MemberMergeRegistry, MemberTimelineRegistry } from '@siyu/members';
import { EntityManager } from 'typeorm';
import { TIER_TIMELINE_SOURCE, TierEventsPublisher } from './tier-events';
import { TierEvaluationService } from './tier-evaluation.service';

interface HeldTier {
  member_id: string;
  tier_id: string;
  rank: number;
  name: string;
  since: Date;
  below_since: Date | null;
}

/**
 * Where tiers plug into other libs: the upgrade on an order (CommerceHooks, inside the order's
 * transaction), member merges (member_tiers is keyed by member, so a plain UPDATE cannot move it)
 * and the member timeline (tier_changes are its `tier.changed` entries).
 */
@Injectable()
export class TierHooks implements OnModuleInit {
  constructor(
    private readonly commerce: CommerceHooks,
    private readonly merges: MemberMergeRegistry,
    private readonly evaluation: TierEvaluationService,
    private readonly publisher: TierEventsPublisher,
    private readonly timeline: MemberTimelineRegistry,
  ) {}

  onModuleInit(): void {
    this.commerce.onMemberOrdersChanged((m, change) => this.evaluation.onMemberOrdersChanged(m, change));
    this.merges.register('member_tiers', (m, ctx) => this.merge(m, ctx));
    this.timeline.register(TIER_TIMELINE_SOURCE);
  }

  /**
   * A merge keeps the higher of the two tiers (with the since/grace state that came with it) on the
   * survivor and drops the merged member's row; when the survivor's tier changes, a 'merge' change
   * is recorded. The merged member's history moves with its other rows (tier_changes.member_id).
   */
  async merge(
    m: EntityManager,
    { brandId, survivorId, mergedId }: MemberMergeContext,
    at = new Date(),
  ): Promise<void> {
    const rows: HeldTier[] = await m.query(
      `SELECT mt.member_id, mt.tier_id, t.rank, t.name, mt.since, mt.below_since
         FROM member_tiers mt JOIN tiers t ON t.id = mt.tier_id
        WHERE mt.brand_id = $1 AND mt.member_id IN ($2, $3)
        ORDER BY mt.member_id FOR UPDATE OF mt`,
      [brandId, survivorId, mergedId],
    );
    const survivor = rows.find((r) => r.member_id === survivorId);
    const merged = rows.find((r) => r.member_id === mergedId);
    if (!merged) return;
    await m.query(`DELETE FROM member_tiers WHERE brand_id = $1 AND member_id = $2`, [brandId, mergedId]);
    if (survivor && survivor.rank >= merged.rank) return;
    await m.query(
      `INSERT INTO member_tiers (member_id, brand_id, tier_id, since, below_since, evaluated_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (member_id) DO UPDATE
         SET tier_id = EXCLUDED.tier_id, since = EXCLUDED.since, below_since = EXCLUDED.below_since,
             evaluated_at = EXCLUDED.evaluated_at`,
      [survivorId, brandId, merged.tier_id, merged.since, merged.below_since, at],
    );
    const [change]: Array<{ id: string }> = await m.query(
      `INSERT INTO tier_changes (brand_id, member_id, from_tier_id, to_tier_id, reason, data, at)
       VALUES ($1, $2, $3, $4, 'merge', $5, $6) RETURNING id::text AS id`,
      [
        brandId,
        survivorId,
        survivor?.tier_id ?? null,
        merged.tier_id,
        JSON.stringify({
          mergedId,
          fromRank: survivor?.rank,
          fromName: survivor?.name,
          toRank: merged.rank,
          toName: merged.name,
          belowSince: merged.below_since ?? undefined,
        }),
        at,
      ],
    );
    await this.publisher.record(m, brandId, { kind: 'ids', ids: [change.id] });
  }
}
