import { Injectable, OnModuleInit } from '@nestjs/common';
import { CampaignVariableRegistry, CampaignVariableResolver } from '@siyu/campaigns';
import { CommerceHooks } from '@siyu/commerce';
import { DrawPrizeFulfiller, DrawPrizeRegistry } from '@siyu/draws';
import { MemberMergeRegistry } from '@siyu/members';
import { EntityManager } from 'typeorm';
import { randomCode } from './coupon-codes';
import { COUPON_VALID_UNTIL_SQL, CouponIssuingService } from './coupon-issuing.service';
import { CouponRedemptionService } from './coupon-redemption.service';

/** A group chat's code from a campaign: one shared code, for up to a full WeCom group. */
const GROUP_CODE_REDEMPTIONS = 500;

/**
 * Where coupons plug into other libs without them depending on coupons: the campaign variable
 * `{{coupon:<templateId>}}`, lucky-draw coupon prizes, the order hook (redeem on record, roll back on refund or cancel), and
 * member merges.
 */
@Injectable()
export class CouponsWiring implements OnModuleInit {
  constructor(
    private readonly variables: CampaignVariableRegistry,
    private readonly commerce: CommerceHooks,
    private readonly merges: MemberMergeRegistry,
    private readonly issuing: CouponIssuingService,
    private readonly redemption: CouponRedemptionService,
    private readonly prizes: DrawPrizeRegistry,
  ) {}

  onModuleInit(): void {
    this.variables.register(this.campaignResolver());
    this.prizes.register(this.drawPrizes());
    this.commerce.onOrdersChanged((m, change) => this.redemption.onOrders(m, change));
    this.merges.register('coupons', async (m, { brandId, survivorId, mergedId }) => {
      // The survivor keeps both members' coupons; one issued to each for the same source keeps
      // its own key apart so the unique issue key holds.
      await m.query(
        `UPDATE coupons c SET member_id = $2,
                source_ref = CASE WHEN EXISTS (SELECT 1 FROM coupons d WHERE d.template_id = c.template_id AND d.source = c.source
                                                  AND d.source_ref = c.source_ref AND d.member_id = $2)
                                  THEN left(c.source_ref, 150) || '/merged-' || c.id ELSE c.source_ref END
          WHERE c.brand_id = $1 AND c.member_id = $3`,
        [brandId, survivorId, mergedId],
      );
    });
    this.merges.register('coupon_member_counts', async (m, { brandId, survivorId, mergedId }) => {
      await m.query(
        `INSERT INTO coupon_member_counts AS c (template_id, member_id, brand_id, issued, shared_uses)
         SELECT template_id, $2, brand_id, issued, shared_uses FROM coupon_member_counts WHERE brand_id = $1 AND member_id = $3
         ON CONFLICT (template_id, member_id) DO UPDATE
           SET issued = c.issued + excluded.issued, shared_uses = c.shared_uses + excluded.shared_uses`,
        [brandId, survivorId, mergedId],
      );
      await m.query(`DELETE FROM coupon_member_counts WHERE brand_id = $1 AND member_id = $2`, [
        brandId,
        mergedId,
      ]);
    });
  }

  /**
   * `{{coupon:<templateId>}}`: each member recipient gets its own personal coupon, issued in the
   * transaction that claims the batch (idempotent per campaign and member, so a resend shows the
   * same code); a group chat gets a shared code of its own. Refused ones render as ''.
   */
  private campaignResolver(): CampaignVariableResolver {
    return {
      ref: 'coupon',
      check: (brandId, ids) => this.issuing.checkTemplates(brandId, ids),
      resolve: async (m, ctx) => {
        const out = new Map<string, string>();
        const people = ctx.recipients.filter((r) => r.memberId);
        if (people.length > 0) {
          const results = await this.issuing.issueMany(m, {
            brandId: ctx.brandId,
            templateId: ctx.id,
            source: 'campaign',
            items: people.map((r) => ({ memberId: r.memberId as string, sourceRef: ctx.campaignId })),
          });
          people.forEach((r, i) => {
            const res = results[i];
            if (res.ok) out.set(r.deliveryId, res.code);
          });
        }
        for (const r of ctx.recipients.filter((x) => !x.memberId && x.groupId)) {
          const code = await this.groupCode(m, ctx.brandId, ctx.id, `${ctx.campaignId}/${r.groupId}`);
          if (code) out.set(r.deliveryId, code);
        }
        return out;
      },
    };
  }

  /**
   * A lucky draw's coupon prize: issued to the winner in the entry's transaction (idempotent per
   * entry). A refusal (the template's budget or per-member limit) writes nothing: the issue runs
   * under a savepoint that is rolled back, and the draw gives the fallback.
   */
  private drawPrizes(): DrawPrizeFulfiller {
    return {
      kind: 'coupon',
      check: (brandId, ids) => this.issuing.checkTemplates(brandId, ids),
      fulfil: async (m, ctx) => {
        await m.query('SAVEPOINT draw_prize');
        const r = await this.issuing.issueInTransaction(m, {
          brandId: ctx.brandId,
          templateId: ctx.templateId,
          memberId: ctx.memberId,
          source: 'draw',
          sourceRef: ctx.entryId,
        });
        if (!r.ok) {
          await m.query('ROLLBACK TO SAVEPOINT draw_prize');
          return { ok: false, reason: r.reason };
        }
        await m.query('RELEASE SAVEPOINT draw_prize');
        return { ok: true, couponId: r.couponId, code: r.code };
      },
    };
  }

  private async groupCode(
    m: EntityManager,
    brandId: string,
    templateId: string,
    ref: string,
  ): Promise<string | null> {
    const [found]: Array<{ code: string }> = await m.query(
      `SELECT code FROM coupons WHERE brand_id = $1 AND template_id = $2 AND source = 'campaign' AND source_ref = $3 AND kind = 'shared'`,
      [brandId, templateId, ref],
    );
    if (found) return found.code;
    const [t]: Array<{ code_prefix: string; code_length: number; status: string }> = await m.query(
      `SELECT code_prefix, code_length, status FROM coupon_templates WHERE brand_id = $1 AND id = $2`,
      [brandId, templateId],
    );
    if (!t || t.status !== 'active') return null;
    for (let i = 0; i < 8; i++) {
      const [row]: Array<{ code: string }> = await m.query(
        `INSERT INTO coupons (brand_id, template_id, code, kind, max_redemptions, source, source_ref, valid_from, valid_until)
         SELECT t.brand_id, t.id, $2, 'shared', $3, 'campaign', $4, t.valid_from, ${COUPON_VALID_UNTIL_SQL}
           FROM coupon_templates t WHERE t.id = $1
         ON CONFLICT DO NOTHING RETURNING code`,
        [templateId, randomCode(t.code_prefix, t.code_length), GROUP_CODE_REDEMPTIONS, ref],
      );
      if (row) return row.code;
    }
    return null;
  }
}
