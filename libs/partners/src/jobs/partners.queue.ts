import { defineQueue } from '@siyu/platform';

/** The partner programme's periodic work; jobs carry no data (each reads Postgres for what is due). */
export const PartnersMaintenanceQueue = defineQueue<Record<string, never>>('partners-maintenance');

/** Approve pending commissions whose holding period has passed. */
export const PARTNER_APPROVE_JOB = 'partner-commissions-approve';
/** Release or forfeit the gated uplifts of windows that have closed. */
export const PARTNER_UPLIFTS_JOB = 'partner-uplifts-close';
/** Promote and demote partners by their tiers' rules. */
export const PARTNER_TIERS_JOB = 'partner-tiers-evaluate';

/** Scheduler id → (job name, every ms). */
export const PARTNER_SCHEDULES: ReadonlyArray<[string, number]> = [
  [PARTNER_APPROVE_JOB, 10 * 60_000],
  [PARTNER_UPLIFTS_JOB, 10 * 60_000],
  [PARTNER_TIERS_JOB, 60 * 60_000],
];
