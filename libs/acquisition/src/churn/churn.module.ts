import { Module } from '@nestjs/common';
import { ChannelsModule } from '@siyu/channels';
import { PlatformQueueModule } from '@siyu/platform';
import { SegmentsModule } from '@siyu/segments';
import { JoinWaysModule } from '../join-ways/join-ways.module';
import { ChurnAlertsService } from './churn-alerts.service';
import { ChurnEventsHandler } from './churn-events.handler';
import { ChurnSecrets } from './churn-secrets';
import { ChurnSegmentFields } from './churn-segment-fields';
import { ChurnService } from './churn.service';
import { ChurnAlertsQueue } from './jobs/churn.queue';

/**
 * Churn: the change_external_contact handler that keeps lost relationships and writes their alerts,
 * the alert sender, settings and rates, and the "lost contact" segment fields.
 */
@Module({
  imports: [ChannelsModule, SegmentsModule, JoinWaysModule, PlatformQueueModule.register(ChurnAlertsQueue)],
  providers: [ChurnService, ChurnAlertsService, ChurnEventsHandler, ChurnSecrets, ChurnSegmentFields],
  exports: [ChurnService, ChurnAlertsService],
})
export class ChurnModule {}
