import { Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, QueueRegistry, SiyuWorkerHost, WorkJob, WorkService } from '@siyu/platform';
import type { Job, Queue } from 'bullmq';
import { CouponBatchesService } from '../coupon-batches.service';
import { CouponExpiryService } from '../coupon-expiry.service';
import {
  COUPON_EXPIRE_JOB,
  COUPON_EXPIRY_EVERY_MS,
  COUPON_EXPIRY_SCHEDULER,
  CouponsJob,
  CouponsQueue,
} from './coupons.queue';

/** Thin: a batch work item runs its batch (progress on the job and the row); a tick expires codes. */
@Processor(CouponsQueue.name, { concurrency: 2 })
export class CouponsProcessor extends SiyuWorkerHost<CouponsJob> {
  constructor(
    private readonly work: WorkService,
    private readonly batches: CouponBatchesService,
    private readonly expiry: CouponExpiryService,
  ) {
    super();
  }

  async handle(job: Job<CouponsJob>, token?: string): Promise<unknown> {
    if (job.name === COUPON_EXPIRE_JOB) return this.expiry.expire();
    return this.work.run(job as Job<WorkJob>, token, async (item) => {
      const b = await this.batches.run(String(item.payload.batchId), async (done, requested) => {
        await job.updateProgress(requested > 0 ? Math.floor((done / requested) * 100) : 100);
      });
      return { batchId: b.id, done: b.done, skipped: b.skipped };
    });
  }
}

/**
 * Declares the expiry job scheduler (BullMQ `upsertJobScheduler`, every COUPON_EXPIRY_EVERY_MS) at
 * start-up and again every reconcile interval, so a flushed Redis gets it back.
 */
@Injectable()
export class CouponExpiryScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CouponExpiryScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly queues: QueueRegistry,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.declare();
    this.timer = setInterval(() => void this.declare(), this.config.get('RECONCILE_INTERVAL_MS'));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async declare(): Promise<void> {
    const queue = this.queues.get(CouponsQueue) as Queue;
    const existing = await queue.getJobScheduler(COUPON_EXPIRY_SCHEDULER).catch(() => undefined);
    if (existing) return;
    await queue
      .upsertJobScheduler(
        COUPON_EXPIRY_SCHEDULER,
        { every: COUPON_EXPIRY_EVERY_MS },
        { name: COUPON_EXPIRE_JOB, data: { tick: 'expire' } },
      )
      .catch((err: unknown) => this.logger.warn({ err }, 'coupon expiry scheduler not declared'));
  }
}
