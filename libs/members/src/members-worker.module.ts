import { Module } from '@nestjs/common';
import { MemberImportProcessor } from './jobs/member-import.processor';
import { MembersModule } from './members.module';

/** The worker's part: the CSV import processor. */
@Module({
  imports: [MembersModule],
  providers: [MemberImportProcessor],
})
export class MembersWorkerModule {}
