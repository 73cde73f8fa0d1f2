import { Module } from '@nestjs/common';
import { TierReevaluationProcessor } from './jobs/tier-reevaluation.processor';
import { TiersModule } from './tiers.module';

/** The worker's part: the re-evaluation processor (schedulers are re-declared by the reconcile pass). */
@Module({
  imports: [TiersModule],
  providers: [TierReevaluationProcessor],
})
export class TiersWorkerModule {}
