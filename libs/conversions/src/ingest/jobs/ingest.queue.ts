import { defineQueue, WorkJob } from '@siyu/platform';

/** Affiliate report imports: one durable work item per upload; the job carries only its id. */
export const AffiliateImportQueue = defineQueue<WorkJob>('affiliate-imports', {
  attempts: 5,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
});
export const AFFILIATE_IMPORT_JOB = 'affiliate-import';
