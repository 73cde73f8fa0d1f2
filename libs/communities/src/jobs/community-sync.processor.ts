import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, SiyuWorkerHost } from '@siyu/platform';
import type { Job, Queue } from 'bullmq';
import { CommunitySyncService } from '../sync/community-sync.service';
import {
  COMMUNITY_SYNC_DUE_JOB,
  COMMUNITY_SYNC_DUE_SCHEDULER_ID,
  CommunitySyncJob,
  CommunitySyncQueue,
} from './communities.queue';

/** Thin: the sync service claims the run and pages through WeCom's groups, or starts the due runs. */
@Processor(CommunitySyncQueue.name, { concurrency: 2 })
export class CommunitySyncProcessor extends SiyuWorkerHost<
  CommunitySyncJob | Record<string, never>,
  unknown
> {
  constructor(
    private readonly sync: CommunitySyncService,
    private readonly config: AppConfig,
  ) {
    super();
  }

  handle(job: Job<CommunitySyncJob | Record<string, never>>, token?: string): Promise<unknown> {
    if (job.name === COMMUNITY_SYNC_DUE_JOB)
      return this.sync.startDue(this.config.get('COMMUNITY_SYNC_EVERY_MS'));
    return this.sync.process((job.data as CommunitySyncJob).runId, job, token);
  }
}

/**
 * Declares the periodic sync's BullMQ job scheduler at start-up, and again every hour (idempotent),
 * so a flushed Redis gets it back. The job itself reads Postgres for who is due, so a tick lost
 * with Redis only delays a sync; it never doubles one.
 */
@Injectable()
export class CommunitySyncScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CommunitySyncScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectQueue(CommunitySyncQueue.name) private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureScheduled();
    this.timer = setInterval(() => void this.ensureScheduled(), 3_600_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async ensureScheduled(): Promise<void> {
    // Checked a few times per period, so a brand becomes due at most a fraction of it late.
    const every = Math.max(60_000, Math.round(this.config.get('COMMUNITY_SYNC_EVERY_MS') / 6));
    try {
      await this.queue.upsertJobScheduler(
        COMMUNITY_SYNC_DUE_SCHEDULER_ID,
        { every },
        { name: COMMUNITY_SYNC_DUE_JOB, data: {} },
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not declare the periodic group sync');
    }
  }
}
