import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { JobSchedules, SiyuWorkerHost } from '@siyu/platform';
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

/** The partners' job schedulers (approvals, uplift windows, tier evaluation), declared at start-up and every ten minutes. */
@Injectable()
export class PartnersMaintenanceScheduler extends JobSchedules {
  constructor(@InjectQueue(PartnersMaintenanceQueue.name) queue: Queue) {
    super(
      queue,
      PARTNER_SCHEDULES.map(([name, everyMs]) => ({ schedulerId: name, jobName: name, everyMs })),
    );
  }
}
