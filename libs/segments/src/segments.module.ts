import { Module } from '@nestjs/common';
import { MembersModule } from '@siyu/members';
import { PlatformQueueModule } from '@siyu/platform';
import { RfmScheduleQueue, SegmentsQueue } from './jobs/segments.queue';
import { SegmentFieldRegistry } from './rule/segment-field.registry';
import { RfmService } from './rfm.service';
import { SegmentAudienceResolver } from './segment-audience.resolver';
import { SegmentQueryService } from './segment-query.service';
import { SegmentSnapshotsService } from './segment-snapshots.service';
import { SegmentWorkService } from './segment-work.service';
import { SegmentsRepository } from './segments.repository';
import { SegmentsService } from './segments.service';

const exported = [
  SegmentFieldRegistry,
  SegmentQueryService,
  SegmentsService,
  SegmentSnapshotsService,
  RfmService,
  SegmentWorkService,
];

/**
 * Segments, snapshots and RFM: services for the API, the worker and other libs. Installs the
 * `segment` audience resolver (members' bulk tagging, campaigns) and the merge handlers.
 */
@Module({
  imports: [MembersModule, PlatformQueueModule.register(SegmentsQueue, RfmScheduleQueue)],
  providers: [SegmentsRepository, SegmentAudienceResolver, ...exported],
  exports: exported,
})
export class SegmentsModule {}
