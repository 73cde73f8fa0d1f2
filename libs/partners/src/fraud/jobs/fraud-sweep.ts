import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Module } from '@nestjs/common';
import { defineQueue, JobSchedules, PlatformQueueModule, SiyuWorkerHost } from '@siyu/platform';
import type { Job, Queue } from 'bullmq';
import { FraudChecksService } from '../fraud-checks.service';
import { PartnerFraudModule } from '../partner-fraud.module';

/** The hourly sweep (no data: it reads Postgres for every brand with partners). */
export const PartnerFraudQueue = defineQueue<Record<string, never>>('partner-fraud');
export const PARTNER_FRAUD_SWEEP_JOB = 'partner-fraud-sweep';
const SWEEP_SCHEDULER_ID = 'partner-fraud-sweep';
const SWEEP_EVERY_MS = 60 * 60_000;

/** Thin: the checks service sweeps. */
@Processor(PartnerFraudQueue.name, { concurrency: 1 })
export class PartnerFraudSweepProcessor extends SiyuWorkerHost<Record<string, never>, number | null> {
  constructor(private readonly checks: FraudChecksService) {
    super();
  }

  async handle(job: Job): Promise<number | null> {
    return job.name === PARTNER_FRAUD_SWEEP_JOB ? this.checks.sweepAll() : null;
  }
}

/** The hourly sweep's job scheduler, declared at start-up and every ten minutes (platform JobSchedules). */
@Injectable()
export class PartnerFraudSweepScheduler extends JobSchedules {
  constructor(@InjectQueue(PartnerFraudQueue.name) queue: Queue) {
    super(queue, [
      { schedulerId: SWEEP_SCHEDULER_ID, jobName: PARTNER_FRAUD_SWEEP_JOB, everyMs: SWEEP_EVERY_MS },
    ]);
  }
}

/** The worker's part of the fraud checks: the hooks (through PartnerFraudModule) and the hourly sweep. */
@Module({
  imports: [PartnerFraudModule, PlatformQueueModule.register(PartnerFraudQueue)],
  providers: [PartnerFraudSweepProcessor, PartnerFraudSweepScheduler],
})
export class PartnerFraudWorkerModule {}
