import { Processor } from '@nestjs/bullmq';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Job } from 'bullmq';
import { ChurnAlertOutcome, ChurnAlertsService } from '../churn-alerts.service';
import { ChurnAlertJob, ChurnAlertsQueue } from './churn.queue';

/** Thin: the service claims the alert row, sends it and records the outcome. */
@Processor(ChurnAlertsQueue.name, { concurrency: 4 })
export class ChurnAlertsProcessor extends SiyuWorkerHost<ChurnAlertJob, ChurnAlertOutcome> {
  constructor(private readonly alerts: ChurnAlertsService) {
    super();
  }

  handle(job: Job<ChurnAlertJob>): Promise<ChurnAlertOutcome> {
    return this.alerts.process(job.data.alertId);
  }
}
