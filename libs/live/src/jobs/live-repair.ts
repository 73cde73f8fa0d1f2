import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { defineQueue, PlatformQueueModule, SiyuWorkerHost } from '@siyu/platform';
import type { Job, Queue } from 'bullmq';
import { LiveRemindersService } from '../live-reminders.service';
import { LiveModule } from '../live.module';

/** The periodic repair of half-planned reminders (no data: it reads Postgres for what to repair). */
export const LiveMaintenanceQueue = defineQueue<Record<string, never>>('live-maintenance');
export const LIVE_REPAIR_JOB = 'live-reminders-repair';
export const LIVE_REPAIR_SCHEDULER_ID = 'live-reminders-repair';
const LIVE_REPAIR_EVERY_MS = 60_000;

/** Thin: the reminders service does the repair. */
@Processor(LiveMaintenanceQueue.name, { concurrency: 1 })
export class LiveRepairProcessor extends SiyuWorkerHost<Record<string, never>, number | null> {
  constructor(private readonly reminders: LiveRemindersService) {
    super();
  }

  async handle(job: Job): Promise<number | null> {
    return job.name === LIVE_REPAIR_JOB ? this.reminders.repair() : null;
  }
}

/**
 * Declares the repair's BullMQ job scheduler at start-up and again every ten minutes (idempotent),
 * so a flushed Redis gets it back; a tick lost with Redis only delays a repair.
 */
@Injectable()
export class LiveRepairScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveRepairScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(@InjectQueue(LiveMaintenanceQueue.name) private readonly queue: Queue) {}

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
        LIVE_REPAIR_SCHEDULER_ID,
        { every: LIVE_REPAIR_EVERY_MS },
        { name: LIVE_REPAIR_JOB, data: {} },
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not declare the live reminders repair');
    }
  }
}

/**
 * The worker's part of live commerce: the `live_session` audience resolver (through LiveModule;
 * campaigns snapshot audiences here) and the periodic repair of half-planned reminders.
 */
@Module({
  imports: [LiveModule, PlatformQueueModule.register(LiveMaintenanceQueue)],
  providers: [LiveRepairProcessor, LiveRepairScheduler],
})
export class LiveWorkerModule {}
