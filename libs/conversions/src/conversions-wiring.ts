import { Injectable, OnModuleInit } from '@nestjs/common';
import { CampaignVariableRegistry } from '@siyu/campaigns';
import { CommerceHooks } from '@siyu/commerce';
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
      if (change.cause === 'created') await this.attribution.attribute(m, change.brandId, change.orderIds);
    });
    this.commerce.onMemberOrdersChanged(async (m, change) => {
      if (change.cause === 'match' || change.cause === 'merge')
        await this.attribution.reattributeMembers(m, change.brandId, change.memberIds);
    });
  }
}
