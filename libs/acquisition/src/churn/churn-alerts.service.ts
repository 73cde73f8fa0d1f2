import { createHmac } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ReconcileRegistry } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { WecomWaysClient } from '../join-ways/wecom-ways.client';
import { CHURN_ALERT_LEASE_MS, CHURN_ALERT_MAX_ATTEMPTS, ChurnAlertChannel } from './churn.constants';
import { ChurnSecrets } from './churn-secrets';
import { CHURN_ALERT_JOB, churnAlertJobId, ChurnAlertsQueue, ChurnAlertJob } from './jobs/churn.queue';

type Raw = Record<string, unknown>;

const WEBHOOK_TIMEOUT_MS = 5_000;

/** A failure the next attempt may not repeat (network, 5xx, 429, WeCom busy). */
class RetryableAlertError extends Error {}

/** The webhook's signature: hex HMAC-SHA256 of `<timestamp>.<body>` under the brand's secret. */
export function churnWebhookSignature(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export type ChurnAlertOutcome = 'sent' | 'failed' | 'skipped';

/**
 * Sends churn alerts: the worker claims the alert row (only one worker holds it), sends it by its
 * channel and records the outcome. A retryable failure puts the row back to pending and throws (BullMQ
 * retries with backoff); a permanent one, or the last attempt, marks it failed with the reason.
 * The webhook carries `x-siyu-delivery` (the alert id) so a receiver can drop a repeat.
 */
@Injectable()
export class ChurnAlertsService implements OnModuleInit {
  private readonly logger = new Logger(ChurnAlertsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly wecom: WecomWaysClient,
    private readonly secrets: ChurnSecrets,
    private readonly reconcile: ReconcileRegistry,
  ) {}

  onModuleInit(): void {
    this.reconcile.register({
      name: 'acquisition_churn_alerts',
      pending: async (cursor, limit) => {
        const rows: Array<{ id: string }> = await this.ds.query(
          `SELECT id FROM acquisition_churn_alerts
            WHERE (status = 'pending' OR (status = 'sending' AND locked_until < now())) AND id > $1
            ORDER BY id LIMIT $2`,
          [cursor ?? '0', limit],
        );
        return {
          jobs: rows.map((r) => ({
            queue: ChurnAlertsQueue.name,
            name: CHURN_ALERT_JOB,
            jobId: churnAlertJobId(String(r.id)),
            data: { alertId: String(r.id) } satisfies ChurnAlertJob,
          })),
          next: rows.length === limit ? String(rows[rows.length - 1].id) : null,
        };
      },
    });
  }

  async process(alertId: string): Promise<ChurnAlertOutcome> {
    const [claimed]: Raw[][] = await this.ds.query(
      `UPDATE acquisition_churn_alerts SET status = 'sending', attempts = attempts + 1, updated_at = now(),
              locked_until = now() + make_interval(secs => $2::double precision)
        WHERE id = $1 AND (status = 'pending' OR (status = 'sending' AND locked_until < now()))
        RETURNING *`,
      [alertId, CHURN_ALERT_LEASE_MS / 1000],
    );
    const alert = claimed?.[0];
    if (!alert) {
      const rows: unknown[] = await this.ds.query(`SELECT 1 FROM acquisition_churn_alerts WHERE id = $1`, [
        alertId,
      ]);
      // Queued from inside the callback's transaction: the row may not be committed yet.
      if (rows.length === 0) throw new Error(`churn alert ${alertId} is not committed yet`);
      return 'skipped';
    }
    const [event]: Raw[] = await this.ds.query(
      `SELECT e.*, m.nickname, s.agent_id, s.webhook_url, s.webhook_secret_sealed
         FROM acquisition_churn_events e
         LEFT JOIN members m ON m.id = e.member_id
         LEFT JOIN acquisition_churn_settings s ON s.brand_id = e.brand_id
        WHERE e.id = $1`,
      [alert.churn_event_id],
    );
    try {
      await this.send(alert.channel as ChurnAlertChannel, alertId, event);
      await this.ds.query(
        `UPDATE acquisition_churn_alerts SET status = 'sent', sent_at = now(), locked_until = NULL, last_error = NULL, updated_at = now()
          WHERE id = $1`,
        [alertId],
      );
      return 'sent';
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
      const retry = err instanceof RetryableAlertError && Number(alert.attempts) < CHURN_ALERT_MAX_ATTEMPTS;
      await this.ds.query(
        `UPDATE acquisition_churn_alerts SET status = $2, last_error = $3, locked_until = NULL, updated_at = now() WHERE id = $1`,
        [alertId, retry ? 'pending' : 'failed', message],
      );
      if (retry) throw err;
      this.logger.warn({ alertId, err: message }, 'churn alert failed');
      return 'failed';
    }
  }

  private async send(channel: ChurnAlertChannel, alertId: string, e: Raw): Promise<void> {
    const who = (e.nickname as string | null) ?? (e.external_userid as string);
    const when = (e.occurred_at as Date).toISOString();
    if (channel === 'wecom_app') {
      if (e.agent_id === null || e.agent_id === undefined)
        throw new Error('app alerts are on but no agentId is set');
      const content =
        e.ended_by === 'customer'
          ? `客户「${who}」在 ${when} 删除了你。来源渠道: ${(e.state as string | null) ?? '—'}`
          : `你在 ${when} 删除了客户「${who}」。`;
      const res = await this.wecom.sendAppText(
        e.brand_id as string,
        Number(e.agent_id),
        [e.staff_userid as string],
        content,
      );
      if (!res.ok) {
        const msg = `message/send: ${res.failure.errcode ?? ''} ${res.failure.errmsg}`;
        throw res.failure.class === 'permanent' ? new Error(msg) : new RetryableAlertError(msg);
      }
      return;
    }
    if (!e.webhook_url || !e.webhook_secret_sealed)
      throw new Error('the webhook was removed from the settings');
    const secret = this.secrets.open(
      e.webhook_secret_sealed as string,
      `churn-webhook/${e.brand_id as string}`,
    );
    const body = JSON.stringify({
      type: 'contact.lost',
      deliveryId: `churn-alert-${alertId}`,
      brandId: e.brand_id,
      memberId: e.member_id ?? null,
      staffUserid: e.staff_userid,
      externalUserid: e.external_userid,
      endedBy: e.ended_by,
      state: e.state ?? null,
      occurredAt: when,
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    let res: Response;
    try {
      res = await fetch(e.webhook_url as string, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-siyu-delivery': `churn-alert-${alertId}`,
          'x-siyu-timestamp': timestamp,
          'x-siyu-signature': `sha256=${churnWebhookSignature(secret, timestamp, body)}`,
        },
        body,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
    } catch (err) {
      throw new RetryableAlertError(`webhook: ${(err as Error).message}`);
    }
    if (res.ok) return;
    const msg = `webhook answered HTTP ${res.status}`;
    throw res.status >= 500 || res.status === 429 ? new RetryableAlertError(msg) : new Error(msg);
  }
}
