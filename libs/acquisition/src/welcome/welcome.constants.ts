export const WELCOME_STATUSES = [
  'pending',
  'sending',
  'sent',
  'expired',
  'already_chatted',
  'failed',
] as const;
export type WelcomeStatus = (typeof WELCOME_STATUSES)[number];

/** WeCom's WelcomeCode may be used this long after the add event. */
export const WELCOME_WINDOW_MS = 20_000;
/** A claim older than this is another worker's that died; the row may be claimed again. */
export const WELCOME_LEASE_MS = 5_000;
/** Jobs the welcome worker runs at once (its own pool, apart from every other queue's). */
export const WELCOME_CONCURRENCY = 16;
/** How often the worker looks for pending welcomes whose job is gone (a Redis flush). */
export const WELCOME_SWEEP_MS = 2_000;
/**
 * Connections of the welcome path's own pool (claim and outcome writes), apart from the shared pool
 * that campaign and callback-event transactions hold: a welcome never waits for one of those.
 */
export const WELCOME_POOL_SIZE = 3;
