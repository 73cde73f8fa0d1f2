import { defineQueue, WorkJob } from '@siyu/platform';

/** Durable segment work (work items): RFM recomputes and cached-count refreshes. */
export const SegmentsQueue = defineQueue<WorkJob>('segments', {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
});
export const RFM_RECOMPUTE_JOB = 'rfm-recompute';
export const SEGMENT_COUNT_REFRESH_JOB = 'segment-count-refresh';

export interface RfmRecomputePayload {
  brandId: string;
  trigger: 'nightly' | 'manual';
}

export interface SegmentCountRefreshPayload {
  brandId: string;
  /** One segment, or every segment of the brand when absent. */
  segmentId?: string;
}

/** What the nightly per-brand job scheduler fires: it only turns into a durable work item. */
export interface RfmTick {
  brandId: string;
}

/** The per-brand nightly job schedulers (cron in the brand's time zone). */
export const RfmScheduleQueue = defineQueue<RfmTick>('segments-rfm-schedule', {
  attempts: 3,
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 1_000 },
});
export const RFM_TICK_JOB = 'rfm-nightly';
export const rfmSchedulerId = (brandId: string) => `rfm-${brandId}`;
