import { Injectable, OnModuleInit } from '@nestjs/common';
import { CommerceHooks } from '@siyu/commerce';
import { PartnerCommissionsService } from './commissions/partner-commissions.service';

/**
 * Where the partner programme plugs into orders. PartnersModule imports ConversionsModule, so Nest
 * runs the conversions lib's onModuleInit first and its attribution listener is registered (and so
 * runs, in the same transaction) before this one: a new order is attributed, then gets its commission.
 */
@Injectable()
export class PartnersWiring implements OnModuleInit {
  constructor(
    private readonly commerce: CommerceHooks,
    private readonly commissions: PartnerCommissionsService,
  ) {}

  onModuleInit(): void {
    this.commerce.onOrdersChanged(async (m, change) => {
      if (change.cause === 'created')
        await this.commissions.createForOrders(m, change.brandId, change.orderIds);
      else await this.commissions.orderChanged(m, change.brandId, change.orderIds);
    });
    // Orders whose member appeared later were attributed again by the conversions lib (a last click).
    this.commerce.onMemberOrdersChanged(async (m, change) => {
      if (change.cause === 'match' || change.cause === 'merge')
        await this.commissions.createForMembers(m, change.brandId, change.memberIds);
    });
  }
}
