import { Processor } from '@nestjs/bullmq';
import { SiyuWorkerHost } from '@siyu/platform';
import type { Job } from 'bullmq';
import { RfmService } from '../rfm.service';
import { lastNightlyRun } from './rfm.scheduler';
import { RfmScheduleQueue, RfmTick } from './segments.queue';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Thin: a scheduler tick becomes the brand's durable nightly work item (one per local day). */
@Processor(RfmScheduleQueue.name, { concurrency: 4 })
export class RfmTickProcessor extends SiyuWorkerHost<RfmTick> {
  constructor(
    private readonly rfm: RfmService,
    @InjectDataSource() private readonly ds: DataSource,
  ) {
    super();
  }

  async handle(job: Job<RfmTick>): Promise<unknown> {
    const [brand]: Array<{ time_zone: string }> = await this.ds.query(
      `SELECT time_zone FROM brands WHERE id = $1`,
      [job.data.brandId],
    );
    if (!brand) return { skipped: 'brand-gone' };
    const { day } = lastNightlyRun(new Date(job.processedOn ?? Date.now()), brand.time_zone);
    const item = await this.rfm.enqueueNightly(job.data.brandId, day);
    return { workItemId: item.id, status: item.status };
  }
}
