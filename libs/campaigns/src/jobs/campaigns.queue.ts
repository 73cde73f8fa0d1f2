import { defineQueue, jobId } from '@siyu/platform';

/**
 * The campaign engine's jobs; each names rows, never carries content:
 * - `start` {campaignId, version}: at the scheduled time, snapshot the audience and open the chunks;
 * - `chunk` {campaignId, chunkId}: claim, check, render, send and record a chunk's rows;
 * - `collect` {campaignId, taskId}: poll a WeCom task's per-recipient results until final;
 * - `finalize` {campaignId}: after a cancel, cancel what is unsent (and the WeCom tasks).
 */
export type CampaignJob =
  | { kind: 'start'; campaignId: string; version: number }
  | { kind: 'chunk'; campaignId: string; chunkId: string }
  | { kind: 'collect'; campaignId: string; taskId: string }
  | { kind: 'finalize'; campaignId: string };

export const CampaignsQueue = defineQueue<CampaignJob>('campaigns', {
  attempts: 10,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  removeOnComplete: { age: 3_600, count: 10_000 },
});

export const campaignJobId = (job: CampaignJob, round = 0): string => {
  switch (job.kind) {
    case 'start':
      return jobId('campaign-start', job.campaignId, `v${job.version}`);
    case 'chunk':
      return jobId('campaign-chunk', job.chunkId, `r${round}`);
    case 'collect':
      return jobId('campaign-task', job.taskId, `r${round}`);
    case 'finalize':
      return jobId('campaign-finalize', job.campaignId, `r${round}`);
  }
};
