import { Processor } from '@nestjs/bullmq';
import { SiyuWorkerHost, WorkJob, WorkService } from '@siyu/platform';
import type { Job } from 'bullmq';
import { SegmentWorkService } from '../segment-work.service';
import { SegmentsQueue } from './segments.queue';

/** Thin: claims the work item and lets the service run it in the item's transaction. */
@Processor(SegmentsQueue.name, { concurrency: 2 })
export class SegmentsProcessor extends SiyuWorkerHost<WorkJob> {
  constructor(
    private readonly work: WorkService,
    private readonly segments: SegmentWorkService,
  ) {
    super();
  }

  handle(job: Job<WorkJob>, token?: string): Promise<unknown> {
    return this.work.run(job, token, (item, m) => this.segments.run(item, m));
  }
}
