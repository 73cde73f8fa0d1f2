import { defineQueue, jobId } from '@siyu/platform';
import { SYNC_MAX_ATTEMPTS } from '../communities.constants';

/** One group sync run to advance: the row id (the run row holds the cursor and progress). */
export interface CommunitySyncJob {
  runId: string;
  brandId: string;
}

export const CommunitySyncQueue = defineQueue<CommunitySyncJob>('community-sync', {
  attempts: SYNC_MAX_ATTEMPTS,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
});

export const COMMUNITY_SYNC_JOB = 'community-sync';

/** The periodic job that starts a sync for every brand due one (no data: it reads the brands). */
export const COMMUNITY_SYNC_DUE_JOB = 'community-sync-due';
export const COMMUNITY_SYNC_DUE_SCHEDULER_ID = 'community-sync-due';
export const communitySyncJobId = (runId: string) => jobId('community-sync', runId);
