import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CampaignProgressService, CampaignsService, instantToLocal } from '@siyu/campaigns';
import type { CampaignStatus } from '@siyu/campaigns';
import { Actor, AuditService, DomainException, systemActor } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { LiveReminder } from './entities/live-reminder.entity';
import { LiveSession } from './entities/live-session.entity';
import { LiveSettings } from './entities/live-settings.entity';
import { LIVE_AUDIENCE, PlannableKind, ReminderKind, ReminderStatus } from './live.constants';
import { CANCEL_TEXT, defaultText, dueAt, PlanItem, renderText } from './reminder-plan';

const planItemOf = (r: LiveReminder): PlanItem => ({
  kind: r.kind as PlannableKind,
  ...(r.minutes !== null ? { minutes: r.minutes } : {}),
});

type CampaignDraft = Parameters<CampaignsService['create']>[1];

/** Campaign states in which a reminder has not been sent yet (its campaign may still move). */
const UNSENT: readonly CampaignStatus[] = ['draft', 'scheduled'];

export interface ReminderView {
  id: string;
  kind: ReminderKind;
  minutes: number | null;
  text: string;
  dueAt: string;
  dueAtLocal: string;
  status: ReminderStatus;
  reason: string | null;
  campaigns: Array<{
    id: string;
    channel: 'wecom_group' | 'wecom_single';
    status: CampaignStatus;
    counts: Record<string, number>;
  }>;
}

/**
 * A session's reminders: each is a row first (due instant, status, reason), then one campaign to the
 * targeted group chats and one 1:1 campaign to the targeted segments (with the RSVPs for "now live"
 * and the cancellation notice), scheduled at the due instant so delivery, quiet hours and caps are
 * the campaigns' own. A reminder whose time has passed is skipped (`time_passed`), never sent late.
 * Moving the session re-plans the unsent ones: their campaigns are unscheduled and cancelled, and new
 * ones are scheduled at the new instants; the ones whose campaigns started stay as sent.
 */
@Injectable()
export class LiveRemindersService {
  private readonly log = new Logger(LiveRemindersService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly campaigns: CampaignsService,
    private readonly progress: CampaignProgressService,
    private readonly audit: AuditService,
  ) {}

  async list(brandId: string, sessionId: string): Promise<LiveReminder[]> {
    return this.ds.getRepository(LiveReminder).find({
      where: { brandId, sessionId },
      order: { position: 'ASC', createdAt: 'ASC' },
    });
  }

  /** Replaces the plan: unsent reminders are withdrawn, the new ones planned (sent ones stay). */
  async replacePlan(actor: Actor, s0: LiveSession, zone: string, items: readonly PlanItem[]): Promise<void> {
    await this.locked(s0, (s) => this.replacePlanLocked(actor, s, zone, items));
  }

  private async replacePlanLocked(
    actor: Actor,
    s: LiveSession,
    zone: string,
    items: readonly PlanItem[],
  ): Promise<void> {
    const current = await this.list(s.brandId, s.id);
    for (const r of current) {
      if (r.status === 'skipped' || r.status === 'failed')
        Object.assign(r, { status: 'cancelled', reason: 'plan_replaced' });
      else if (r.status === 'scheduled') await this.withdraw(actor, r, 'plan_replaced');
      else continue;
      await this.save(r);
    }
    const base = current.reduce((n, r) => Math.max(n, r.position + 1), 0);
    const rows = await this.ds.getRepository(LiveReminder).save(
      items.map((item, i) =>
        this.ds.getRepository(LiveReminder).create({
          brandId: s.brandId,
          sessionId: s.id,
          kind: item.kind,
          minutes: item.kind === 'before_start' || item.kind === 'after_end' ? (item.minutes ?? 60) : null,
          text: item.text ?? defaultText(item.kind),
          position: base + i,
          dueAt: dueAt(item, s.plannedStartAt, s.plannedEndAt, zone),
          status: 'scheduled',
          reason: null,
        }),
      ),
    );
    for (const r of rows) await this.settle(actor, s, zone, r);
  }

  /**
   * The session moved or its audience changed: each reminder not yet sent (scheduled, skipped or
   * failed) gets its new instant and fresh campaigns.
   */
  async replan(actor: Actor, s0: LiveSession, zone: string): Promise<void> {
    await this.locked(s0, (s) => this.replanLocked(actor, s, zone));
  }

  private async replanLocked(actor: Actor, s: LiveSession, zone: string): Promise<void> {
    if (s.status !== 'planned') return;
    for (const r of await this.list(s.brandId, s.id)) {
      if (r.kind === 'cancel_notice' || r.status === 'cancelled' || r.status === 'sent') continue;
      if (r.status === 'scheduled' && !(await this.withdraw(actor, r, 'moved'))) {
        await this.save(r);
        continue;
      }
      r.dueAt = dueAt(planItemOf(r), s.plannedStartAt, s.plannedEndAt, zone);
      await this.settle(actor, s, zone, r);
    }
  }

  /**
   * Finishes reminders a crash left half-planned. A reminder's row is written, then its campaigns
   * are created (one transaction each) and named on the row, then scheduled: a process that dies in
   * between leaves a `scheduled` reminder with no campaign, or with one still a draft, which would
   * never send. Untouched for `staleSeconds` (so an edit in flight is not raced): a reminder with no
   * campaign is planned again; a draft campaign is scheduled at the reminder's instant, or cancelled
   * if that instant has passed (never sent late). Campaigns already scheduled or sending are left
   * as they are, so nothing goes out twice. Runs from the worker every minute; answers how many
   * reminders it repaired.
   */
  async repair(staleSeconds = 60): Promise<number> {
    const rows: Array<{ id: string; session_id: string }> = await this.ds.query(
      `SELECT r.id, r.session_id FROM live_reminders r JOIN live_sessions s ON s.id = r.session_id
        WHERE r.status = 'scheduled' AND s.status IN ('planned', 'live')
          AND r.updated_at < now() - make_interval(secs => $1::double precision)
          AND ((r.group_campaign_id IS NULL AND r.member_campaign_id IS NULL)
               OR EXISTS (SELECT 1 FROM campaigns c
                           WHERE c.id IN (r.group_campaign_id, r.member_campaign_id) AND c.status = 'draft'))
        ORDER BY r.due_at LIMIT 100`,
      [staleSeconds],
    );
    let repaired = 0;
    for (const row of rows) {
      const s0 = await this.ds.getRepository(LiveSession).findOneBy({ id: row.session_id });
      if (!s0) continue;
      const [{ time_zone: zone }]: Array<{ time_zone: string }> = await this.ds.query(
        `SELECT time_zone FROM brands WHERE id = $1`,
        [s0.brandId],
      );
      await this.locked(s0, async (s) => {
        const r = await this.ds.getRepository(LiveReminder).findOneBy({ id: row.id });
        if (!r || r.status !== 'scheduled') return;
        const actor = systemActor(s.brandId);
        const ids = [r.groupCampaignId, r.memberCampaignId].filter((x): x is string => x !== null);
        if (ids.length === 0)
          await this.settle(actor, s, zone, r, { now: s.status === 'live' && r.kind === 'now_live' });
        else await this.scheduleDrafts(actor, s, r, ids);
        repaired++;
      });
    }
    if (repaired > 0) this.log.warn(`repaired ${repaired} half-planned live reminder(s)`);
    return repaired;
  }

  private async scheduleDrafts(actor: Actor, s: LiveSession, r: LiveReminder, ids: string[]): Promise<void> {
    const now = s.status === 'live' && r.kind === 'now_live';
    let started = false;
    for (const id of ids) {
      const c = await this.campaigns.get(r.brandId, id);
      if (c.status !== 'draft') {
        started ||= c.status !== 'cancelled';
        continue;
      }
      if (now || r.dueAt.getTime() > Date.now()) {
        await this.campaigns.schedule(
          actor,
          id,
          now ? {} : { at: instantToLocal(r.dueAt, 'UTC'), timeZone: 'UTC' },
        );
        started = true;
      } else await this.campaigns.cancel(actor, id);
    }
    if (!started) {
      Object.assign(r, { status: 'skipped', reason: 'time_passed' });
      await this.save(r);
    }
  }

  /** The session went live: an unsent "now live" goes now rather than at the planned start. */
  async nowLive(actor: Actor, s0: LiveSession, zone: string): Promise<void> {
    await this.locked(s0, (s) => this.nowLiveLocked(actor, s, zone));
  }

  private async nowLiveLocked(actor: Actor, s: LiveSession, zone: string): Promise<void> {
    if (s.status !== 'live') return;
    for (const r of await this.list(s.brandId, s.id)) {
      if (r.kind !== 'now_live' || r.status !== 'scheduled') continue;
      if (!(await this.withdraw(actor, r, 'started'))) {
        await this.save(r);
        continue;
      }
      r.dueAt = new Date();
      await this.settle(actor, s, zone, r, { now: true });
    }
  }

  /** Cancels every unsent reminder; with `notice`, sends a cancellation notice now. */
  async cancelAll(actor: Actor, s0: LiveSession, zone: string, notice: string | null): Promise<void> {
    await this.locked(s0, (s) => this.cancelAllLocked(actor, s, zone, notice));
  }

  private async cancelAllLocked(
    actor: Actor,
    s: LiveSession,
    zone: string,
    notice: string | null,
  ): Promise<void> {
    const current = await this.list(s.brandId, s.id);
    for (const r of current) {
      if (r.status === 'skipped' || r.status === 'failed') {
        r.status = 'cancelled';
        r.reason = 'session_cancelled';
        await this.save(r);
      } else if (await this.withdraw(actor, r, 'session_cancelled')) await this.save(r);
      else if (r.status === 'scheduled') await this.save(r);
    }
    if (notice === null) return;
    const row = await this.ds.getRepository(LiveReminder).save(
      this.ds.getRepository(LiveReminder).create({
        brandId: s.brandId,
        sessionId: s.id,
        kind: 'cancel_notice',
        minutes: null,
        text: notice,
        position: current.reduce((n, x) => Math.max(n, x.position + 1), 0),
        dueAt: new Date(),
        status: 'scheduled',
        reason: null,
      }),
    );
    await this.settle(actor, s, zone, row, { now: true });
  }

  /** The reminders with their campaigns' progress, times also in the brand's zone. */
  async views(brandId: string, sessionId: string, zone: string): Promise<ReminderView[]> {
    const rows = await this.list(brandId, sessionId);
    const ids = rows.flatMap((r) => [r.groupCampaignId, r.memberCampaignId]).filter((x): x is string => !!x);
    const progress = new Map(
      await Promise.all(ids.map(async (id) => [id, await this.progress.progress(brandId, id)] as const)),
    );
    return rows.map((r) => {
      const campaigns = (
        [
          [r.groupCampaignId, 'wecom_group'],
          [r.memberCampaignId, 'wecom_single'],
        ] as const
      )
        .filter(([id]) => id && progress.has(id))
        .map(([id, channel]) => {
          const p = progress.get(id as string)!;
          return { id: id as string, channel, status: p.status, counts: { ...p.counts } };
        });
      const started = campaigns.some((c) => !UNSENT.includes(c.status) && c.status !== 'cancelled');
      return {
        id: r.id,
        kind: r.kind,
        minutes: r.minutes,
        text: r.text,
        dueAt: r.dueAt.toISOString(),
        dueAtLocal: instantToLocal(r.dueAt, zone),
        status: r.status === 'scheduled' && started ? 'sent' : r.status,
        reason: r.reason,
        campaigns,
      };
    });
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Runs a change of the session's reminders holding its row lock (in a transaction of its own), on
   * the session as it is now: two edits that commit one after the other re-plan one after the other,
   * each from the latest times, instead of interleaving their campaign calls. FOR NO KEY UPDATE, not
   * FOR UPDATE: the reminder rows written meanwhile take FOR KEY SHARE on the session (their foreign
   * key) from other connections, which FOR UPDATE would block forever.
   */
  private async locked(s: LiveSession, fn: (fresh: LiveSession) => Promise<void>): Promise<void> {
    const qr = this.ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      const fresh = await qr.manager
        .getRepository(LiveSession)
        .findOne({ where: { id: s.id, brandId: s.brandId }, lock: { mode: 'for_no_key_update' } });
      if (fresh) await fn(fresh);
      await qr.commitTransaction();
    } catch (err) {
      await qr.rollbackTransaction();
      throw err;
    } finally {
      await qr.release();
    }
  }

  /**
   * Takes an unsent reminder's campaigns back (unschedule, then cancel) and marks it `cancelled`
   * with `reason`. False when one had already started: the reminder is then marked sent instead.
   */
  private async withdraw(actor: Actor, r: LiveReminder, reason: string): Promise<boolean> {
    if (r.status !== 'scheduled') return false;
    const ids = [r.groupCampaignId, r.memberCampaignId].filter((x): x is string => !!x);
    for (const id of ids) {
      const c = await this.campaigns.get(r.brandId, id);
      if (!UNSENT.includes(c.status) && c.status !== 'cancelled') {
        r.status = 'sent';
        return false;
      }
    }
    for (const id of ids) {
      const c = await this.campaigns.get(r.brandId, id);
      try {
        if (c.status === 'scheduled') await this.campaigns.unschedule(actor, id);
        if (c.status !== 'cancelled') await this.campaigns.cancel(actor, id);
      } catch (err) {
        // Its start job won the race: it is sending now, so the reminder went out.
        if (err instanceof DomainException && err.status === 409) {
          r.status = 'sent';
          return false;
        }
        throw err;
      }
    }
    r.status = 'cancelled';
    r.reason = reason;
    return true;
  }

  /** Skips a passed reminder, or creates and schedules its campaigns; records the outcome. */
  private async settle(
    actor: Actor,
    s: LiveSession,
    zone: string,
    r: LiveReminder,
    opts: { now?: boolean } = {},
  ): Promise<void> {
    r.groupCampaignId = null;
    r.memberCampaignId = null;
    r.reason = null;
    const withRsvps = r.kind === 'now_live' || r.kind === 'cancel_notice';
    if (!opts.now && r.dueAt.getTime() <= Date.now()) {
      Object.assign(r, { status: 'skipped', reason: 'time_passed' });
    } else if (s.groupIds.length === 0 && s.segmentIds.length === 0 && !withRsvps) {
      Object.assign(r, { status: 'skipped', reason: 'no_audience' });
    } else {
      r.status = 'scheduled';
      try {
        const text = renderText(r.kind === 'cancel_notice' ? r.text || CANCEL_TEXT : r.text, s, zone);
        const exempt = r.kind === 'now_live' && (await this.nowLiveExempt(s.brandId));
        const at = opts.now ? {} : { at: instantToLocal(r.dueAt, 'UTC'), timeZone: 'UTC' };
        const name = `${s.title} · ${r.kind}`.slice(0, 120);
        const drafts: Array<['groupCampaignId' | 'memberCampaignId', CampaignDraft]> = [];
        if (s.groupIds.length > 0)
          drafts.push([
            'groupCampaignId',
            {
              name,
              channel: 'wecom_group',
              audience: { kind: 'groups', groupIds: s.groupIds },
              message: { text },
              quietHoursExempt: exempt,
            },
          ]);
        if (s.segmentIds.length > 0 || withRsvps)
          drafts.push([
            'memberCampaignId',
            {
              name,
              channel: 'wecom_single',
              audience: {
                kind: 'registered',
                resolver: LIVE_AUDIENCE,
                ref: withRsvps ? `${s.id}:rsvp` : s.id,
              },
              message: { text },
              quietHoursExempt: exempt,
            },
          ]);
        for (const [field, dto] of drafts) r[field] = (await this.campaigns.create(actor, dto)).id;
        // The row names its campaigns before any is scheduled, so none can send unaccounted for.
        await this.save(r);
        for (const [field] of drafts) await this.campaigns.schedule(actor, r[field] as string, at);
      } catch (err) {
        if (!(err instanceof DomainException) || err.status >= 500) throw err;
        this.log.warn(`live reminder ${r.id} could not be scheduled: ${err.message}`);
        await this.discard(actor, r);
        Object.assign(r, { status: 'failed', reason: `${err.code}: ${err.message}`.slice(0, 500) });
      }
    }
    await this.save(r);
  }

  /** A reminder that failed keeps none of its campaigns waiting: a later re-plan makes new ones. */
  private async discard(actor: Actor, r: LiveReminder): Promise<void> {
    for (const id of [r.groupCampaignId, r.memberCampaignId]) {
      if (!id) continue;
      const c = await this.campaigns.get(r.brandId, id);
      if (c.status === 'scheduled') await this.campaigns.unschedule(actor, id);
      if (c.status === 'scheduled' || c.status === 'draft') await this.campaigns.cancel(actor, id);
    }
  }

  private async nowLiveExempt(brandId: string): Promise<boolean> {
    const s = await this.ds.getRepository(LiveSettings).findOneBy({ brandId });
    return s?.nowLiveQuietHoursExempt ?? false;
  }

  private async save(r: LiveReminder): Promise<void> {
    await this.ds.getRepository(LiveReminder).save(r);
  }

  /** Audit helper for plan edits. */
  async audited(actor: Actor, sessionId: string, action: string, after: object): Promise<void> {
    await this.ds.transaction((m) =>
      this.audit.record(m, actor, { action, entityType: 'live_session', entityId: sessionId, after }),
    );
  }
}
