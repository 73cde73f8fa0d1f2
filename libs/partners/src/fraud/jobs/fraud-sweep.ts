import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { defineQueue, PlatformQueueModule, SiyuWorkerHost } from '@siyu/platform';
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

/**
 * Declares the sweep's job scheduler at start-up and again every ten minutes (idempotent), so a
 * flushed Redis gets it back; a lost tick only delays a conversion-rate flag by an hour.
 */
@Injectable()
export class PartnerFraudSweepScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PartnerFraudSweepScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(@InjectQueue(PartnerFraudQueue.name) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureScheduled();
    this.timer = setInterval(() => void this.ensureScheduled(), 10 * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async ensureScheduled(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        SWEEP_SCHEDULER_ID,
        { every: SWEEP_EVERY_MS },
        { name: PARTNER_FRAUD_SWEEP_JOB, data: {} },
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not declare the partner fraud sweep');
    }
  }
}

/** The worker's part of the fraud checks: the hooks (through PartnerFraudModule) and the hourly sweep. */
@Module({
  imports: [PartnerFraudModule, PlatformQueueModule.register(PartnerFraudQueue)],
  providers: [PartnerFraudSweepProcessor, PartnerFraudSweepScheduler],
})
export class PartnerFraudWorkerModule {}
