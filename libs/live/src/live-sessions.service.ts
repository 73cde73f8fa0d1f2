import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { localToInstant } from '@siyu/campaigns';
import { LinksService } from '@siyu/conversions';
import { CouponTemplatesService } from '@siyu/coupons';
import { randomUUID } from 'node:crypto';
import {
  Actor,
  AuditService,
  DomainException,
  FieldError,
  Page,
  ValidationException,
  newestFirstPage,
  newestFirstQuery,
} from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import type {
  LiveCancelDto,
  LiveProductDto,
  LiveSessionCreateDto,
  LiveSessionQueryDto,
  LiveSessionUpdateDto,
  LiveSettingsDto,
} from './dto/live-session-input.dto';
import { LiveProduct } from './entities/live-product.entity';
import { LiveSession } from './entities/live-session.entity';
import { LiveSettings } from './entities/live-settings.entity';
import { LiveReminder } from './entities/live-reminder.entity';
import { DEFAULT_COUPON_GRACE_MINUTES, LiveStatus } from './live.constants';
import { LiveException } from './live.errors';
import { LiveRemindersService } from './live-reminders.service';
import { CANCEL_TEXT, DEFAULT_PLAN, PlanItem } from './reminder-plan';

const snapshot = (s: LiveSession) => ({
  title: s.title,
  platform: s.platform,
  roomUrl: s.roomUrl,
  finderId: s.finderId,
  coverImageUrl: s.coverImageUrl,
  host: s.host,
  status: s.status,
  plannedStartAt: s.plannedStartAt,
  plannedEndAt: s.plannedEndAt,
  groupIds: s.groupIds,
  segmentIds: s.segmentIds,
  couponTemplateId: s.couponTemplateId,
  couponGraceMinutes: s.couponGraceMinutes,
});

/**
 * Live sessions as operators manage them: planning (times entered in the brand's zone), edits that
 * move the reminders not yet sent, and the planned → live → ended / cancelled states. Every change is
 * audited in its own transaction; the reminders' campaigns are made after it commits.
 */
@Injectable()
export class LiveSessionsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly reminders: LiveRemindersService,
    private readonly coupons: CouponTemplatesService,
    private readonly links: LinksService,
  ) {}

  async zone(brandId: string): Promise<string> {
    const [b]: Array<{ time_zone: string }> = await this.ds.query(
      `SELECT time_zone FROM brands WHERE id = $1`,
      [brandId],
    );
    return b.time_zone;
  }

  async create(actor: Actor, dto: LiveSessionCreateDto): Promise<LiveSession> {
    const zone = await this.zone(actor.brandId);
    const window = this.window(dto.plannedStart, dto.plannedEnd, zone);
    const audience = { groupIds: uniq(dto.audience?.groupIds), segmentIds: uniq(dto.audience?.segmentIds) };
    await this.checkRefs(actor.brandId, { ...audience, couponTemplateId: dto.couponTemplateId ?? null });
    // The session's id is chosen first so each product's tracked link is bound to it before anything
    // of the session is written: a destination the brand's allowlist refuses is a 422 changing nothing.
    const id = randomUUID();
    const linkIds = await this.productLinks(actor, id, dto.products ?? []);
    const session = await this.ds.transaction(async (m) => {
      const s = await m.getRepository(LiveSession).save(
        m.getRepository(LiveSession).create({
          id,
          brandId: actor.brandId,
          title: dto.title.trim(),
          platform: dto.platform,
          roomUrl: dto.roomUrl ?? null,
          finderId: dto.finderId ?? null,
          coverImageUrl: dto.coverImageUrl ?? null,
          host: dto.host ?? null,
          plannedStartAt: window.start,
          plannedEndAt: window.end,
          ...audience,
          couponTemplateId: dto.couponTemplateId ?? null,
          couponGraceMinutes: dto.couponGraceMinutes ?? DEFAULT_COUPON_GRACE_MINUTES,
          createdById: actor.actorType === 'operator' ? actor.actorId : null,
        }),
      );
      if (dto.products?.length) await this.writeProducts(m, s, dto.products, linkIds);
      await this.audit.record(m, actor, {
        action: 'live_session.created',
        entityType: 'live_session',
        entityId: s.id,
        after: { ...snapshot(s), products: dto.products ?? [] },
      });
      return s;
    });
    await this.syncCoupon(actor, session);
    await this.reminders.replacePlan(actor, session, zone, dto.reminders ?? DEFAULT_PLAN);
    return session;
  }

  async get(brandId: string, id: string): Promise<LiveSession> {
    const s = await this.ds.getRepository(LiveSession).findOneBy({ id, brandId });
    if (!s) throw LiveException.notFound(id);
    return s;
  }

  async list(brandId: string, q: LiveSessionQueryDto): Promise<Page<LiveSession>> {
    const qb = newestFirstQuery(this.ds.getRepository(LiveSession), 's', brandId, q);
    if (q.status) qb.andWhere('s.status = :status', { status: q.status });
    return newestFirstPage(qb, q.limit);
  }

  async products(brandId: string, id: string): Promise<LiveProduct[]> {
    return this.ds.getRepository(LiveProduct).find({
      where: { brandId, sessionId: id },
      order: { position: 'ASC' },
    });
  }

  /** Edits a planned session; a new start, end or audience moves the reminders not yet sent. */
  async update(actor: Actor, id: string, dto: LiveSessionUpdateDto): Promise<LiveSession> {
    const zone = await this.zone(actor.brandId);
    const current = await this.get(actor.brandId, id);
    if (current.status !== 'planned') throw LiveException.invalidState('edit', current.status, ['planned']);
    const window = this.window(
      dto.plannedStart ?? null,
      dto.plannedEnd ?? null,
      zone,
      current.plannedStartAt,
      current.plannedEndAt,
    );
    const audience = dto.audience
      ? { groupIds: uniq(dto.audience.groupIds), segmentIds: uniq(dto.audience.segmentIds) }
      : { groupIds: current.groupIds, segmentIds: current.segmentIds };
    await this.checkRefs(actor.brandId, {
      ...(dto.audience ? audience : { groupIds: [], segmentIds: [] }),
      couponTemplateId: dto.couponTemplateId ?? null,
    });
    const { session, moved } = await this.ds.transaction(async (m) => {
      const s = await this.lock(m, actor.brandId, id);
      if (s.status !== 'planned') throw LiveException.invalidState('edit', s.status, ['planned']);
      const before = snapshot(s);
      const moved =
        s.plannedStartAt.getTime() !== window.start.getTime() ||
        s.plannedEndAt.getTime() !== window.end.getTime() ||
        dto.audience !== undefined;
      Object.assign(s, {
        ...(dto.title !== undefined ? { title: dto.title.trim() } : {}),
        ...(dto.platform !== undefined ? { platform: dto.platform } : {}),
        ...(dto.roomUrl !== undefined ? { roomUrl: dto.roomUrl } : {}),
        ...(dto.finderId !== undefined ? { finderId: dto.finderId } : {}),
        ...(dto.coverImageUrl !== undefined ? { coverImageUrl: dto.coverImageUrl } : {}),
        ...(dto.host !== undefined ? { host: dto.host } : {}),
        ...(dto.couponTemplateId !== undefined ? { couponTemplateId: dto.couponTemplateId } : {}),
        ...(dto.couponGraceMinutes !== undefined ? { couponGraceMinutes: dto.couponGraceMinutes } : {}),
        plannedStartAt: window.start,
        plannedEndAt: window.end,
        ...audience,
      });
      const saved = await m.getRepository(LiveSession).save(s);
      await this.audit.record(m, actor, {
        action: 'live_session.updated',
        entityType: 'live_session',
        entityId: id,
        before,
        after: snapshot(saved),
      });
      return { session: saved, moved };
    });
    await this.syncCoupon(actor, session);
    if (moved) await this.reminders.replan(actor, session, zone);
    return session;
  }

  async replacePlan(actor: Actor, id: string, items: PlanItem[]): Promise<LiveSession> {
    const zone = await this.zone(actor.brandId);
    const s = await this.get(actor.brandId, id);
    if (s.status === 'ended' || s.status === 'cancelled')
      throw LiveException.invalidState('change the reminders of', s.status, ['planned', 'live']);
    const before = (await this.reminders.list(actor.brandId, id)).map((r) => ({
      kind: r.kind,
      minutes: r.minutes,
      status: r.status,
    }));
    await this.reminders.replacePlan(actor, s, zone, items);
    await this.reminders.audited(actor, id, 'live_session.reminders_replaced', { before, plan: items });
    return s;
  }

  /** planned → live; an unsent "now live" goes now. */
  async start(actor: Actor, id: string): Promise<LiveSession> {
    const s = await this.transition(actor, id, 'start', ['planned'], () => ({
      status: 'live',
      startedAt: new Date(),
    }));
    await this.reminders.nowLive(actor, s, await this.zone(actor.brandId));
    return s;
  }

  /**
   * live → ended (the replay reminder stays at its planned time). A session that ends before its
   * planned end closes its live coupon at the actual end plus the grace period: the coupon and the
   * codes already issued stop being redeemable then, not at the planned end.
   */
  async end(actor: Actor, id: string): Promise<LiveSession> {
    const s = await this.transition(actor, id, 'end', ['live'], () => ({
      status: 'ended',
      endedAt: new Date(),
    }));
    const endedAt = s.endedAt ?? new Date();
    if (s.couponTemplateId && endedAt < s.plannedEndAt && endedAt > s.plannedStartAt)
      await this.coupons.update(actor, s.couponTemplateId, {
        validUntil: new Date(endedAt.getTime() + s.couponGraceMinutes * 60_000).toISOString(),
      });
    return s;
  }

  /** planned or live → cancelled: unsent reminders are cancelled; with `notify`, a notice goes now. */
  async cancel(actor: Actor, id: string, dto: LiveCancelDto): Promise<LiveSession> {
    if (dto.text !== undefined && !dto.notify)
      throw new ValidationException([{ field: 'text', message: 'a notice text needs notify: true' }]);
    const s = await this.transition(actor, id, 'cancel', ['planned', 'live'], () => ({
      status: 'cancelled',
      cancelledAt: new Date(),
    }));
    await this.reminders.cancelAll(
      actor,
      s,
      await this.zone(actor.brandId),
      dto.notify ? (dto.text ?? CANCEL_TEXT) : null,
    );
    return s;
  }

  async settings(brandId: string): Promise<{ nowLiveQuietHoursExempt: boolean }> {
    const s = await this.ds.getRepository(LiveSettings).findOneBy({ brandId });
    return { nowLiveQuietHoursExempt: s?.nowLiveQuietHoursExempt ?? false };
  }

  async putSettings(actor: Actor, dto: LiveSettingsDto): Promise<{ nowLiveQuietHoursExempt: boolean }> {
    return this.ds.transaction(async (m) => {
      const before = await m.getRepository(LiveSettings).findOneBy({ brandId: actor.brandId });
      await m
        .getRepository(LiveSettings)
        .upsert({ brandId: actor.brandId, nowLiveQuietHoursExempt: dto.nowLiveQuietHoursExempt }, [
          'brandId',
        ]);
      await this.audit.record(m, actor, {
        action: 'live_settings.updated',
        entityType: 'live_settings',
        entityId: actor.brandId,
        before: { nowLiveQuietHoursExempt: before?.nowLiveQuietHoursExempt ?? false },
        after: { nowLiveQuietHoursExempt: dto.nowLiveQuietHoursExempt },
      });
      return { nowLiveQuietHoursExempt: dto.nowLiveQuietHoursExempt };
    });
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private async transition(
    actor: Actor,
    id: string,
    action: string,
    from: readonly LiveStatus[],
    change: (s: LiveSession) => Partial<LiveSession>,
  ): Promise<LiveSession> {
    return this.ds.transaction(async (m) => {
      const s = await this.lock(m, actor.brandId, id);
      if (!from.includes(s.status)) throw LiveException.invalidState(action, s.status, from);
      const before = { status: s.status };
      Object.assign(s, change(s));
      const saved = await m.getRepository(LiveSession).save(s);
      await this.audit.record(m, actor, {
        action: `live_session.${action}`,
        entityType: 'live_session',
        entityId: id,
        before,
        after: { status: saved.status },
      });
      return saved;
    });
  }

  private async lock(m: EntityManager, brandId: string, id: string): Promise<LiveSession> {
    const s = await m
      .getRepository(LiveSession)
      .findOne({ where: { id, brandId }, lock: { mode: 'pessimistic_write' } });
    if (!s) throw LiveException.notFound(id);
    return s;
  }

  /** The planned window from brand-local text; 400 naming the field when unreadable or inverted. */
  private window(
    startText: string | null,
    endText: string | null,
    zone: string,
    start0?: Date,
    end0?: Date,
  ): { start: Date; end: Date } {
    const errors: FieldError[] = [];
    const read = (text: string | null, field: string, fallback?: Date): Date | null => {
      if (text === null) return fallback ?? null;
      const local = localToInstant(text, zone);
      if (!local) errors.push({ field, message: `${text} is not a date-time` });
      return local?.at ?? null;
    };
    const start = read(startText, 'plannedStart', start0);
    const end = read(endText, 'plannedEnd', end0);
    if (start && end && end.getTime() <= start.getTime())
      errors.push({ field: 'plannedEnd', message: 'must be after plannedStart' });
    if (errors.length > 0 || !start || !end) throw new ValidationException(errors);
    return { start, end };
  }

  /** Groups, segments and the coupon template must be the brand's (422 naming the field). */
  private async checkRefs(
    brandId: string,
    refs: { groupIds: string[]; segmentIds: string[]; couponTemplateId: string | null },
  ): Promise<void> {
    const errors: FieldError[] = [];
    const missing = async (table: string, ids: string[]): Promise<string[]> => {
      if (ids.length === 0) return [];
      const rows: Array<{ id: string }> = await this.ds.query(
        `SELECT id FROM ${table} WHERE brand_id = $1 AND id = ANY($2::uuid[])`,
        [brandId, ids],
      );
      const found = new Set(rows.map((r) => r.id));
      return ids.filter((x) => !found.has(x));
    };
    for (const g of await missing('community_groups', refs.groupIds))
      errors.push({ field: 'audience.groupIds', message: `group ${g} was not found` });
    for (const g of await missing('segments', refs.segmentIds))
      errors.push({ field: 'audience.segmentIds', message: `segment ${g} was not found` });
    if (refs.couponTemplateId) {
      const [t]: Array<{ status: string }> = await this.ds.query(
        `SELECT status FROM coupon_templates WHERE brand_id = $1 AND id = $2`,
        [brandId, refs.couponTemplateId],
      );
      if (!t)
        errors.push({
          field: 'couponTemplateId',
          message: `coupon template ${refs.couponTemplateId} was not found`,
        });
      else if (t.status !== 'draft')
        errors.push({
          field: 'couponTemplateId',
          message: `the live coupon's window follows the session, so its template must still be a draft (it is ${t.status})`,
        });
    }
    if (errors.length > 0) throw LiveException.invalid(errors);
  }

  /** Keeps the live coupon's redemption window at planned start → end + grace (while a draft). */
  private async syncCoupon(actor: Actor, s: LiveSession): Promise<void> {
    if (!s.couponTemplateId) return;
    const [t]: Array<{ status: string }> = await this.ds.query(
      `SELECT status FROM coupon_templates WHERE brand_id = $1 AND id = $2`,
      [s.brandId, s.couponTemplateId],
    );
    const until = new Date(s.plannedEndAt.getTime() + s.couponGraceMinutes * 60_000).toISOString();
    await this.coupons.update(
      actor,
      s.couponTemplateId,
      t?.status === 'draft'
        ? { validFrom: s.plannedStartAt.toISOString(), validUntil: until }
        : { validUntil: until },
    );
  }

  /** One tracked link per featured product, bound to the session (conversions' allowlist applies). */
  private async productLinks(actor: Actor, sessionId: string, products: LiveProductDto[]): Promise<string[]> {
    const ids: string[] = [];
    for (const p of products) {
      try {
        const link = await this.links.create(actor, {
          destination: p.destinationUrl,
          name: p.name.trim().slice(0, 120),
          liveSessionId: sessionId,
        });
        ids.push(link.id);
      } catch (err) {
        const e = err as DomainException;
        if (!(e instanceof DomainException) || e.status >= 500) throw err;
        throw LiveException.invalid([
          { field: `products[${ids.length}].destinationUrl`, message: e.message },
        ]);
      }
    }
    return ids;
  }

  private async writeProducts(
    m: EntityManager,
    s: LiveSession,
    products: LiveProductDto[],
    linkIds: string[],
  ): Promise<void> {
    await m.getRepository(LiveProduct).save(
      products.map((p, i) =>
        m.getRepository(LiveProduct).create({
          brandId: s.brandId,
          sessionId: s.id,
          name: p.name.trim(),
          priceMinor: String(p.priceMinor),
          imageUrl: p.imageUrl ?? null,
          destinationUrl: p.destinationUrl,
          linkId: linkIds[i] ?? null,
          position: i,
        }),
      ),
    );
  }

  async reminderRows(brandId: string, id: string): Promise<LiveReminder[]> {
    return this.reminders.list(brandId, id);
  }
}

const uniq = (ids: string[] | undefined) => [...new Set((ids ?? []).map((x) => x.toLowerCase()))];
