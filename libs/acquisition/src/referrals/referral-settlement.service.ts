import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CouponIssuingService } from '@siyu/coupons';
import { DataSource, EntityManager } from 'typeorm';
import { SETTLE_BATCH } from './referrals.constants';

type Raw = Record<string, unknown>;

export interface SettleResult {
  settled: number;
  rewardsIssued: number;
}

/**
 * Settles invitees whose retention window has passed (retained, or lost when they deleted the
 * contact or left the group within it) and issues the tier rewards they earn their inviter.
 *
 * Exactly once: a reward is a row with the unique key (campaign, inviter, tier), inserted with
 * ON CONFLICT DO NOTHING; only the transaction whose insert returned the row issues the coupon (with
 * the reward row as the coupon's idempotency key). The count that decides a tier is taken under a
 * transaction-scoped advisory lock on (campaign, inviter), so two concurrent settlements for one
 * inviter run one after the other and the second sees the first's invitees: no tier is missed and
 * none is issued twice.
 */
@Injectable()
export class ReferralSettlementService {
  private readonly logger = new Logger(ReferralSettlementService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly coupons: CouponIssuingService,
  ) {}

  /** Settles what is due (all campaigns, or one), in batches, each in its own transaction. */
  async settleDue(
    asOf: Date = new Date(),
    scope: { brandId: string; campaignId: string } | null = null,
  ): Promise<SettleResult> {
    const total: SettleResult = { settled: 0, rewardsIssued: 0 };
    for (;;) {
      const r = await this.ds.transaction((m) => this.settleBatch(m, asOf, scope, null));
      total.settled += r.settled;
      total.rewardsIssued += r.rewardsIssued;
      if (r.settled < SETTLE_BATCH) return total;
    }
  }

  /** Inside a callback's transaction: settles one inviter's due invitees (retention 0 counts at once). */
  settleInviter(
    m: EntityManager,
    brandId: string,
    campaignId: string,
    inviterMemberId: string,
  ): Promise<SettleResult> {
    return this.settleBatch(m, new Date(), { brandId, campaignId }, inviterMemberId);
  }

  private async settleBatch(
    m: EntityManager,
    asOf: Date,
    scope: { brandId: string; campaignId: string } | null,
    inviter: string | null,
  ): Promise<SettleResult> {
    const params: unknown[] = [asOf, SETTLE_BATCH];
    const filters: string[] = [];
    if (scope) {
      params.push(scope.brandId, scope.campaignId);
      filters.push(`AND brand_id = $3 AND campaign_id = $4`);
    }
    if (inviter) {
      params.push(inviter);
      filters.push(`AND inviter_member_id = $${params.length}`);
    }
    // An UPDATE … RETURNING answers [rows, count] through TypeORM.
    const [settled]: [Raw[], number] = await m.query(
      `WITH due AS (
         SELECT id FROM acquisition_referral_invitees
          WHERE status = 'pending' AND window_ends_at <= $1 ${filters.join(' ')}
          ORDER BY window_ends_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE acquisition_referral_invitees i
          SET status = CASE WHEN i.lost_at IS NOT NULL THEN 'lost' ELSE 'retained' END, settled_at = now()
         FROM due WHERE i.id = due.id
       RETURNING i.brand_id, i.campaign_id, i.inviter_member_id, i.status`,
      params,
    );
    const pairs = new Map<string, { brandId: string; campaignId: string; inviter: string }>();
    for (const r of settled)
      if (r.status === 'retained')
        pairs.set(`${r.campaign_id as string}/${r.inviter_member_id as string}`, {
          brandId: r.brand_id as string,
          campaignId: r.campaign_id as string,
          inviter: r.inviter_member_id as string,
        });
    let rewardsIssued = 0;
    // A fixed order of advisory locks, so two settlements never wait on each other in a cycle.
    for (const key of [...pairs.keys()].sort()) {
      const p = pairs.get(key)!;
      rewardsIssued += await this.reward(m, p.brandId, p.campaignId, p.inviter);
    }
    return { settled: settled.length, rewardsIssued };
  }

  /** Issues every tier the inviter's retained count reached and has no reward yet; answers how many. */
  async reward(m: EntityManager, brandId: string, campaignId: string, inviter: string): Promise<number> {
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `referral-reward/${campaignId}/${inviter}`,
    ]);
    const created: Raw[] = await m.query(
      `INSERT INTO acquisition_referral_rewards (brand_id, campaign_id, inviter_member_id, tier, invites_required, coupon_template_id, status)
       SELECT c.brand_id, c.id, $3, (t->>'tier')::smallint, (t->>'invites')::int, (t->>'couponTemplateId')::uuid, 'pending'
         FROM acquisition_referral_campaigns c, jsonb_array_elements(c.tiers) t
        WHERE c.brand_id = $1 AND c.id = $2
          AND (t->>'invites')::int <= (SELECT count(*) FROM acquisition_referral_invitees i
                                        WHERE i.campaign_id = $2 AND i.inviter_member_id = $3 AND i.status = 'retained')
       ON CONFLICT (campaign_id, inviter_member_id, tier) DO NOTHING
       RETURNING id, tier, coupon_template_id`,
      [brandId, campaignId, inviter],
    );
    let issued = 0;
    for (const r of created) {
      const res = await this.coupons.issueInTransaction(m, {
        brandId,
        templateId: r.coupon_template_id as string,
        memberId: inviter,
        source: 'campaign',
        sourceRef: `referral-reward-${r.id as string}`,
      });
      if (res.ok) {
        issued++;
        await m.query(
          `UPDATE acquisition_referral_rewards SET status = 'issued', coupon_id = $2 WHERE id = $1`,
          [r.id, res.couponId],
        );
      } else {
        this.logger.warn(
          { brandId, campaignId, inviter, tier: r.tier, reason: res.reason },
          'referral reward refused',
        );
        await m.query(
          `UPDATE acquisition_referral_rewards SET status = 'refused', refusal = $2 WHERE id = $1`,
          [r.id, String(res.reason).slice(0, 40)],
        );
      }
    }
    return issued;
  }
}
