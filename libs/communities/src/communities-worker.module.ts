import { Module } from '@nestjs/common';
import { CommunitiesModule } from './communities.module';
import { CommunitySyncProcessor } from './jobs/community-sync.processor';

/** The worker's part: the group sync processor (the callback handlers run in the channels event processor). */
@Module({
  imports: [CommunitiesModule],
  providers: [CommunitySyncProcessor],
})
export class CommunitiesWorkerModule {}
