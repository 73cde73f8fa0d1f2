import { Module } from '@nestjs/common';
import { CommunitiesModule } from './communities.module';
import { CommunitySyncProcessor, CommunitySyncScheduler } from './jobs/community-sync.processor';

/**
 * The worker's part: the group sync processor and its periodic scheduler (the callback handlers run
 * in the channels event processor).
 */
@Module({
  imports: [CommunitiesModule],
  providers: [CommunitySyncProcessor, CommunitySyncScheduler],
})
export class CommunitiesWorkerModule {}
