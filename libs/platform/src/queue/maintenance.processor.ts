import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Job, Queue } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { MaintenanceQueue, RECONCILE_JOB, RECONCILE_SCHEDULER_ID } from './maintenance.queue';
import { Reconciler, ReconcileReport } from './reconcile';
import { SiyuWorkerHost } from './siyu-worker-host';

@Processor(MaintenanceQueue.name, { concurrency: 1 })
export class MaintenanceProcessor extends SiyuWorkerHost<unknown, ReconcileReport | null> {
  constructor(private readonly reconciler: Reconciler) {
    super();
  }

  async handle(job: Job): Promise<ReconcileReport | null> {
    return job.name === RECONCILE_JOB ? this.reconciler.reconcile() : null;
  }
}

/**
 * Keeps the reconciler running in the worker: one pass at start-up, a BullMQ job scheduler for
 * the periodic pass, and a watchdog that re-declares the scheduler (idempotent) so a flushed Redis
 * gets it back.
 */
@Injectable()
export class ReconcileScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconcileScheduler.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectQueue(MaintenanceQueue.name) private readonly queue: Queue,
    private readonly reconciler: Reconciler,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureScheduled();
    const report = await this.reconciler.reconcile();
    this.logger.log({ report }, 'start-up reconcile pass done');
    this.timer = setInterval(() => void this.ensureScheduled(), this.config.get('RECONCILE_INTERVAL_MS'));
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Declares the periodic reconcile job; idempotent, so it is safe to repeat. */
  async ensureScheduled(): Promise<void> {
    try {
      const every = this.config.get('RECONCILE_INTERVAL_MS');
      await this.queue.upsertJobScheduler(
        RECONCILE_SCHEDULER_ID,
        { every },
        { name: RECONCILE_JOB, data: {} },
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not declare the reconcile scheduler');
    }
  }
}
