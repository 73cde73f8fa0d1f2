import { Module } from '@nestjs/common';
import { RfmController } from './rfm.controller';
import { SegmentSnapshotsController } from './segment-snapshots.controller';
import { SegmentsController } from './segments.controller';
import { SegmentsModule } from './segments.module';

/** The segments routes (/v1/segments, /v1/segments/snapshots, /v1/segments/rfm). */
@Module({
  imports: [SegmentsModule],
  controllers: [RfmController, SegmentSnapshotsController, SegmentsController],
})
export class SegmentsHttpModule {}
