import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Job, Queue } from 'bullmq';
import { JoinWaysService } from '../join-ways.service';
import {
  JOIN_WAY_CHECK_JOB,
  JOIN_WAY_SWEEP_EVERY_MS,
  JOIN_WAY_SWEEP_JOB,
  JOIN_WAY_SWEEP_SCHEDULER_ID,
  JoinWayCheckJob,
  joinWayCheckJobId,
  JoinWaysQueue,
} from './join-ways.queue';

/** Thin: a check rolls one join way over; the sweep queues checks for join ways with a full group. */
@Processor(JoinWaysQueue.name, { concurrency: 2 })
export class JoinWaysProcessor extends SiyuWorkerHost<JoinWayCheckJob | Record<string, never>, unknown> {
  constructor(
    private readonly joinWays: JoinWaysService,
    @InjectQueue(JoinWaysQueue.name) private readonly queue: Queue,
  ) {
    super();
  }

  async handle(job: Job<JoinWayCheckJob | Record<string, never>>): Promise<unknown> {
    if (job.name === JOIN_WAY_SWEEP_JOB) {
      const due = await this.joinWays.dueForRollover();
      const stamp = String(Date.now());
      await this.queue.addBulk(
        due.map((d) => ({
          name: JOIN_WAY_CHECK_JOB,
          data: { brandId: d.brandId, joinWayId: d.id },
          opts: { jobId: joinWayCheckJobId(d.id, `sweep${stamp}`) },
        })),
      );
      return { queued: due.length };
    }
    const { brandId, joinWayId } = job.data as JoinWayCheckJob;
    return this.joinWays.rollover(brandId, joinWayId);
  }
}

/** Declares the periodic sweep at start-up (idempotent; the sweep reads Postgres for what is due). */
@Injectable()
export class JoinWaysScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger(JoinWaysScheduler.name);

  constructor(@InjectQueue(JoinWaysQueue.name) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.queue.upsertJobScheduler(
        JOIN_WAY_SWEEP_SCHEDULER_ID,
        { every: JOIN_WAY_SWEEP_EVERY_MS },
        { name: JOIN_WAY_SWEEP_JOB, data: {} },
      );
    } catch (err) {
      this.logger.warn({ err }, 'could not declare the join way sweep');
    }
  }
}
