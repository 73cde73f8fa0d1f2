import { Module } from '@nestjs/common';
import { SegmentsModule } from '@siyu/segments';
import { AnalyticsService } from './analytics.service';
import { ReportRunner } from './report-runner';

/** The read side: reports computed in SQL from members, orders, tiers, groups and campaigns. */
@Module({
  imports: [SegmentsModule],
  providers: [AnalyticsService, ReportRunner],
  exports: [AnalyticsService],
})
export class AnalyticsModule {}
