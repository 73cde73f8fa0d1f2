import { Module } from '@nestjs/common';
import { JoinWaysModule } from './join-ways.module';
import { JoinWaysProcessor, JoinWaysScheduler } from './jobs/join-ways.processor';

/** The worker's part: join way checks (rollover) and their periodic sweep. */
@Module({ imports: [JoinWaysModule], providers: [JoinWaysProcessor, JoinWaysScheduler] })
export class JoinWaysWorkerModule {}
