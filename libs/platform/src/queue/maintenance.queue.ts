import { defineQueue } from './queue-def';

/** Platform housekeeping: the reconciler's scheduled pass. */
export const MaintenanceQueue = defineQueue<Record<string, never>>('platform-maintenance', {
  attempts: 1,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
});
export const RECONCILE_SCHEDULER_ID = 'reconcile';
export const RECONCILE_JOB = 'reconcile';
