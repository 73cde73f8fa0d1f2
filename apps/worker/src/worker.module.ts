import { Module } from '@nestjs/common';
import { PlatformModule, PlatformWorkerModule } from '@siyu/platform';

/** The worker process: the platform and every domain lib's processors. No HTTP. */
@Module({
  imports: [PlatformModule, PlatformWorkerModule],
})
export class WorkerModule {}
