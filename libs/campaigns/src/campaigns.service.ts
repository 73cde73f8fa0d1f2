import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ChannelAccountsService, ChannelAdapters, ChannelMessage, ChannelTaskRef } from '@siyu/channels';
import {
  Actor,
  AuditService,
  decodeCursor,
  FieldError,
  Page,
  toPage,
  ValidationException,
  newestFirstPage,
  newestFirstQuery,
} from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { CampaignAudienceSql, memberTimeZones } from './campaign-audience';
import { CampaignJobs, PlannedJob } from './campaign-jobs';
import { lockClaimGate } from './campaign-ledger';
import { CampaignRenderer } from './campaign-renderer';
import {
  CampaignStatus,
  EDITABLE_STATUSES,
  LOCAL_TIME_TOLERANCE_MS,
  NOT_RESENDABLE_REASONS,
} from './campaigns.constants';
import { CampaignException } from './campaigns.errors';
import { channelVariableErrors, messageVariables, variantSql } from './content/campaign-content';
import { CampaignVariableRegistry } from './content/campaign-variables';
import type {
  CampaignCreateDto,
  CampaignQueryDto,
  CampaignResendDto,
  CampaignScheduleDto,
  CampaignUpdateDto,
  DeliveryQueryDto,
} from './dto/campaign-input.dto';
import { Campaign, CampaignAudience, CampaignVariant } from './entities/campaign.entity';
import { CampaignDelivery } from './entities/campaign-delivery.entity';
import {
  instantToLocal,
  LocalSchedule,
  localToInstant,
  ZoneSchedule,
  zoneSchedules,
} from './schedule/campaign-time';

export interface ScheduleResult {
  campaign: Campaign;
  adjustment: 'skipped_forward' | 'ambiguous_earlier' | null;
  /** A member-time-zone schedule: when each zone known among the brand's members gets it. */
  zones?: Array<ZoneSchedule & { passed: boolean }>;
}

export interface DryRun {
  audience: number;
  sendable: number;
  skipped: Record<string, number>;
  byVariant: Array<{ variant: string; recipients: number }>;
  samples: Array<{
    recipientKey: string;
    memberId: string | null;
    groupId: string | null;
    address: string | null;
    variant: string;
    message: ChannelMessage;
  }>;
}

const snapshot = (c: Campaign) => ({
  name: c.name,
  channel: c.channel,
  status: c.status,
  audience: c.audience,
  variants: c.variants,
  oaAppId: c.oaAppId,
  sender: c.sender,
  quietHoursExempt: c.quietHoursExempt,
  frequencyCapExempt: c.frequencyCapExempt,
  sendAt: c.sendAt,
  sendAtLocal: c.sendAtLocal,
  timeZone: c.timeZone,
  memberTimeZone: c.memberTimeZone,
});

/**
 * Campaigns as operators see them: drafts, scheduling in the brand's time zone, pause / resume /
 * cancel / resend while sending, dry runs, and the per-recipient report. Every change is audited in
 * its own transaction; the jobs it implies are added after commit (and re-added by the reconciler
 * if that fails).
 */
@Injectable()
export class CampaignsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly adapters: ChannelAdapters,
    private readonly accounts: ChannelAccountsService,
    private readonly variables: CampaignVariableRegistry,
    private readonly audienceSql: CampaignAudienceSql,
    private readonly renderer: CampaignRenderer,
    private readonly jobs: CampaignJobs,
  ) {}

  async create(actor: Actor, dto: CampaignCreateDto): Promise<Campaign> {
    const variants = this.variantsOf(dto.message, dto.variants, true) as CampaignVariant[];
    const draft = {
      brandId: actor.brandId,
      name: dto.name.trim(),
      channel: dto.channel,
      audience: this.audienceOf(dto.audience),
      variants,
      oaAppId: dto.oaAppId ?? null,
      sender: dto.sender ?? null,
      quietHoursExempt: dto.quietHoursExempt ?? false,
      frequencyCapExempt: dto.frequencyCapExempt ?? false,
      createdById: actor.actorId,
    };
    await this.check(draft);
    return this.ds.transaction(async (m) => {
      const c = await m.getRepository(Campaign).save(m.getRepository(Campaign).create(draft));
      await this.audit.record(m, actor, {
        action: 'campaign.created',
        entityType: 'campaign',
        entityId: c.id,
        after: snapshot(c),
      });
      return c;
    });
  }

  async update(actor: Actor, id: string, dto: CampaignUpdateDto): Promise<Campaign> {
    return this.ds.transaction(async (m) => {
      const c = await this.lock(m, actor.brandId, id);
      this.assertState('edit', c, EDITABLE_STATUSES);
      const before = snapshot(c);
      const variants = this.variantsOf(dto.message, dto.variants, false);
      Object.assign(c, {
        ...(dto.name !== undefined ? { name: dto.name.trim() } : {}),
        ...(dto.channel !== undefined ? { channel: dto.channel } : {}),
        ...(dto.audience !== undefined ? { audience: this.audienceOf(dto.audience) } : {}),
        ...(variants ? { variants } : {}),
        ...(dto.oaAppId !== undefined ? { oaAppId: dto.oaAppId } : {}),
        ...(dto.sender !== undefined ? { sender: dto.sender } : {}),
        ...(dto.quietHoursExempt !== undefined ? { quietHoursExempt: dto.quietHoursExempt } : {}),
        ...(dto.frequencyCapExempt !== undefined ? { frequencyCapExempt: dto.frequencyCapExempt } : {}),
      });
      await this.check(c);
      const saved = await m.getRepository(Campaign).save(c);
      await this.audit.record(m, actor, {
        action: 'campaign.updated',
        entityType: 'campaign',
        entityId: id,
        before,
        after: snapshot(saved),
      });
      return saved;
    });
  }

  async get(brandId: string, id: string): Promise<Campaign> {
    const c = await this.ds.getRepository(Campaign).findOneBy({ id, brandId });
    if (!c) throw CampaignException.notFound(id);
    return c;
  }

  async list(brandId: string, q: CampaignQueryDto): Promise<Page<Campaign>> {
    const qb = newestFirstQuery(this.ds.getRepository(Campaign), 'c', brandId, q);
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    if (q.channel) qb.andWhere('c.channel = :channel', { channel: q.channel });
    return newestFirstPage(qb, q.limit);
  }

  /**
   * draft → scheduled, at a local time in the brand's (or the given) zone, or now; or, with
   * `memberTimeZone`, at that local time in each member's own zone (members without one: the
   * campaign's zone), starting at the earliest of those instants.
   */
  async schedule(actor: Actor, id: string, dto: CampaignScheduleDto): Promise<ScheduleResult> {
    let adjustment: ScheduleResult['adjustment'] = null;
    let zones: ScheduleResult['zones'];
    const campaign = await this.ds.transaction(async (m) => {
      const c = await this.lock(m, actor.brandId, id);
      this.assertState('schedule', c, ['draft']);
      await this.check(c, { deep: true });
      const [brand]: Array<{
        time_zone: string;
        quiet_hours_start: string | null;
        quiet_hours_end: string | null;
      }> = await m.query(
        `SELECT time_zone, quiet_hours_start::text, quiet_hours_end::text FROM brands WHERE id = $1`,
        [actor.brandId],
      );
      const zone = dto.timeZone ?? brand.time_zone;
      let sendAt = new Date();
      let sendAtLocal: string;
      if (dto.memberTimeZone) {
        const errors: FieldError[] = [];
        if (!dto.at)
          errors.push({
            field: 'at',
            message: "sending at each member's local time needs a local date-time",
          });
        if (c.channel === 'wecom_group')
          errors.push({
            field: 'memberTimeZone',
            message: 'a group chat has no one time zone: only 1:1 and Official Account campaigns can use it',
          });
        if (errors.length > 0) throw new ValidationException(errors);
      }
      if (dto.at && dto.memberTimeZone) {
        if (!localToInstant(dto.at, zone))
          throw new ValidationException([{ field: 'at', message: `${dto.at} is not a date-time` }]);
        const plan = zoneSchedules(
          dto.at,
          [zone, ...(await memberTimeZones(m, actor.brandId))],
          c.quietHoursExempt ? null : { start: brand.quiet_hours_start, end: brand.quiet_hours_end },
        );
        const due = plan.filter((p) => p.at.getTime() >= Date.now() - LOCAL_TIME_TOLERANCE_MS);
        if (due.length === 0)
          throw new ValidationException([
            { field: 'at', message: `${dto.at} is in the past in every member's time zone` },
          ]);
        sendAt = due[0].at.getTime() > Date.now() ? due[0].at : new Date();
        sendAtLocal = (localToInstant(dto.at, zone) as LocalSchedule).local;
        zones = plan.map((p) => ({ ...p, passed: !due.includes(p) }));
      } else {
        if (dto.at) {
          const local = localToInstant(dto.at, zone);
          if (!local)
            throw new ValidationException([{ field: 'at', message: `${dto.at} is not a date-time` }]);
          if (local.at.getTime() < Date.now() - 60_000)
            throw new ValidationException([
              { field: 'at', message: `${dto.at} (${zone}) is in the past; leave it out to send now` },
            ]);
          sendAt = local.at;
          adjustment = local.adjustment;
        }
        sendAtLocal = instantToLocal(sendAt, zone);
      }
      const before = snapshot(c);
      Object.assign(c, {
        status: 'scheduled',
        sendAt,
        sendAtLocal,
        timeZone: zone,
        memberTimeZone: dto.memberTimeZone === true,
        scheduleVersion: c.scheduleVersion + 1,
      });
      const saved = await m.getRepository(Campaign).save(c);
      await this.audit.record(m, actor, {
        action: 'campaign.scheduled',
        entityType: 'campaign',
        entityId: id,
        before,
        after: { ...snapshot(saved), adjustment, ...(zones ? { zones } : {}) },
      });
      return saved;
    });
    await this.jobs.add([this.startJob(campaign)]);
    return { campaign, adjustment, zones };
  }

  /** scheduled → draft (before it starts). */
  async unschedule(actor: Actor, id: string): Promise<Campaign> {
    return this.transition(actor, id, 'unschedule', ['scheduled'], (c) => ({
      status: 'draft',
      sendAt: null,
      sendAtLocal: null,
      scheduleVersion: c.scheduleVersion + 1,
    }));
  }

  /** scheduled or sending → paused: chunk jobs stop claiming; rows in flight finish. */
  async pause(actor: Actor, id: string): Promise<Campaign> {
    return this.transition(actor, id, 'pause', ['scheduled', 'sending'], () => ({ status: 'paused' }));
  }

  /** paused → sending (new chunk jobs for what is open) or, if it never started, scheduled again. */
  async resume(actor: Actor, id: string): Promise<Campaign> {
    const c = await this.transition(actor, id, 'resume', ['paused'], (c) =>
      c.startedAt
        ? { status: 'sending', round: c.round + 1 }
        : { status: 'scheduled', scheduleVersion: c.scheduleVersion + 1 },
    );
    await this.jobs.add(
      c.status === 'sending' ? await this.jobs.openWork(c.id, c.round) : [this.startJob(c)],
    );
    return c;
  }

  /** → cancelled: what is unsent is not sent; open WeCom tasks are cancelled (finalize job). */
  async cancel(actor: Actor, id: string): Promise<Campaign> {
    const c = await this.transition(
      actor,
      id,
      'cancel',
      ['draft', 'scheduled', 'sending', 'paused'],
      (c) => ({
        status: 'cancelled',
        cancelledAt: new Date(),
        round: c.round + 1,
        heldUntil: null,
      }),
    );
    if (c.startedAt) await this.jobs.add([{ job: { kind: 'finalize', campaignId: c.id }, round: c.round }]);
    return c;
  }

  /**
   * Sends again to those not delivered: failed rows (except an unknown outcome, unless asked) go
   * back to pending, their chunks reopen, and the campaign sends again. Skipped rows (opted out,
   * erased, capped) stay skipped: the rules that stopped them still hold.
   */
  async resend(
    actor: Actor,
    id: string,
    dto: CampaignResendDto,
  ): Promise<{ campaign: Campaign; requeued: number }> {
    const excluded = dto.includeUnknown ? [] : [...NOT_RESENDABLE_REASONS];
    const result = await this.ds.transaction(async (m) => {
      const c = await this.lock(m, actor.brandId, id);
      this.assertState('resend', c, ['completed']);
      const [rows]: [Array<{ id: string }>] = await m.query(
        `UPDATE campaign_deliveries
            SET status = 'pending', reason = NULL, errcode = NULL, error = NULL, attempts = 0,
                next_attempt_at = NULL, task_id = NULL, updated_at = now()
          WHERE campaign_id = $1 AND status = 'failed'
            AND ($2::text[] IS NULL OR reason = ANY($2::text[]))
            AND NOT (coalesce(reason, '') = ANY($3::text[]))
          RETURNING id`,
        [c.id, dto.reasons ?? null, excluded],
      );
      if (rows.length === 0) throw CampaignException.nothingToResend(id);
      const ids = rows.map((r) => String(r.id));
      await m.query(
        `UPDATE campaign_chunks ch SET status = 'open', updated_at = now()
          WHERE ch.campaign_id = $1
            AND EXISTS (SELECT 1 FROM unnest($2::bigint[]) AS d(id) WHERE d.id BETWEEN ch.first_id AND ch.last_id)`,
        [c.id, ids],
      );
      const before = snapshot(c);
      Object.assign(c, { status: 'sending', round: c.round + 1, completedAt: null });
      const saved = await m.getRepository(Campaign).save(c);
      await this.audit.record(m, actor, {
        action: 'campaign.resend',
        entityType: 'campaign',
        entityId: id,
        before,
        after: {
          status: 'sending',
          requeued: ids.length,
          reasons: dto.reasons ?? null,
          includeUnknown: !!dto.includeUnknown,
        },
      });
      return { campaign: saved, requeued: ids.length };
    });
    await this.jobs.add(await this.jobs.openWork(result.campaign.id, result.campaign.round));
    return result;
  }

  /** remind_groupmsg_send for every open WeCom task of the campaign. */
  async remind(
    actor: Actor,
    id: string,
  ): Promise<{ reminded: number; failed: Array<{ msgid: string; error: string }> }> {
    const c = await this.get(actor.brandId, id);
    this.assertState('remind staff of', c, ['sending']);
    const tasks: Array<{ kind: 'wecom_group' | 'wecom_single'; msgid: string; sender: string | null }> =
      await this.ds.query(
        `SELECT kind, msgid, sender FROM campaign_tasks WHERE campaign_id = $1 AND status = 'open'`,
        [c.id],
      );
    const failed: Array<{ msgid: string; error: string }> = [];
    for (const t of tasks) {
      const ref: ChannelTaskRef = {
        kind: t.kind,
        brandId: c.brandId,
        msgid: t.msgid,
        ...(t.sender ? { sender: t.sender } : {}),
      };
      const res = await this.adapters.get(t.kind).remind(ref);
      if (!res.ok) failed.push({ msgid: t.msgid, error: res.failure.errmsg });
    }
    await this.ds.transaction((m) =>
      this.audit.record(m, actor, {
        action: 'campaign.reminded',
        entityType: 'campaign',
        entityId: id,
        after: { tasks: tasks.length, failed: failed.length },
      }),
    );
    return { reminded: tasks.length - failed.length, failed };
  }

  /** The audience the campaign would get now, why some would be skipped, and a few rendered messages. */
  async dryRun(brandId: string, id: string, sampleSize = 5): Promise<DryRun> {
    const c = await this.get(brandId, id);
    await this.check(c, { deep: true });
    const params: unknown[] = [];
    const audience = await this.audienceSql.build(c, params);
    let variant = '0';
    if (c.variants.length > 1) {
      params.push(c.id);
      variant = variantSql(
        'r.recipient_key',
        `$${params.length}::uuid`,
        c.variants.map((v) => v.weight),
      );
    }
    const counts: Array<{ skip_reason: string | null; variant: number; n: string }> = await this.ds.query(
      `SELECT r.skip_reason, ${variant} AS variant, count(*) AS n FROM (${audience}) r GROUP BY 1, 2`,
      params,
    );
    const samples: Array<{
      id: string;
      memberId: string | null;
      groupId: string | null;
      address: string | null;
      sender: string | null;
      variant: number;
    }> = await this.ds.query(
      `SELECT r.recipient_key AS id, r.member_id AS "memberId", r.group_id AS "groupId", r.address, r.sender,
              ${variant} AS variant
         FROM (${audience}) r WHERE r.skip_reason IS NULL ORDER BY r.recipient_key LIMIT ${Math.max(1, Math.min(20, sampleSize))}`,
      params,
    );
    // Rendered in a transaction that is rolled back: a resolver may issue (a coupon) as it resolves.
    const qr = this.ds.createQueryRunner();
    await qr.startTransaction();
    let rendered: Awaited<ReturnType<CampaignRenderer['render']>>;
    try {
      rendered = await this.renderer.render(
        qr.manager,
        c,
        samples.map((x) => ({ ...x, attempts: 0 })),
      );
    } finally {
      await qr.rollbackTransaction();
      await qr.release();
    }
    const skipped: Record<string, number> = {};
    const byVariant = c.variants.map(() => 0);
    let audienceSize = 0;
    for (const r of counts) {
      audienceSize += Number(r.n);
      if (r.skip_reason) skipped[r.skip_reason] = (skipped[r.skip_reason] ?? 0) + Number(r.n);
      else byVariant[Number(r.variant)] += Number(r.n);
    }
    const sendable = byVariant.reduce((x, y) => x + y, 0);
    return {
      audience: audienceSize,
      sendable,
      skipped,
      byVariant: c.variants.map((v, i) => ({ variant: v.name, recipients: byVariant[i] })),
      samples: rendered.map((r) => ({
        recipientKey: String(r.id),
        memberId: r.memberId,
        groupId: r.groupId,
        address: r.address,
        variant: c.variants[r.variant]?.name ?? c.variants[0].name,
        message: r.message,
      })),
    };
  }

  async deliveries(brandId: string, id: string, q: DeliveryQueryDto): Promise<Page<CampaignDelivery>> {
    const c = await this.get(brandId, id);
    const [afterId] = (decodeCursor(q.cursor, 1) ?? []) as string[];
    const qb = this.ds
      .getRepository(CampaignDelivery)
      .createQueryBuilder('d')
      .where('d.campaign_id = :id AND d.brand_id = :brandId', { id: c.id, brandId })
      .orderBy('d.id', 'ASC')
      .limit(q.limit + 1);
    if (afterId) qb.andWhere('d.id > :afterId', { afterId });
    if (q.status) qb.andWhere('d.status = :status', { status: q.status });
    if (q.reason) qb.andWhere('d.reason = :reason', { reason: q.reason });
    if (q.variant !== undefined) qb.andWhere('d.variant = :variant', { variant: q.variant });
    return toPage(
      await qb.getMany(),
      q.limit,
      (d) => [d.id],
      (d) => d,
    );
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private startJob(c: Campaign): PlannedJob {
    return { job: { kind: 'start', campaignId: c.id, version: c.scheduleVersion }, runAt: c.sendAt };
  }

  private async transition(
    actor: Actor,
    id: string,
    action: string,
    from: readonly CampaignStatus[],
    change: (c: Campaign) => Partial<Campaign>,
  ): Promise<Campaign> {
    return this.ds.transaction(async (m) => {
      const c = await this.lock(m, actor.brandId, id);
      this.assertState(action, c, from);
      const before = { status: c.status };
      const patch = change(c);
      Object.assign(c, patch);
      const saved = await m.getRepository(Campaign).save(c);
      await this.audit.record(m, actor, {
        action: `campaign.${action}`,
        entityType: 'campaign',
        entityId: id,
        before,
        after: { status: saved.status },
      });
      return saved;
    });
  }

  private async lock(m: EntityManager, brandId: string, id: string): Promise<Campaign> {
    const c = await m
      .getRepository(Campaign)
      .findOne({ where: { id, brandId }, lock: { mode: 'pessimistic_write' } });
    if (!c) throw CampaignException.notFound(id);
    // Moving into or out of `sending` waits for the brand's claims in flight (see lockClaimGate).
    await lockClaimGate(m, brandId);
    return c;
  }

  private assertState(action: string, c: Campaign, allowed: readonly CampaignStatus[]): void {
    if (!allowed.includes(c.status)) throw CampaignException.invalidState(action, c.status, allowed);
  }

  private variantsOf(
    message: ChannelMessage | undefined,
    variants: Array<{ name: string; weight: number; message: ChannelMessage }> | undefined,
    required: boolean,
  ): CampaignVariant[] | null {
    if (message && variants)
      throw new ValidationException([
        { field: 'variants', message: 'give either message or variants, not both' },
      ]);
    if (variants) {
      const names = variants.map((v) => v.name);
      if (new Set(names).size !== names.length)
        throw new ValidationException([{ field: 'variants', message: 'variant names must be distinct' }]);
      return variants.map((v) => ({ name: v.name, weight: v.weight, message: v.message }));
    }
    if (message) return [{ name: 'A', weight: 100, message }];
    if (required)
      throw new ValidationException([{ field: 'message', message: 'message (or variants) is required' }]);
    return null;
  }

  private audienceOf(a: CampaignCreateDto['audience']): CampaignAudience {
    switch (a.kind) {
      case 'segment':
        return { kind: 'segment', segmentId: a.segmentId as string };
      case 'registered':
        return { kind: 'registered', resolver: a.resolver as string, ref: a.ref as string };
      case 'list':
        return { kind: 'list', memberIds: [...new Set((a.memberIds ?? []).map((x) => x.toLowerCase()))] };
      case 'groups': {
        if (!a.all && !a.groupIds?.length && !a.chatIds?.length && !a.tagIds?.length)
          throw new ValidationException([
            { field: 'audience', message: 'name groupIds, chatIds or tagIds, or set all: true' },
          ]);
        return {
          kind: 'groups',
          ...(a.groupIds ? { groupIds: a.groupIds } : {}),
          ...(a.chatIds ? { chatIds: a.chatIds } : {}),
          ...(a.tagIds ? { tagIds: a.tagIds } : {}),
          ...(a.all ? { all: true } : {}),
        };
      }
    }
  }

  /**
   * Content, channel and audience fit together: the channel's own limits per variant, variables Siyu
   * can resolve (and that exist), the right audience kind for the channel. `deep` (at scheduling and
   * dry run) also checks that the channel is configured and the segment and OA app exist.
   */
  private async check(
    c: Pick<Campaign, 'brandId' | 'channel' | 'audience' | 'variants' | 'oaAppId' | 'sender'>,
    opts: { deep?: boolean } = {},
  ): Promise<void> {
    const errors: FieldError[] = [];
    const adapter = this.adapters.get(c.channel);
    const refs = new Map<string, Set<string>>();
    c.variants.forEach((v, i) => {
      const path = c.variants.length > 1 ? `variants[${i}].message` : 'message';
      for (const e of adapter.validate(v.message ?? {}))
        errors.push({ field: e.field.replace(/^message/, path), message: e.message });
      const vars = messageVariables(v.message ?? {}, path);
      errors.push(...vars.errors, ...channelVariableErrors(c.channel, vars.variables, path));
      for (const x of vars.variables) {
        if (x.kind !== 'ref') continue;
        if (!this.variables.get(x.ref))
          errors.push({
            field: path,
            message: `{{${x.ref}:…}} variables are not available (no ${x.ref} resolver)`,
          });
        else refs.set(x.ref, (refs.get(x.ref) ?? new Set()).add(x.id));
      }
    });
    const groupChannel = c.channel === 'wecom_group';
    if (groupChannel !== (c.audience.kind === 'groups'))
      errors.push({
        field: 'audience.kind',
        message: groupChannel
          ? 'a group-chat campaign goes to group chats: use kind "groups"'
          : 'a 1:1 or Official Account campaign goes to members: use kind "segment", "list" or "registered"',
      });
    if (c.audience.kind === 'registered' && !this.audienceSql.hasResolver(c.audience.resolver))
      errors.push({
        field: 'audience.resolver',
        message: `no audience resolver "${c.audience.resolver}" is registered`,
      });
    if (c.channel === 'oa' && !c.oaAppId)
      errors.push({ field: 'oaAppId', message: 'an OA campaign needs its OA app' });
    if (c.channel !== 'oa' && c.oaAppId)
      errors.push({ field: 'oaAppId', message: 'only OA campaigns name an OA app' });
    if (c.channel !== 'wecom_single' && c.sender)
      errors.push({ field: 'sender', message: 'only WeCom 1:1 campaigns choose a sender' });
    for (const [ref, ids] of refs) {
      for (const bad of await (
        this.variables.get(ref) as NonNullable<ReturnType<CampaignVariableRegistry['get']>>
      ).check(c.brandId, [...ids]))
        errors.push({ field: 'message', message: `{{${ref}:${bad.id}}}: ${bad.reason}` });
    }
    if (errors.length === 0 && opts.deep) {
      if (c.channel === 'oa') await this.audienceSql.oaAppId(c as Campaign);
      else {
        try {
          await this.accounts.getWecom(c.brandId);
        } catch {
          errors.push({
            field: 'channel',
            message: 'this brand has no WeCom corp configured (PUT /v1/channels/wecom)',
          });
        }
      }
      if (c.audience.kind === 'segment' || c.audience.kind === 'registered')
        await this.audienceSql.build(c as Campaign, []);
    }
    if (errors.length > 0) throw CampaignException.invalid(errors);
  }
}
