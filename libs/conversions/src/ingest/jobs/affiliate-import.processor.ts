import { Processor } from '@nestjs/bullmq';
import { SiyuWorkerHost, WorkJob } from '@siyu/platform';
import type { Job } from 'bullmq';
import { AffiliateImportsService } from '../affiliate/affiliate-imports.service';
import { AffiliateImportQueue } from './ingest.queue';

/** Thin: the service claims the work item and applies the report batch by batch. */
@Processor(AffiliateImportQueue.name, { concurrency: 2 })
export class AffiliateImportProcessor extends SiyuWorkerHost<WorkJob> {
  constructor(private readonly imports: AffiliateImportsService) {
    super();
  }

  handle(job: Job<WorkJob>, token?: string): Promise<unknown> {
    return this.imports.processJob(job, token);
  }
}
