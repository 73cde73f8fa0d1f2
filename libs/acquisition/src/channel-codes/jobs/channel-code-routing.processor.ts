import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Job, Queue } from 'bullmq';
import { ChannelCodesService } from '../channel-codes.service';
import {
  CHANNEL_CODE_ROUTE_DUE_JOB,
  CHANNEL_CODE_ROUTE_EVERY_MS,
  CHANNEL_CODE_ROUTE_SCHEDULER_ID,
  ChannelCodeRoutingJob,
  ChannelCodeRoutingQueue,
} from './channel-code-routing.queue';

/** Thin: re-routes one code, or (the periodic job) queues a re-route of every time-dependent code. */
@Processor(ChannelCodeRoutingQueue.name, { concurrency: 2 })
export class ChannelCodeRoutingProcessor extends SiyuWorkerHost<ChannelCodeRoutingJob, unknown> {
  constructor(private readonly codes: ChannelCodesService) {
    super();
  }

  handle(job: Job<ChannelCodeRoutingJob>): Promise<unknown> {
    if (job.name === CHANNEL_CODE_ROUTE_DUE_JOB) return this.codes.routeDue();
    return this.codes.route(job.data.brandId, job.data.codeId);
  }
}

/**
 * Declares the every-minute re-route (schedule windows opening and closing, caps resetting at the
 * brand's midnight) at start-up and again every ten minutes, so a flushed Redis gets it back.
 */
@Injectable()
export class ChannelCodeRoutingScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ChannelCodeRoutingScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(@InjectQueue(ChannelCodeRoutingQueue.name) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureScheduled();
    this.timer = setInterval(() => void this.ensureScheduled(), 600_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async ensureScheduled(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        CHANNEL_CODE_ROUTE_SCHEDULER_ID,
        { every: CHANNEL_CODE_ROUTE_EVERY_MS },
        { name: CHANNEL_CODE_ROUTE_DUE_JOB, data: {} },
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not declare the periodic channel code re-route');
    }
  }
}
