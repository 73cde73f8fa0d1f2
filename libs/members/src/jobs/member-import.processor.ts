import { Processor } from '@nestjs/bullmq';
import { SiyuWorkerHost, WorkJob } from '@siyu/platform';
import type { Job } from 'bullmq';
import { MemberImportsService } from '../member-imports.service';
import { MemberImportQueue } from './members.queue';

/** Thin: the service claims the work item and applies the import in one transaction. */
@Processor(MemberImportQueue.name, { concurrency: 2 })
export class MemberImportProcessor extends SiyuWorkerHost<WorkJob> {
  constructor(private readonly imports: MemberImportsService) {
    super();
  }

  handle(job: Job<WorkJob>, token?: string): Promise<unknown> {
    return this.imports.processJob(job, token);
  }
}
