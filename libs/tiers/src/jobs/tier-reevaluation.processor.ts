import { Processor } from '@nestjs/bullmq';
import { SiyuWorkerHost, WorkJob, WorkService } from '@siyu/platform';
import type { Job } from 'bullmq';
import { TierEvaluationService } from '../tier-evaluation.service';
import { TIER_CATCH_UP_JOB, TIER_REEVALUATE_JOB, TierJob, TierScheduledJob, TiersQueue } from './tiers.queue';

/**
 * Thin: scheduled and caught-up runs re-evaluate the brand unless a run already covered the slot;
 * an on-demand run claims its work item and evaluates in the transaction that marks it done.
 */
@Processor(TiersQueue.name, { concurrency: 2 })
export class TierReevaluationProcessor extends SiyuWorkerHost<TierJob> {
  constructor(
    private readonly evaluation: TierEvaluationService,
    private readonly work: WorkService,
  ) {
    super();
  }

  handle(job: Job<TierJob>, token?: string): Promise<unknown> {
    if (job.name === TIER_REEVALUATE_JOB) {
      return this.work.run(job as Job<WorkJob>, token, (item, m) =>
        this.evaluation.reevaluateIn(m, item.brandId as string, new Date(), {
          trigger: 'manual',
          workItemId: item.id,
        }),
      );
    }
    // A scheduler's job may start a moment before its slot by the clock: evaluate at the slot at least.
    const due = job.timestamp + (job.opts.delay ?? 0);
    return this.evaluation.reevaluate(
      (job.data as TierScheduledJob).brandId,
      new Date(Math.max(Date.now(), due)),
      {
        trigger: job.name === TIER_CATCH_UP_JOB ? 'catch_up' : 'scheduled',
        onlyIfDue: true,
      },
    );
  }
}
