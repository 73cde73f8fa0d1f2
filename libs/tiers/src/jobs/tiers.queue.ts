import { defineQueue, WorkJob } from '@siyu/platform';

/** A scheduled or caught-up re-evaluation names its brand; an on-demand one is a work item. */
export type TierScheduledJob = { brandId: string };
export type TierJob = TierScheduledJob | WorkJob;

/**
 * Tier re-evaluations. Three job names: `scheduled` (the per-brand BullMQ job scheduler, whose truth
 * is the tier_ladders row), `catch-up` (a slot the scheduler missed, re-derived from
 * tier_ladders.last_evaluated_at by the reconcile pass) and `reevaluate` (an operator's on-demand
 * run, a durable work item).
 */
export const TiersQueue = defineQueue<TierJob>('tiers', {
  attempts: 3,
  backoff: { type: 'exponential', delay: 30_000, jitter: 0.5 },
  removeOnComplete: { age: 7 * 24 * 3_600, count: 1_000 },
});
export const TIER_SCHEDULED_JOB = 'scheduled';
export const TIER_CATCH_UP_JOB = 'catch-up';
export const TIER_REEVALUATE_JOB = 'reevaluate';
