import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { QueueRegistry } from '@siyu/platform';
import { WELCOME_JOB, welcomeJobId, WelcomeQueue } from './jobs/welcome.queue';
import { WELCOME_SWEEP_MS } from './welcome.constants';
import { WelcomeService } from './welcome.service';

/**
 * The welcome's own reconciler, in the worker: every 2 s (a timer, so it survives a Redis flush
 * that takes BullMQ's schedulers with it) it marks welcomes past their 20 s as expired and re-adds
 * the job of every open welcome still inside its window whose job is gone. The platform's
 * reconciler runs the same pass (a ReconcileSource) on its slower period.
 */
@Injectable()
export class WelcomeSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WelcomeSweeper.name);
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly welcomes: WelcomeService,
    private readonly queues: QueueRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), WELCOME_SWEEP_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async sweep(): Promise<{ expired: number; enqueued: number }> {
    if (this.running) return { expired: 0, enqueued: 0 };
    this.running = true;
    try {
      const expired = await this.welcomes.expireOverdue();
      let enqueued = 0;
      const queue = this.queues.get(WelcomeQueue);
      for (const r of await this.welcomes.open(null, 1000)) {
        const job = await queue.getJob(welcomeJobId(r.id));
        const state = job ? await job.getState() : null;
        if (job && state !== 'completed' && state !== 'failed' && state !== 'unknown') continue;
        if (job) await job.remove().catch(() => undefined);
        await queue.add(WELCOME_JOB, { welcomeId: r.id, brandId: r.brand_id }, { jobId: welcomeJobId(r.id) });
        enqueued++;
      }
      if (enqueued > 0) this.logger.warn({ enqueued }, `re-enqueued ${enqueued} welcome(s)`);
      return { expired, enqueued };
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'welcome sweep failed');
      return { expired: 0, enqueued: 0 };
    } finally {
      this.running = false;
    }
  }
}
