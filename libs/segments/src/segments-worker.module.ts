import { Module } from '@nestjs/common';
import { RfmTickProcessor } from './jobs/rfm-tick.processor';
import { RfmScheduler } from './jobs/rfm.scheduler';
import { SegmentsProcessor } from './jobs/segments.processor';
import { SegmentsModule } from './segments.module';

/** The worker's part: RFM and count-refresh work items, and the per-brand nightly RFM schedulers. */
@Module({
  imports: [SegmentsModule],
  providers: [SegmentsProcessor, RfmTickProcessor, RfmScheduler],
  exports: [RfmScheduler],
})
export class SegmentsWorkerModule {}
