import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Job, Queue } from 'bullmq';
import { PartnerCommissionsService } from '../commissions/partner-commissions.service';
import { PartnerTierEvaluationService } from '../tiers/partner-tier-evaluation.service';
import { PartnerUpliftsService } from '../uplifts/partner-uplifts.service';
import {
  PARTNER_APPROVE_JOB,
  PARTNER_SCHEDULES,
  PARTNER_TIERS_JOB,
  PARTNER_UPLIFTS_JOB,
  PartnersMaintenanceQueue,
} from './partners.queue';

/** Thin: each job is one service call over what Postgres says is due (idempotent, row-first). */
@Processor(PartnersMaintenanceQueue.name, { concurrency: 1 })
export class PartnersMaintenanceProcessor extends SiyuWorkerHost<Record<string, never>, number | null> {
  constructor(
    private readonly commissions: PartnerCommissionsService,
    private readonly uplifts: PartnerUpliftsService,
    private readonly tiers: PartnerTierEvaluationService,
  ) {
    super();
  }

  async handle(job: Job): Promise<number | null> {
    switch (job.name) {
      case PARTNER_APPROVE_JOB:
        return this.commissions.approveDue();
      case PARTNER_UPLIFTS_JOB:
        return (await this.uplifts.closeDue()).length;
      case PARTNER_TIERS_JOB:
        return (await this.tiers.evaluate()).length;
      default:
        return null;
    }
  }
}

/**
 * Declares the BullMQ job schedulers at start-up and again every ten minutes (idempotent), so a
 * flushed Redis gets them back; a tick lost with Redis only delays the work (Postgres holds what is due).
 */
@Injectable()
export class PartnersMaintenanceScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PartnersMaintenanceScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(@InjectQueue(PartnersMaintenanceQueue.name) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureScheduled();
    this.timer = setInterval(() => void this.ensureScheduled(), 10 * 60_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async ensureScheduled(): Promise<void> {
    for (const [name, every] of PARTNER_SCHEDULES) {
      try {
        await this.queue.upsertJobScheduler(name, { every }, { name, data: {} });
      } catch (err) {
        this.logger.warn({ err, name }, 'could not declare a partners job scheduler');
      }
    }
  }
}
