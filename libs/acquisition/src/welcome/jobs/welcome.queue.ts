import { defineQueue, jobId } from '@siyu/platform';

/** One acquisition_welcomes row to send. */
export interface WelcomeJob {
  welcomeId: string;
  brandId: string;
}

/**
 * The welcome's own queue (the priority path): nothing else is on it, and its worker has its own
 * concurrency, so a welcome never waits behind campaign deliveries or the callback-event backlog.
 * Retries are short: the WelcomeCode lives 20 s (the processor stops retrying past it).
 */
export const WelcomeQueue = defineQueue<WelcomeJob>('acquisition-welcome', {
  attempts: 6,
  backoff: { type: 'exponential', delay: 300, jitter: 0.3 },
  removeOnComplete: { age: 600, count: 10_000 },
});

export const WELCOME_JOB = 'welcome';
export const welcomeJobId = (welcomeId: string) => jobId('welcome', welcomeId);
