import { Injectable, OnModuleInit } from '@nestjs/common';
import { CampaignVariableRegistry } from '@siyu/campaigns';
import { CommerceHooks, OrderMatcherService } from '@siyu/commerce';
import type { EntityManager } from 'typeorm';
import { AttributionService } from './attribution.service';
import { LinksService } from './links.service';

/**
 * Where conversions plug into other libs without them depending on it: the campaign variable
 * `{{link:<linkId>}}` and the order hooks (attribute new orders; give unattributed orders another
 * try once their member is known).
 */
@Injectable()
export class ConversionsWiring implements OnModuleInit {
  constructor(
    private readonly variables: CampaignVariableRegistry,
    private readonly commerce: CommerceHooks,
    private readonly links: LinksService,
    private readonly attribution: AttributionService,
    private readonly matcher: OrderMatcherService,
  ) {}

  onModuleInit(): void {
    this.variables.register({
      ref: 'link',
      check: (brandId, ids) => this.links.check(brandId, ids),
      // Each recipient (member or group chat) gets its own short URL, made in the claim transaction.
      resolve: (m, ctx) =>
        this.links.recipientUrls(
          m,
          ctx.brandId,
          ctx.id,
          ctx.recipients.map((r) => r.deliveryId),
        ),
    });
    this.commerce.onOrdersChanged(async (m, change) => {
      // A refund or a status change keeps the attribution: the row holds no money to reverse.
      if (change.cause !== 'created') return;
      await this.matchByLinkCode(m, change.brandId, change.orderIds);
      await this.attribution.attribute(m, change.brandId, change.orderIds);
    });
    this.commerce.onMemberOrdersChanged(async (m, change) => {
      if (change.cause === 'match' || change.cause === 'merge')
        await this.attribution.reattributeMembers(m, change.brandId, change.memberIds);
    });
  }

  /**
   * New orders no identity matched, that carry a per-recipient link code: the member the code was
   * sent to is the buyer (DESIGN: an order is matched by store customer id, phone, unionid, or the
   * click's member). Identities win: this only fills a member that is still missing.
   */
  private async matchByLinkCode(m: EntityManager, brandId: string, orderIds: string[]): Promise<void> {
    const pairs: Array<{ orderId: string; memberId: string }> = await m.query(
      `SELECT o.id AS "orderId", k.member_id AS "memberId"
         FROM orders o JOIN link_codes k ON k.code = o.link_code AND k.brand_id = o.brand_id
        WHERE o.brand_id = $1 AND o.id = ANY($2::uuid[]) AND o.member_id IS NULL AND k.member_id IS NOT NULL`,
      [brandId, orderIds],
    );
    await this.matcher.assign(m, brandId, pairs);
  }
}
