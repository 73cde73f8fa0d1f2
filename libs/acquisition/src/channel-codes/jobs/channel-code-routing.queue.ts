import { defineQueue, jobId } from '@siyu/platform';

/** Re-route one channel code: recompute its staff list and re-issue update_contact_way if it moved. */
export interface ChannelCodeRoutingJob {
  codeId: string;
  brandId: string;
}

/**
 * Completed jobs are removed at once, so `route-<codeId>` coalesces the requests made while one
 * waits (many adds in a burst) and the next request after it ran is a new job.
 */
export const ChannelCodeRoutingQueue = defineQueue<ChannelCodeRoutingJob>('acquisition-routing', {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: true,
});

export const CHANNEL_CODE_ROUTE_JOB = 'channel-code-route';
/** The periodic job that re-routes every code whose list can move with time (schedules, caps at midnight). */
export const CHANNEL_CODE_ROUTE_DUE_JOB = 'channel-code-route-due';
export const CHANNEL_CODE_ROUTE_SCHEDULER_ID = 'channel-code-route-due';
export const CHANNEL_CODE_ROUTE_EVERY_MS = 60_000;
export const channelCodeRouteJobId = (codeId: string) => jobId('route', codeId);
