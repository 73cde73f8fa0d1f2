import { defineQueue, WorkJob } from '@siyu/platform';

/** Member CSV imports: one durable work item per upload; the job carries only its id. */
export const MemberImportQueue = defineQueue<WorkJob>('member-imports', {
  attempts: 3,
  backoff: { type: 'exponential', delay: 5_000, jitter: 0.5 },
});
export const MEMBER_IMPORT_JOB = 'member-import';
