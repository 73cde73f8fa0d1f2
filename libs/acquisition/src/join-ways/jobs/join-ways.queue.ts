import { defineQueue, jobId } from '@siyu/platform';

/** Check one join way's groups and roll it over to the next ones if some are full. */
export interface JoinWayCheckJob {
  brandId: string;
  joinWayId: string;
}

export const JoinWaysQueue = defineQueue<JoinWayCheckJob | Record<string, never>>('acquisition-join-ways', {
  attempts: 6,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
});

export const JOIN_WAY_CHECK_JOB = 'join-way-check';
/** The periodic sweep: join ways whose routed groups filled by joins that carried no state. */
export const JOIN_WAY_SWEEP_JOB = 'join-way-sweep';
export const JOIN_WAY_SWEEP_SCHEDULER_ID = 'join-way-sweep';
export const JOIN_WAY_SWEEP_EVERY_MS = 60_000;
/** A check waits this long so the callback's transaction (which also updates member counts) has committed. */
export const JOIN_WAY_CHECK_DELAY_MS = 500;
export const joinWayCheckJobId = (joinWayId: string, eventId: string) =>
  jobId('join-way-check', joinWayId, eventId);
