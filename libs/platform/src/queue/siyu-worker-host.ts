import { OnWorkerEvent, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DelayedError } from 'bullmq';

/**
 * Base of every processor: one JSON log line per job with its id, queue and brand, and the
 * outcome. Subclasses implement `handle` and stay thin (they delegate to a service).
 */
export abstract class SiyuWorkerHost<T = unknown, R = unknown> extends WorkerHost {
  protected readonly logger = new Logger(this.constructor.name);

  abstract handle(job: Job<T>, token?: string): Promise<R>;

  async process(job: Job<T>, token?: string): Promise<R> {
    const started = Date.now();
    const ctx = {
      jobId: job.id,
      queue: job.queueName,
      job: job.name,
      attempt: job.attemptsMade + 1,
      brandId: (job.data as { brandId?: string } | undefined)?.brandId,
    };
    try {
      const result = await this.handle(job, token);
      this.logger.log({ ...ctx, ms: Date.now() - started, outcome: 'done' }, `job ${job.name} done`);
      return result;
    } catch (err) {
      if (err instanceof DelayedError) {
        this.logger.log({ ...ctx, ms: Date.now() - started, outcome: 'delayed' }, `job ${job.name} delayed`);
      } else {
        this.logger.warn(
          { ...ctx, ms: Date.now() - started, outcome: 'failed', err },
          `job ${job.name} failed`,
        );
      }
      throw err;
    }
  }

  /** Redis errors (a lost lock after a flush, a dropped connection) are logged, never thrown. */
  @OnWorkerEvent('error')
  onWorkerError(err: Error): void {
    this.logger.warn({ err: { message: err.message } }, `worker error: ${err.message}`);
  }
}
