import { defineQueue, jobId, WorkJob } from '@siyu/platform';

/**
 * The coupons queue: `batch` jobs are work items naming a coupon_batches row (bulk codes, an issue
 * to a segment); `expire` is the job scheduler's tick that expires codes past their window.
 */
export type CouponsJob = WorkJob | { tick: 'expire' };

export const CouponsQueue = defineQueue<CouponsJob>('coupons', {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
  removeOnComplete: { age: 3_600, count: 1_000 },
});

export const COUPON_BATCH_JOB = 'batch';
export const COUPON_EXPIRE_JOB = 'expire';
export const COUPON_EXPIRY_SCHEDULER = jobId('coupons', 'expiry');
/** How often the expiry tick runs. */
export const COUPON_EXPIRY_EVERY_MS = 5 * 60_000;
