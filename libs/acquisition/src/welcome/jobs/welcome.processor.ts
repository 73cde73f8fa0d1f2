import { Processor } from '@nestjs/bullmq';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Job } from 'bullmq';
import { WELCOME_CONCURRENCY } from '../welcome.constants';
import { WelcomeOutcome, WelcomeService } from '../welcome.service';
import { WelcomeJob, WelcomeQueue } from './welcome.queue';

/** Next exponential delay BullMQ will wait (for the service's "is there time left" check). */
const nextDelay = (job: Job) => {
  const b = job.opts.backoff;
  const base = typeof b === 'object' && b?.delay ? b.delay : 300;
  return base * 2 ** job.attemptsMade;
};

/** Thin: the service claims the welcome, sends it and records the outcome; `retry` throws for BullMQ. */
@Processor(WelcomeQueue.name, { concurrency: WELCOME_CONCURRENCY })
export class WelcomeProcessor extends SiyuWorkerHost<WelcomeJob, WelcomeOutcome> {
  constructor(private readonly welcomes: WelcomeService) {
    super();
  }

  async handle(job: Job<WelcomeJob>): Promise<WelcomeOutcome> {
    const outcome = await this.welcomes.send(job.data.welcomeId, job.attemptsMade + 1, nextDelay(job));
    if (outcome === 'retry') throw new Error(`welcome ${job.data.welcomeId}: transient failure, retrying`);
    return outcome;
  }
}
