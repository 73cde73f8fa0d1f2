import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Module } from '@nestjs/common';
import { defineQueue, JobSchedules, PlatformQueueModule, SiyuWorkerHost } from '@siyu/platform';
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

/** The repair's BullMQ job scheduler, declared at start-up and every ten minutes (platform JobSchedules). */
@Injectable()
export class LiveRepairScheduler extends JobSchedules {
  constructor(@InjectQueue(LiveMaintenanceQueue.name) queue: Queue) {
    super(queue, [
      { schedulerId: LIVE_REPAIR_SCHEDULER_ID, jobName: LIVE_REPAIR_JOB, everyMs: LIVE_REPAIR_EVERY_MS },
    ]);
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
