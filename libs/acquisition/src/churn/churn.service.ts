import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, decodeCursor, Page, toPage, ValidationException } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { ChurnSecrets } from './churn-secrets';
import type {
  ChurnEventResponseDto,
  ChurnRateRowDto,
  ChurnRatesResponseDto,
  ChurnSettingsPutDto,
  ChurnSettingsResponseDto,
} from './dto/churn.dto';

type Raw = Record<string, unknown>;

const DAY_MS = 86_400_000;

const rate = (lost: number, base: number): string | null => (base > 0 ? (lost / base).toFixed(4) : null);

/** Churn settings (audited), the churn events with their alerts, and churn rates over a period. */
@Injectable()
export class ChurnService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly secrets: ChurnSecrets,
  ) {}

  async settings(brandId: string): Promise<ChurnSettingsResponseDto> {
    const [r]: Raw[] = await this.ds.query(`SELECT * FROM acquisition_churn_settings WHERE brand_id = $1`, [
      brandId,
    ]);
    return {
      appAlerts: (r?.app_alerts as boolean | undefined) ?? false,
      agentId: r?.agent_id === null || r?.agent_id === undefined ? null : Number(r.agent_id),
      webhookUrl: (r?.webhook_url as string | null | undefined) ?? null,
      webhookSecretSet: !!r?.webhook_secret_sealed,
      alertOn: (r?.alert_on as string | undefined) ?? 'customer',
    };
  }

  async putSettings(actor: Actor, dto: ChurnSettingsPutDto): Promise<ChurnSettingsResponseDto> {
    return this.ds.transaction(async (m) => {
      const [before]: Raw[] = await m.query(
        `SELECT * FROM acquisition_churn_settings WHERE brand_id = $1 FOR UPDATE`,
        [actor.brandId],
      );
      const webhookUrl =
        dto.webhookUrl === undefined ? ((before?.webhook_url as string | null) ?? null) : dto.webhookUrl;
      const urlChanged = webhookUrl !== ((before?.webhook_url as string | null) ?? null);
      let sealed: string | null = (before?.webhook_secret_sealed as string | null) ?? null;
      if (dto.webhookSecret !== undefined)
        sealed = this.secrets.seal(dto.webhookSecret, `churn-webhook/${actor.brandId}`);
      if (webhookUrl === null) sealed = null;
      else if (!sealed || (urlChanged && dto.webhookSecret === undefined))
        throw new ValidationException([
          { field: 'webhookSecret', message: 'a webhook needs its signing secret (16–200 characters)' },
        ]);
      const agentId = dto.agentId ?? (before?.agent_id as number | null) ?? null;
      await m.query(
        `INSERT INTO acquisition_churn_settings (brand_id, app_alerts, agent_id, webhook_url, webhook_secret_sealed, alert_on)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (brand_id) DO UPDATE SET app_alerts = EXCLUDED.app_alerts, agent_id = EXCLUDED.agent_id,
           webhook_url = EXCLUDED.webhook_url, webhook_secret_sealed = EXCLUDED.webhook_secret_sealed,
           alert_on = EXCLUDED.alert_on, updated_at = now()`,
        [
          actor.brandId,
          dto.appAlerts,
          agentId,
          webhookUrl,
          sealed,
          dto.alertOn ?? (before?.alert_on as string | undefined) ?? 'customer',
        ],
      );
      const view = {
        appAlerts: dto.appAlerts,
        agentId,
        webhookUrl,
        webhookSecretSet: sealed !== null,
        alertOn: dto.alertOn ?? (before?.alert_on as string | undefined) ?? 'customer',
      };
      await this.audit.record(m, actor, {
        action: 'acquisition.churn_settings.put',
        entityType: 'acquisition_churn_settings',
        entityId: actor.brandId,
        before: before
          ? {
              appAlerts: before.app_alerts,
              agentId: before.agent_id,
              webhookUrl: before.webhook_url,
              webhookSecretSet: !!before.webhook_secret_sealed,
              alertOn: before.alert_on,
            }
          : null,
        after: { ...view, webhookSecretChanged: dto.webhookSecret !== undefined },
      });
      return view;
    });
  }

  async events(brandId: string, limit: number, cursor?: string): Promise<Page<ChurnEventResponseDto>> {
    const after = decodeCursor(cursor, 1) as [string] | null;
    const params: unknown[] = [brandId, limit + 1];
    if (after) params.push(after[0]);
    const rows: Raw[] = await this.ds.query(
      `SELECT e.*, COALESCE((SELECT json_agg(json_build_object('channel', a.channel, 'status', a.status, 'attempts', a.attempts,
                'lastError', a.last_error, 'sentAt', a.sent_at) ORDER BY a.channel)
                FROM acquisition_churn_alerts a WHERE a.churn_event_id = e.id), '[]') AS alerts
         FROM acquisition_churn_events e
        WHERE e.brand_id = $1 ${after ? 'AND e.id < $3::bigint' : ''}
        ORDER BY e.id DESC LIMIT $2`,
      params,
    );
    return toPage(
      rows,
      limit,
      (r) => [String(r.id)],
      (r) => ({
        id: String(r.id),
        memberId: (r.member_id as string | null) ?? null,
        staffUserid: r.staff_userid as string,
        externalUserid: r.external_userid as string,
        endedBy: r.ended_by as string,
        state: (r.state as string | null) ?? null,
        occurredAt: r.occurred_at as Date,
        alerts: (r.alerts as ChurnEventResponseDto['alerts']).map((a) => ({
          ...a,
          sentAt: a.sentAt ? new Date(a.sentAt) : null,
        })),
      }),
    );
  }

  /**
   * Churn over [from, to) per staff member or per contact-way state: lost (churn events in the
   * period, by who ended it) over the base (relationships active at `from` plus those added in the
   * period, from community_contact_follows).
   */
  async rates(
    brandId: string,
    q: { by: 'staff' | 'state'; from?: string; to?: string },
  ): Promise<ChurnRatesResponseDto> {
    const to = q.to ? new Date(q.to) : new Date();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * DAY_MS);
    if (from >= to) throw new ValidationException([{ field: 'from', message: 'from must be before to' }]);
    const key = q.by === 'staff' ? 's.userid' : `COALESCE(f.state, '')`;
    const eventKey = q.by === 'staff' ? 'e.staff_userid' : `COALESCE(e.state, '')`;
    const rows: Raw[] = await this.ds.query(
      `WITH base AS (
         SELECT ${key} AS key,
                count(*) FILTER (WHERE f.added_at < $2 AND (f.ended_at IS NULL OR f.ended_at >= $2))::int AS active_at_start,
                count(*) FILTER (WHERE f.added_at >= $2 AND f.added_at < $3)::int AS added
           FROM community_contact_follows f JOIN community_staff s ON s.id = f.staff_id
          WHERE f.brand_id = $1
          GROUP BY 1),
       lost AS (
         SELECT ${eventKey} AS key, count(*)::int AS lost,
                count(*) FILTER (WHERE e.ended_by = 'customer')::int AS by_customer,
                count(*) FILTER (WHERE e.ended_by = 'staff')::int AS by_staff
           FROM acquisition_churn_events e
          WHERE e.brand_id = $1 AND e.occurred_at >= $2 AND e.occurred_at < $3
          GROUP BY 1)
       SELECT COALESCE(b.key, l.key) AS key, COALESCE(b.active_at_start, 0) AS active_at_start, COALESCE(b.added, 0) AS added,
              COALESCE(l.lost, 0) AS lost, COALESCE(l.by_customer, 0) AS by_customer, COALESCE(l.by_staff, 0) AS by_staff
         FROM base b FULL JOIN lost l ON l.key = b.key
        ORDER BY 1`,
      [brandId, from, to],
    );
    const out: ChurnRateRowDto[] = rows
      .map((r) => {
        const activeAtStart = Number(r.active_at_start);
        const added = Number(r.added);
        const lost = Number(r.lost);
        return {
          key: r.key as string,
          activeAtStart,
          added,
          lost,
          lostByCustomer: Number(r.by_customer),
          lostByStaff: Number(r.by_staff),
          churnRate: rate(lost, activeAtStart + added),
        };
      })
      .filter((r) => r.activeAtStart + r.added + r.lost > 0);
    const sum = (k: 'activeAtStart' | 'added' | 'lost' | 'lostByCustomer' | 'lostByStaff') =>
      out.reduce((a, r) => a + r[k], 0);
    const total: ChurnRateRowDto = {
      key: '*',
      activeAtStart: sum('activeAtStart'),
      added: sum('added'),
      lost: sum('lost'),
      lostByCustomer: sum('lostByCustomer'),
      lostByStaff: sum('lostByStaff'),
      churnRate: rate(sum('lost'), sum('activeAtStart') + sum('added')),
    };
    return { from, to, by: q.by, rows: out, total };
  }
}
