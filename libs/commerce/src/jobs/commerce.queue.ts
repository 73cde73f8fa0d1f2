import { defineQueue } from '@siyu/platform';

/**
 * Commerce housekeeping: the periodic sweep that matches unmatched orders whose identities appeared
 * where the in-transaction matcher could not see them (a race with an import). The job carries no
 * data; the orders and claims are the state.
 */
export const CommerceMaintenanceQueue = defineQueue<Record<string, never>>('commerce-maintenance', {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
});
export const ORDER_MATCH_SWEEP_JOB = 'order-match-sweep';
export const ORDER_MATCH_SWEEP_SCHEDULER_ID = 'order-match-sweep';
/** How often the sweep runs. */
export const ORDER_MATCH_SWEEP_EVERY_MS = 10 * 60_000;
