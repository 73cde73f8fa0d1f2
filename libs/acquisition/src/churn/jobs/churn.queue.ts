import { defineQueue, jobId } from '@siyu/platform';
import { CHURN_ALERT_MAX_ATTEMPTS } from '../churn.constants';

/** One churn alert to send: the row id (the row holds the channel, status and attempts). */
export interface ChurnAlertJob {
  alertId: string;
}

export const ChurnAlertsQueue = defineQueue<ChurnAlertJob>('acquisition-churn-alerts', {
  attempts: CHURN_ALERT_MAX_ATTEMPTS,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
});

export const CHURN_ALERT_JOB = 'churn-alert';
export const churnAlertJobId = (alertId: string) => jobId('churn-alert', alertId);
