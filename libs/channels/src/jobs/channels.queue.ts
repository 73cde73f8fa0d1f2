import { defineQueue, jobId } from '@siyu/platform';

/** One stored WeCom callback event to hand to its handlers. */
export interface WecomEventJob {
  eventId: string;
  brandId: string;
}

export const WecomEventsQueue = defineQueue<WecomEventJob>('channel-wecom-events', {
  attempts: 5,
  backoff: { type: 'exponential', delay: 2_000, jitter: 0.5 },
});

export const WECOM_EVENT_JOB = 'wecom-event';
export const wecomEventJobId = (eventId: string) => jobId('wecom-event', eventId);
