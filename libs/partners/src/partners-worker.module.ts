import { Module } from '@nestjs/common';
import { PlatformQueueModule } from '@siyu/platform';
import {
  PartnersMaintenanceProcessor,
  PartnersMaintenanceScheduler,
} from './jobs/partners-maintenance.processor';
import { PartnersMaintenanceQueue } from './jobs/partners.queue';
import { PartnersModule } from './partners.module';

/**
 * The worker's part of the partner programme: the commission hooks on orders (through
 * PartnersModule) and the scheduled approval, uplift close and tier evaluation.
 */
@Module({
  imports: [PartnersModule, PlatformQueueModule.register(PartnersMaintenanceQueue)],
  providers: [PartnersMaintenanceProcessor, PartnersMaintenanceScheduler],
})
export class PartnersWorkerModule {}
