import { Processor } from '@nestjs/bullmq';
import { OnApplicationBootstrap } from '@nestjs/common';
import { deferJob } from '@siyu/channels';
import { AppConfig, SiyuWorkerHost } from '@siyu/platform';
import type { Job } from 'bullmq';
import { CampaignEngine, StepResult } from '../campaign-engine.service';
import { CampaignJob, CampaignsQueue } from './campaigns.queue';

/**
 * Thin: runs the engine step the job names; a step that must wait defers the job (not an attempt).
 * A shorter lock than BullMQ's 30 s default (renewed every half of it while the job runs) lets
 * another worker take over a dead worker's chunk within ~20 s rather than a minute; the rows
 * themselves are guarded by their own lease (CAMPAIGN_SEND_LEASE_MS).
 */
@Processor(CampaignsQueue.name, { concurrency: 4, lockDuration: 15_000, stalledInterval: 5_000 })
export class CampaignProcessor extends SiyuWorkerHost<CampaignJob, string> implements OnApplicationBootstrap {
  constructor(
    private readonly engine: CampaignEngine,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.get('CAMPAIGN_WORKER_CONCURRENCY');
  }

  async handle(job: Job<CampaignJob>, token?: string): Promise<string> {
    const result = await this.step(job.data);
    if (result.kind === 'wait' && token) await deferJob(job, token, result.at.getTime() - Date.now());
    return result.note;
  }

  private step(d: CampaignJob): Promise<StepResult> {
    switch (d.kind) {
      case 'start':
        return this.engine.start(d.campaignId, d.version);
      case 'chunk':
        return this.engine.processChunk(d.campaignId, d.chunkId);
      case 'collect':
        return this.engine.collect(d.campaignId, d.taskId);
      case 'finalize':
        return this.engine.finalize(d.campaignId);
    }
  }
}
