import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { WecomCallbackEvent, WecomEventRegistry } from '@siyu/channels';
import { AfterCommit } from '@siyu/platform';
import type { Queue } from 'bullmq';
import { EntityManager } from 'typeorm';
import { eventTime, text } from '../common/callback-fields';
import { ChurnEndedBy } from './churn.constants';
import { CHURN_ALERT_JOB, churnAlertJobId, ChurnAlertsQueue } from './jobs/churn.queue';

type Raw = Record<string, unknown>;

export const CHURN_EVENTS_HANDLER = 'acquisition.churn';

/**
 * `change_external_contact` del_external_contact (the staff member deleted the customer) and
 * del_follow_user (the customer deleted the staff member): the loss is kept as a churn event (with
 * the contact way's state the customer had come through), and the brand's configured alerts are
 * written as rows in the same transaction, then queued after the commit, in one Redis call (the
 * reconciler re-adds a job Redis lost). The same event again finds its churn event and adds nothing.
 */
@Injectable()
export class ChurnEventsHandler implements OnModuleInit {
  private readonly logger = new Logger(ChurnEventsHandler.name);

  constructor(
    private readonly registry: WecomEventRegistry,
    @InjectQueue(ChurnAlertsQueue.name) private readonly queue: Queue,
    private readonly afterCommit: AfterCommit,
  ) {}

  onModuleInit(): void {
    this.registry.on('change_external_contact', (e, m) => this.handle(e, m), CHURN_EVENTS_HANDLER);
  }

  async handle(event: WecomCallbackEvent, m: EntityManager): Promise<void> {
    const endedBy: ChurnEndedBy | null =
      event.changeType === 'del_external_contact'
        ? 'staff'
        : event.changeType === 'del_follow_user'
          ? 'customer'
          : null;
    if (!endedBy) return;
    const staff = text(event.fields.UserID);
    const external = text(event.fields.ExternalUserID);
    if (!staff || !external) return;
    const at = eventTime(event);
    const [row]: Raw[] = await m.query(
      `INSERT INTO acquisition_churn_events (brand_id, member_id, staff_userid, external_userid, ended_by, state, occurred_at)
       SELECT $1::uuid,
              (SELECT COALESCE(mm.merged_into, mm.id) FROM (
                 SELECT i.member_id FROM member_identities i
                  WHERE i.brand_id = $1 AND i.kind = 'external_userid' AND i.app_id = '' AND i.value = $3::text
                 UNION ALL
                 SELECT f.member_id FROM community_contact_follows f
                  WHERE f.brand_id = $1 AND f.external_userid = $3::text AND f.member_id IS NOT NULL) x
                 JOIN members mm ON mm.id = x.member_id LIMIT 1),
              $2::text, $3::text, $4::text,
              (SELECT f.state FROM community_contact_follows f JOIN community_staff s ON s.id = f.staff_id
                WHERE f.brand_id = $1 AND s.userid = $2::text AND f.external_userid = $3::text),
              $5::timestamptz
       ON CONFLICT (brand_id, staff_userid, external_userid, occurred_at) DO NOTHING
       RETURNING id`,
      [event.brandId, staff, external, endedBy, at],
    );
    if (!row) return;
    const alerts: Array<{ id: string }> = await m.query(
      `INSERT INTO acquisition_churn_alerts (brand_id, churn_event_id, channel)
       SELECT s.brand_id, $2::bigint, ch.channel
         FROM acquisition_churn_settings s,
              LATERAL (VALUES ('wecom_app', s.app_alerts), ('webhook', s.webhook_url IS NOT NULL)) AS ch(channel, enabled)
        WHERE s.brand_id = $1 AND ch.enabled AND (s.alert_on = 'both' OR $3::text = 'customer')
       ON CONFLICT DO NOTHING RETURNING id`,
      [event.brandId, row.id, endedBy],
    );
    if (alerts.length > 0) await this.afterCommit.run(m, () => this.enqueue(alerts.map((a) => String(a.id))));
  }

  /** After commit, so the job finds its row; a failure is logged and the reconciler re-adds the jobs. */
  private async enqueue(alertIds: string[]): Promise<void> {
    try {
      await this.queue.addBulk(
        alertIds.map((alertId) => ({
          name: CHURN_ALERT_JOB,
          data: { alertId },
          opts: { jobId: churnAlertJobId(alertId) },
        })),
      );
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, alertIds },
        'could not queue churn alerts; the reconciler will',
      );
    }
  }
}
