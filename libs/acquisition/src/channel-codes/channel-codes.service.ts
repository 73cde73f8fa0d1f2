import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ChannelAccountsService, ChannelResult, WecomClient, WecomCredentials } from '@siyu/channels';
import { LinksService } from '@siyu/conversions';
import { CouponIssuingService } from '@siyu/coupons';
import {
  Actor,
  AfterCommit,
  AuditService,
  BrandsService,
  FieldError,
  Page,
  QueueRegistry,
  ValidationException,
  newestFirstPage,
  newestFirstQuery,
} from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { AcquisitionStateRegistry, WelcomeAttachment, WelcomeContent } from '../acquisition-states.registry';
import { hhmm, localClock, routeStaff, sameUsers } from './routing';
import { unknownStaff, unknownTags } from '../common/brand-refs';
import { wecomValue } from '../common/wecom-call';
import { ChannelCodeException } from './channel-codes.errors';
import { RoutingConfig } from './channel-codes.constants';
import {
  ChannelCodeCreateDto,
  ChannelCodeQueryDto,
  ChannelCodeUpdateDto,
} from './dto/channel-code-input.dto';
import { ChannelCode } from './entities/channel-code.entity';
import {
  CHANNEL_CODE_ROUTE_JOB,
  channelCodeRouteJobId,
  ChannelCodeRoutingQueue,
} from './jobs/channel-code-routing.queue';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What an operator may set on a code, resolved and checked. */
interface CodeDraft {
  name: string;
  type: 'single' | 'multi';
  staff: string[];
  state: string;
  skipVerify: boolean;
  sourceChannel: string | null;
  utm: Record<string, string>;
  tagIds: string[];
  welcome: WelcomeContent | null;
  routing: RoutingConfig;
}

const snapshot = (c: ChannelCode | CodeDraft) => ({
  name: c.name,
  type: c.type,
  staff: c.staff,
  state: c.state,
  skipVerify: c.skipVerify,
  sourceChannel: c.sourceChannel,
  utm: c.utm,
  tagIds: c.tagIds,
  welcome: c.welcome,
  routing: 'routing' in c ? c.routing : { rule: c.routingRule, dailyCap: c.dailyCap, schedule: c.schedule },
  ...('status' in c ? { status: c.status, activeStaff: c.activeStaff, configId: c.configId } : {}),
});

/**
 * Channel codes (渠道活码): WeCom contact ways whose `state` says where a contact came from.
 * Every change goes to WeCom first (add/update/del_contact_way); if WeCom refuses, nothing changes
 * in Siyu. Which staff a code's QR adds is decided by its routing rule (see routeStaff) and kept
 * current by the routing job.
 */
@Injectable()
export class ChannelCodesService {
  private readonly logger = new Logger(ChannelCodesService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly accounts: ChannelAccountsService,
    private readonly wecom: WecomClient,
    private readonly audit: AuditService,
    private readonly brands: BrandsService,
    private readonly registry: AcquisitionStateRegistry,
    private readonly links: LinksService,
    private readonly coupons: CouponIssuingService,
    private readonly queues: QueueRegistry,
    private readonly afterCommit: AfterCommit,
  ) {}

  async get(brandId: string, id: string, m: EntityManager = this.ds.manager): Promise<ChannelCode> {
    const code = UUID_RE.test(id) ? await m.getRepository(ChannelCode).findOneBy({ brandId, id }) : null;
    if (!code) throw ChannelCodeException.notFound(id);
    return code;
  }

  async list(brandId: string, q: ChannelCodeQueryDto): Promise<Page<ChannelCode>> {
    const qb = newestFirstQuery(this.ds.getRepository(ChannelCode), 'c', brandId, q);
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    else qb.andWhere(`c.status <> 'deleted'`);
    return newestFirstPage(qb, q.limit);
  }

  async create(actor: Actor, dto: ChannelCodeCreateDto): Promise<ChannelCode> {
    const draft = await this.resolve(actor.brandId, dto, null);
    const creds = await this.creds(actor.brandId);
    const zone = (await this.brands.get(actor.brandId)).timeZone;
    const route = routeStaff({
      routing: draft.routing,
      staff: draft.staff,
      addsToday: new Map(),
      at: new Date(),
      timeZone: zone,
    });
    const added = await this.wecomCall(
      this.wecom.addContactWay(creds, {
        type: draft.type === 'single' ? 1 : 2,
        scene: 2,
        remark: draft.name.slice(0, 30),
        skipVerify: draft.skipVerify,
        state: draft.state,
        user: route.users,
      }),
    );
    try {
      return await this.ds.transaction(async (m) => {
        const code = await m.getRepository(ChannelCode).save(
          m.getRepository(ChannelCode).create({
            brandId: actor.brandId,
            ...this.columns(draft),
            activeStaff: route.users,
            configId: added.configId,
            qrCode: added.qrCode,
            status: 'active',
            routedAt: new Date(),
            createdById: actor.actorId,
          }),
        );
        await this.audit.record(m, actor, {
          action: 'acquisition.channel_code.created',
          entityType: 'acquisition_channel_code',
          entityId: code.id,
          after: snapshot(code),
        });
        return code;
      });
    } catch (err) {
      // The contact way exists in WeCom but not here (a state taken meanwhile): take it back.
      await this.wecom.delContactWay(creds, added.configId).catch(() => undefined);
      if ((err as { code?: string }).code === '23505') throw ChannelCodeException.stateTaken(draft.state);
      throw err;
    }
  }

  async update(actor: Actor, id: string, dto: ChannelCodeUpdateDto): Promise<ChannelCode> {
    const current = await this.get(actor.brandId, id);
    if (current.status === 'deleted') throw ChannelCodeException.invalidState('update', current.status);
    const draft = await this.resolve(actor.brandId, dto, current);
    const creds = await this.creds(actor.brandId);
    try {
      return await this.ds.transaction(async (m) => {
        const code = await this.lock(m, actor.brandId, id);
        if (code.status === 'deleted') throw ChannelCodeException.invalidState('update', code.status);
        const before = snapshot(code);
        const zone = (await this.brands.get(actor.brandId, m)).timeZone;
        const route = routeStaff({
          routing: draft.routing,
          staff: draft.staff,
          addsToday: await this.addsToday(m, code.id, zone),
          at: new Date(),
          timeZone: zone,
        });
        Object.assign(code, this.columns(draft));
        if (code.configId && code.status === 'active')
          await this.wecomCall(
            this.wecom.updateContactWay(creds, code.configId, {
              remark: draft.name.slice(0, 30),
              skipVerify: draft.skipVerify,
              state: draft.state,
              user: route.users,
            }),
          );
        if (code.status === 'active') code.activeStaff = route.users;
        code.routedAt = new Date();
        const saved = await m.getRepository(ChannelCode).save(code);
        await this.audit.record(m, actor, {
          action: 'acquisition.channel_code.updated',
          entityType: 'acquisition_channel_code',
          entityId: id,
          before,
          after: snapshot(saved),
        });
        return saved;
      });
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw ChannelCodeException.stateTaken(draft.state);
      throw err;
    }
  }

  /**
   * Pause: the contact way stays in WeCom (the printed QR stays valid; its `state` still tells
   * where a contact came from) but is marked paused there (remark); Siyu stops greeting, tagging
   * and routing for it. Resume undoes it.
   */
  async setPaused(actor: Actor, id: string, paused: boolean): Promise<ChannelCode> {
    const creds = await this.creds(actor.brandId);
    return this.ds.transaction(async (m) => {
      const code = await this.lock(m, actor.brandId, id);
      const from = paused ? 'active' : 'paused';
      if (code.status !== from)
        throw ChannelCodeException.invalidState(paused ? 'pause' : 'resume', code.status);
      if (code.configId)
        await this.wecomCall(
          this.wecom.updateContactWay(creds, code.configId, {
            remark: `${paused ? '[paused] ' : ''}${code.name}`.slice(0, 30),
          }),
        );
      code.status = paused ? 'paused' : 'active';
      const saved = await m.getRepository(ChannelCode).save(code);
      await this.audit.record(m, actor, {
        action: paused ? 'acquisition.channel_code.paused' : 'acquisition.channel_code.resumed',
        entityType: 'acquisition_channel_code',
        entityId: id,
        before: { status: from },
        after: { status: saved.status },
      });
      if (!paused) await this.afterCommit.run(m, () => this.requestRoute(saved.brandId, saved.id));
      return saved;
    });
  }

  /** del_contact_way, then the code is kept as `deleted` (its contacts stay in the report; its state stays reserved). */
  async remove(actor: Actor, id: string): Promise<ChannelCode> {
    const creds = await this.creds(actor.brandId);
    return this.ds.transaction(async (m) => {
      const code = await this.lock(m, actor.brandId, id);
      if (code.status === 'deleted') return code;
      if (code.configId) await this.wecomCall(this.wecom.delContactWay(creds, code.configId));
      const before = snapshot(code);
      code.status = 'deleted';
      code.activeStaff = [];
      const saved = await m.getRepository(ChannelCode).save(code);
      await this.audit.record(m, actor, {
        action: 'acquisition.channel_code.deleted',
        entityType: 'acquisition_channel_code',
        entityId: id,
        before,
        after: { status: 'deleted' },
      });
      return saved;
    });
  }

  /** Queues a re-route of the code (coalesced per code while one waits). Failures are logged: the periodic pass catches up. */
  async requestRoute(brandId: string, codeId: string): Promise<void> {
    try {
      await this.queues
        .get(ChannelCodeRoutingQueue)
        .add(CHANNEL_CODE_ROUTE_JOB, { brandId, codeId }, { jobId: channelCodeRouteJobId(codeId) });
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, codeId }, 'could not queue a channel code re-route');
    }
  }

  /** The periodic pass: every active code whose list can move with time or adds, queued in one Redis call. */
  async routeDue(): Promise<number> {
    const rows: Array<{ id: string; brand_id: string }> = await this.ds.query(
      `SELECT id, brand_id FROM acquisition_channel_codes
        WHERE status = 'active' AND (routing_rule <> 'round_robin' OR daily_cap IS NOT NULL)`,
    );
    if (rows.length === 0) return 0;
    try {
      await this.queues.get(ChannelCodeRoutingQueue).addBulk(
        rows.map((r) => ({
          name: CHANNEL_CODE_ROUTE_JOB,
          data: { brandId: r.brand_id, codeId: r.id },
          opts: { jobId: channelCodeRouteJobId(r.id) },
        })),
      );
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, codes: rows.length }, 'could not queue the re-routes');
    }
    return rows.length;
  }

  /**
   * The routing job: recompute the code's staff list from today's adds, its rule and the brand's
   * clock; re-issue update_contact_way only when the list moved. A WeCom failure throws (retried).
   */
  async route(brandId: string, codeId: string): Promise<{ changed: boolean; users: string[] }> {
    const creds = await this.creds(brandId);
    return this.ds.transaction(async (m) => {
      const [row]: Array<{ id: string }> = await m.query(
        `SELECT id FROM acquisition_channel_codes WHERE brand_id = $1 AND id = $2 AND status = 'active' FOR UPDATE`,
        [brandId, codeId],
      );
      if (!row) return { changed: false, users: [] };
      const code = await this.get(brandId, codeId, m);
      const zone = (await this.brands.get(brandId, m)).timeZone;
      const route = routeStaff({
        routing: { rule: code.routingRule, dailyCap: code.dailyCap, schedule: code.schedule },
        staff: code.staff,
        addsToday: await this.addsToday(m, code.id, zone),
        at: new Date(),
        timeZone: zone,
      });
      if (sameUsers(route.users, code.activeStaff)) return { changed: false, users: code.activeStaff };
      if (code.configId)
        await this.wecomCall(this.wecom.updateContactWay(creds, code.configId, { user: route.users }));
      await m.query(
        `UPDATE acquisition_channel_codes SET active_staff = $3, routed_at = now(), updated_at = now()
          WHERE brand_id = $1 AND id = $2`,
        [brandId, codeId, route.users],
      );
      return { changed: true, users: route.users };
    });
  }

  private async addsToday(m: EntityManager, codeId: string, zone: string): Promise<Map<string, number>> {
    const { day } = localClock(new Date(), zone);
    const rows: Array<{ staff_userid: string; adds: number }> = await m.query(
      `SELECT staff_userid, adds FROM acquisition_code_staff_days WHERE code_id = $1 AND day = $2`,
      [codeId, day],
    );
    return new Map(rows.map((r) => [r.staff_userid, Number(r.adds)]));
  }

  private async lock(m: EntityManager, brandId: string, id: string): Promise<ChannelCode> {
    if (!UUID_RE.test(id)) throw ChannelCodeException.notFound(id);
    const code = await m
      .getRepository(ChannelCode)
      .createQueryBuilder('c')
      .setLock('pessimistic_write')
      .where('c.brand_id = :brandId AND c.id = :id', { brandId, id })
      .getOne();
    if (!code) throw ChannelCodeException.notFound(id);
    return code;
  }

  private columns(d: CodeDraft): Partial<ChannelCode> {
    return {
      name: d.name,
      type: d.type,
      staff: d.staff,
      state: d.state,
      skipVerify: d.skipVerify,
      sourceChannel: d.sourceChannel,
      utm: d.utm,
      tagIds: d.tagIds,
      welcome: d.welcome,
      routingRule: d.routing.rule,
      dailyCap: d.routing.dailyCap,
      schedule: d.routing.schedule,
    };
  }

  private async creds(brandId: string): Promise<WecomCredentials> {
    return (await this.accounts.wecomAccess(brandId)).credentials;
  }

  /** WeCom's answer, or its failure as the acquisition features' one WecomWayException (502/503). */
  private async wecomCall<T>(call: Promise<ChannelResult<T>>): Promise<T> {
    return wecomValue(await call);
  }

  /**
   * Merges the input over the current code (for an update) and checks what class-validator cannot:
   * the staff are the brand's, the state is free and not reserved, the routing rule is coherent,
   * the tags, tracked links and coupon templates are the brand's. Every problem is a 400 naming its field.
   */
  private async resolve(
    brandId: string,
    dto: ChannelCodeUpdateDto,
    current: ChannelCode | null,
  ): Promise<CodeDraft> {
    const errors: FieldError[] = [];
    const staff = dto.staff ? [...new Set(dto.staff)] : (current?.staff ?? []);
    const type =
      dto.type ?? (dto.staff ? (staff.length === 1 ? 'single' : 'multi') : (current?.type ?? 'single'));
    if (current && type !== current.type)
      errors.push({
        field: dto.type ? 'type' : 'staff',
        message: `a ${current.type} code stays ${current.type} (WeCom cannot change a contact way's type); create a new code`,
      });
    else if (type === 'single' && staff.length !== 1)
      errors.push({ field: 'staff', message: 'a single-staff code takes exactly one staff member' });
    if (dto.staff) {
      const missing = await unknownStaff(this.ds, brandId, staff);
      dto.staff.forEach((u, i) => {
        if (missing.has(u)) errors.push({ field: `staff[${i}]`, message: `unknown staff member ${u}` });
      });
    }
    const state = dto.state ?? current?.state ?? `cc_${randomBytes(9).toString('base64url')}`;
    if (dto.state !== undefined && this.registry.isReserved(dto.state))
      errors.push({
        field: 'state',
        message: `state ${dto.state} uses a prefix reserved for another acquisition kind`,
      });
    if (dto.state !== undefined && dto.state !== current?.state) {
      const taken: unknown[] = await this.ds.query(
        `SELECT 1 FROM acquisition_channel_codes WHERE brand_id = $1 AND state = $2`,
        [brandId, dto.state],
      );
      if (taken.length > 0) throw ChannelCodeException.stateTaken(dto.state);
    }
    const routing: RoutingConfig = dto.routing
      ? {
          rule: dto.routing.rule,
          dailyCap: dto.routing.dailyCap ?? null,
          schedule: dto.routing.schedule ?? [],
        }
      : current
        ? { rule: current.routingRule, dailyCap: current.dailyCap, schedule: current.schedule }
        : { rule: 'round_robin', dailyCap: null, schedule: [] };
    if (routing.rule === 'schedule' && routing.schedule.length === 0)
      errors.push({ field: 'routing.schedule', message: 'a schedule rule needs at least one window' });
    if (routing.rule !== 'schedule' && routing.schedule.length > 0)
      errors.push({
        field: 'routing.schedule',
        message: `windows are only for the schedule rule, not ${routing.rule}`,
      });
    routing.schedule.forEach((w, i) => {
      if (hhmm(w.end) <= hhmm(w.start))
        errors.push({ field: `routing.schedule[${i}].end`, message: 'end must be after start (same day)' });
      w.staff.forEach((u, j) => {
        if (!staff.includes(u))
          errors.push({
            field: `routing.schedule[${i}].staff[${j}]`,
            message: `${u} is not one of the code's staff`,
          });
      });
    });
    const tagIds = dto.tagIds
      ? [...new Set(dto.tagIds.map((t) => t.toLowerCase()))]
      : (current?.tagIds ?? []);
    if (dto.tagIds) {
      const missing = await unknownTags(this.ds, brandId, tagIds);
      dto.tagIds.forEach((t, i) => {
        if (missing.has(t.toLowerCase())) errors.push({ field: `tagIds[${i}]`, message: `no such tag ${t}` });
      });
    }
    let welcome: WelcomeContent | null = current?.welcome ?? null;
    if (dto.welcome) {
      const attachments = (dto.welcome.attachments ?? []).map((a): WelcomeAttachment => {
        switch (a.type) {
          case 'link':
            return { type: 'link', linkId: (a.linkId as string).toLowerCase(), title: a.title, desc: a.desc };
          case 'coupon':
            return { type: 'coupon', templateId: (a.templateId as string).toLowerCase() };
          case 'image':
            return { type: 'image', mediaId: a.mediaId as string };
          default:
            return {
              type: 'miniprogram',
              appid: a.appid as string,
              page: a.page as string,
              title: a.title as string,
              picMediaId: a.picMediaId as string,
            };
        }
      });
      if (!dto.welcome.text && attachments.length === 0)
        errors.push({ field: 'welcome', message: 'a welcome message needs text or an attachment' });
      const linkIds = attachments.flatMap((a) => (a.type === 'link' ? [a.linkId] : []));
      const badLinks = new Set((await this.links.check(brandId, linkIds)).map((b) => b.id));
      const templateIds = attachments.flatMap((a) => (a.type === 'coupon' ? [a.templateId] : []));
      const badTemplates = new Map(
        (await this.coupons.checkTemplates(brandId, templateIds)).map((b) => [b.id, b.reason]),
      );
      attachments.forEach((a, i) => {
        if (a.type === 'link' && badLinks.has(a.linkId))
          errors.push({ field: `welcome.attachments[${i}].linkId`, message: 'no such tracked link' });
        if (a.type === 'coupon' && badTemplates.has(a.templateId))
          errors.push({
            field: `welcome.attachments[${i}].templateId`,
            message: badTemplates.get(a.templateId) as string,
          });
      });
      welcome = { text: dto.welcome.text ?? null, attachments };
    }
    if (errors.length > 0) throw new ValidationException(errors);
    const utm: Record<string, string> = {};
    for (const [k, v] of Object.entries(dto.utm ?? current?.utm ?? {})) if (typeof v === 'string') utm[k] = v;
    return {
      name: (dto.name ?? current?.name ?? '').trim(),
      type,
      staff,
      state,
      skipVerify: dto.skipVerify ?? current?.skipVerify ?? true,
      sourceChannel: dto.sourceChannel ?? current?.sourceChannel ?? null,
      utm,
      tagIds,
      welcome,
      routing,
    };
  }
}
