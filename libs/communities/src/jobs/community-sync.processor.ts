import { Processor } from '@nestjs/bullmq';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Job } from 'bullmq';
import { CommunitySyncService } from '../sync/community-sync.service';
import { CommunitySyncJob, CommunitySyncQueue } from './communities.queue';

/** Thin: the sync service claims the run and pages through WeCom's groups. */
@Processor(CommunitySyncQueue.name, { concurrency: 2 })
export class CommunitySyncProcessor extends SiyuWorkerHost<CommunitySyncJob> {
  constructor(private readonly sync: CommunitySyncService) {
    super();
  }

  handle(job: Job<CommunitySyncJob>, token?: string): Promise<string> {
    return this.sync.process(job.data.runId, job, token);
  }
}
