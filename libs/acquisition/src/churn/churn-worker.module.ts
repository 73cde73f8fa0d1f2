import { Module } from '@nestjs/common';
import { ChurnModule } from './churn.module';
import { ChurnAlertsProcessor } from './jobs/churn-alerts.processor';

/** The worker's part: sends churn alerts. */
@Module({ imports: [ChurnModule], providers: [ChurnAlertsProcessor] })
export class ChurnWorkerModule {}
