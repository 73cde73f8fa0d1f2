import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';

/** One periodic job: its BullMQ job scheduler id, the job's name and how often it runs. */
export interface JobSchedule {
  schedulerId: string;
  jobName: string;
  everyMs: number;
}

/** How often the schedules are declared again, so a flushed Redis gets them back. */
export const SCHEDULE_WATCH_MS = 10 * 60_000;

/**
 * Declares a queue's BullMQ job schedulers at start-up and again every ten minutes (idempotent),
 * so a flushed Redis gets them back; a tick lost with Redis only delays the work, since Postgres
 * holds what is due. A lib's scheduler extends it with its queue and schedules:
 * `constructor(@InjectQueue(Q.name) queue: Queue) { super(queue, [{ schedulerId, jobName, everyMs }]) }`.
 */
export abstract class JobSchedules implements OnApplicationBootstrap, OnApplicationShutdown {
  protected readonly logger = new Logger(this.constructor.name);
  private timer?: NodeJS.Timeout;

  protected constructor(
    private readonly queue: Queue,
    private readonly schedules: readonly JobSchedule[],
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureScheduled();
    this.timer = setInterval(() => void this.ensureScheduled(), SCHEDULE_WATCH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async ensureScheduled(): Promise<void> {
    for (const s of this.schedules) {
      try {
        await this.queue.upsertJobScheduler(
          s.schedulerId,
          { every: s.everyMs },
          { name: s.jobName, data: {} },
        );
      } catch (err) {
        this.logger.warn({ err, scheduler: s.schedulerId }, 'could not declare a job scheduler');
      }
    }
  }
}
