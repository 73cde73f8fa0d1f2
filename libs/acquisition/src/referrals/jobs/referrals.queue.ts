import { defineQueue } from '@siyu/platform';

/** The periodic settlement of invitees whose retention window passed (no data: it reads Postgres). */
export const ReferralsQueue = defineQueue<Record<string, never>>('acquisition-referrals', {
  attempts: 3,
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 100 },
});

export const REFERRAL_SETTLE_JOB = 'referral-settle';
export const REFERRAL_SETTLE_SCHEDULER_ID = 'referral-settle';
export const REFERRAL_SETTLE_EVERY_MS = 60_000;
