import { Module } from '@nestjs/common';
import { MembersModule } from '@siyu/members';
import { PlatformQueueModule } from '@siyu/platform';
import { CommerceHooks } from './commerce-hooks';
import { CommerceMaintenanceQueue } from './jobs/commerce.queue';
import { OrderAggregatesService } from './order-aggregates.service';
import { OrderMatcherService } from './order-matcher.service';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';

const exported = [CommerceHooks, OrdersService, OrderAggregatesService, OrderMatcherService];

/** Orders, refunds and members' order aggregates: services for the API, the worker and other libs. */
@Module({
  imports: [MembersModule, PlatformQueueModule.register(CommerceMaintenanceQueue)],
  providers: [OrdersRepository, ...exported],
  exports: exported,
})
export class CommerceModule {}
