import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Queue } from 'bullmq';
import { ReferralSettlementService, SettleResult } from '../referral-settlement.service';
import {
  REFERRAL_SETTLE_EVERY_MS,
  REFERRAL_SETTLE_JOB,
  REFERRAL_SETTLE_SCHEDULER_ID,
  ReferralsQueue,
} from './referrals.queue';

/** Thin: settles every campaign's due invitees (in SQL batches) and issues the rewards they earn. */
@Processor(ReferralsQueue.name, { concurrency: 1 })
export class ReferralsProcessor extends SiyuWorkerHost<Record<string, never>, SettleResult> {
  constructor(private readonly settlement: ReferralSettlementService) {
    super();
  }

  handle(): Promise<SettleResult> {
    return this.settlement.settleDue(new Date());
  }
}

/** Declares the settlement's job scheduler at start-up (idempotent: a flushed Redis gets it back on restart). */
@Injectable()
export class ReferralsScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReferralsScheduler.name);

  constructor(@InjectQueue(ReferralsQueue.name) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        REFERRAL_SETTLE_SCHEDULER_ID,
        { every: REFERRAL_SETTLE_EVERY_MS },
        { name: REFERRAL_SETTLE_JOB, data: {} },
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not declare the referral settlement');
    }
  }
}
