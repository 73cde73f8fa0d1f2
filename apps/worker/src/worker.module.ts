import { Module } from '@nestjs/common';
import { MembersWorkerModule } from '@siyu/members';
import { PlatformModule, PlatformWorkerModule } from '@siyu/platform';
import { SegmentsWorkerModule } from '@siyu/segments';

/** The worker process: the platform and every domain lib's processors. No HTTP. */
@Module({
  imports: [PlatformModule, PlatformWorkerModule, MembersWorkerModule, SegmentsWorkerModule],
})
export class WorkerModule {}
