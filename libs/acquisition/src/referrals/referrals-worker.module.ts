import { Module } from '@nestjs/common';
import { ReferralsProcessor, ReferralsScheduler } from './jobs/referrals.processor';
import { ReferralsModule } from './referrals.module';

/** The worker's part: the periodic settlement of retention windows. */
@Module({ imports: [ReferralsModule], providers: [ReferralsProcessor, ReferralsScheduler] })
export class ReferralsWorkerModule {}
