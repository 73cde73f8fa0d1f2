import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Job, Queue } from 'bullmq';
import { OrderMatcherService } from '../order-matcher.service';
import {
  CommerceMaintenanceQueue,
  ORDER_MATCH_SWEEP_EVERY_MS,
  ORDER_MATCH_SWEEP_JOB,
  ORDER_MATCH_SWEEP_SCHEDULER_ID,
} from './commerce.queue';

/** Thin: the matcher does the sweep. */
@Processor(CommerceMaintenanceQueue.name, { concurrency: 1 })
export class OrderMatchProcessor extends SiyuWorkerHost<unknown, unknown> {
  constructor(private readonly matcher: OrderMatcherService) {
    super();
  }

  async handle(job: Job): Promise<unknown> {
    return job.name === ORDER_MATCH_SWEEP_JOB ? this.matcher.sweep() : null;
  }
}

/**
 * Declares the sweep's BullMQ job scheduler at start-up and re-declares it periodically
 * (idempotent), so a flushed Redis gets it back.
 */
@Injectable()
export class OrderMatchScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OrderMatchScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(@InjectQueue(CommerceMaintenanceQueue.name) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureScheduled();
    this.timer = setInterval(() => void this.ensureScheduled(), ORDER_MATCH_SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async ensureScheduled(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        ORDER_MATCH_SWEEP_SCHEDULER_ID,
        { every: ORDER_MATCH_SWEEP_EVERY_MS },
        { name: ORDER_MATCH_SWEEP_JOB, data: {} },
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not declare the order match sweep');
    }
  }
}
