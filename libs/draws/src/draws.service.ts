import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
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
import { SegmentsService } from '@siyu/segments';
import { DataSource, EntityManager } from 'typeorm';
import { commitmentOf, newSeed } from './draw-fairness';
import { DrawPrizeRegistry } from './draw-prize.registry';
import { drawState, DrawTables, TablePrize } from './draw-table';
import { DEFAULT_FALLBACK_NAME, DrawState } from './draws.constants';
import { DrawException } from './draws.errors';
import type { DrawCreateDto, DrawPrizeInputDto, DrawQueryDto, DrawUpdateDto } from './dto/draw-input.dto';
import { Draw, DrawEligibility } from './entities/draw.entity';
import { DrawPrize } from './entities/draw-prize.entity';

export interface DrawRecord {
  draw: Draw;
  prizes: DrawPrize[];
  state: DrawState;
}

const snapshot = (
  d: Draw,
  prizes: Array<Pick<DrawPrize, 'name' | 'weight' | 'stock' | 'kind' | 'couponTemplateId' | 'note'>>,
) => ({
  name: d.name,
  status: d.status,
  startsAt: d.startsAt,
  endsAt: d.endsAt,
  eligibility: d.eligibility,
  limitTotal: d.limitTotal,
  limitPerDay: d.limitPerDay,
  fallbackName: d.fallbackName,
  fallbackWeight: d.fallbackWeight,
  commitment: d.commitment,
  prizes: prizes.map((p) => ({
    name: p.name,
    weight: p.weight,
    stock: p.stock,
    kind: p.kind,
    couponTemplateId: p.couponTemplateId,
    note: p.note,
  })),
});

/**
 * Draws as operators manage them: drafts (CRUD), publishing (the seed is drawn and its hash
 * committed; the table is fixed from then on), closing early. Every change is audited in the
 * transaction that makes it. The window, not a job, moves a published draw from scheduled to open to
 * closed, so nothing can be late.
 */
@Injectable()
export class DrawsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly registry: DrawPrizeRegistry,
    private readonly segments: SegmentsService,
    private readonly tables: DrawTables,
  ) {}

  async create(actor: Actor, dto: DrawCreateDto): Promise<DrawRecord> {
    const window = this.window(dto.startsAt, dto.endsAt);
    const eligibility = this.eligibilityOf(dto.eligibility);
    await this.checkRefs(actor.brandId, dto.prizes, eligibility);
    return this.ds.transaction(async (m) => {
      const draw = await m.getRepository(Draw).save(
        m.getRepository(Draw).create({
          brandId: actor.brandId,
          name: dto.name,
          rules: dto.rules ?? '',
          startsAt: window.startsAt,
          endsAt: window.endsAt,
          eligibility,
          limitTotal: dto.limitTotal ?? null,
          limitPerDay: dto.limitPerDay ?? null,
          fallbackName: dto.fallbackName ?? DEFAULT_FALLBACK_NAME,
          fallbackWeight: dto.fallbackWeight ?? 0,
          createdById: actor.actorType === 'operator' ? actor.actorId : null,
        }),
      );
      const prizes = await this.writePrizes(m, draw, dto.prizes);
      await this.audit.record(m, actor, {
        action: 'draw.created',
        entityType: 'draw',
        entityId: draw.id,
        after: snapshot(draw, prizes),
      });
      return { draw, prizes, state: drawState(draw) };
    });
  }

  async update(actor: Actor, id: string, dto: DrawUpdateDto): Promise<DrawRecord> {
    return this.ds.transaction(async (m) => {
      const draw = await this.lock(m, actor.brandId, id);
      const state = drawState(draw);
      if (state !== 'draft') throw DrawException.invalidState('edit', state, ['draft']);
      const prizesBefore = await this.prizesOf(m, id);
      const before = snapshot(draw, prizesBefore);
      const window = this.window(
        dto.startsAt ?? draw.startsAt.toISOString(),
        dto.endsAt ?? draw.endsAt.toISOString(),
        dto.startsAt !== undefined ? 'startsAt' : 'endsAt',
      );
      const eligibility =
        dto.eligibility !== undefined ? this.eligibilityOf(dto.eligibility) : draw.eligibility;
      if (dto.prizes !== undefined || dto.eligibility !== undefined)
        await this.checkRefs(actor.brandId, dto.prizes ?? prizesBefore.map(toInput), eligibility);
      Object.assign(draw, {
        ...(dto.name !== undefined ? { name: dto.name } : {}),
        ...(dto.rules !== undefined ? { rules: dto.rules } : {}),
        startsAt: window.startsAt,
        endsAt: window.endsAt,
        eligibility,
        ...(dto.limitTotal !== undefined ? { limitTotal: dto.limitTotal ?? null } : {}),
        ...(dto.limitPerDay !== undefined ? { limitPerDay: dto.limitPerDay ?? null } : {}),
        ...(dto.fallbackName !== undefined ? { fallbackName: dto.fallbackName } : {}),
        ...(dto.fallbackWeight !== undefined ? { fallbackWeight: dto.fallbackWeight } : {}),
      });
      const saved = await m.getRepository(Draw).save(draw);
      let prizes = prizesBefore;
      if (dto.prizes !== undefined) {
        await m.delete(DrawPrize, { drawId: id });
        prizes = await this.writePrizes(m, saved, dto.prizes);
      }
      await this.audit.record(m, actor, {
        action: 'draw.updated',
        entityType: 'draw',
        entityId: id,
        before,
        after: snapshot(saved, prizes),
      });
      return { draw: saved, prizes, state: drawState(saved) };
    });
  }

  async remove(actor: Actor, id: string): Promise<void> {
    await this.ds.transaction(async (m) => {
      const draw = await this.lock(m, actor.brandId, id);
      const state = drawState(draw);
      if (state !== 'draft') throw DrawException.invalidState('delete', state, ['draft']);
      const before = snapshot(draw, await this.prizesOf(m, id));
      await m.delete(Draw, { id, brandId: actor.brandId });
      await this.audit.record(m, actor, { action: 'draw.deleted', entityType: 'draw', entityId: id, before });
    });
  }

  /**
   * draft → published: draws the seed from the CSPRNG and commits to its SHA-256. From here the table
   * is fixed; the draw is `scheduled` until `startsAt`, then `open` until `endsAt`.
   */
  async publish(actor: Actor, id: string): Promise<DrawRecord> {
    return this.ds.transaction(async (m) => {
      const draw = await this.lock(m, actor.brandId, id);
      const state = drawState(draw);
      if (state !== 'draft') throw DrawException.invalidState('publish', state, ['draft']);
      if (draw.endsAt.getTime() <= Date.now())
        throw new ValidationException([
          { field: 'endsAt', message: 'the window is over; move endsAt first' },
        ]);
      const prizes = await this.prizesOf(m, id);
      await this.checkRefs(actor.brandId, prizes.map(toInput), draw.eligibility);
      const before = snapshot(draw, prizes);
      const seed = newSeed();
      const commitment = commitmentOf(seed);
      await m.query(
        `UPDATE draws SET status = 'published', seed = $2, commitment = $3, published_at = now(), updated_at = now()
          WHERE id = $1`,
        [id, seed, commitment],
      );
      const saved = await this.lock(m, actor.brandId, id);
      await this.audit.record(m, actor, {
        action: 'draw.published',
        entityType: 'draw',
        entityId: id,
        before,
        after: snapshot(saved, prizes),
      });
      return { draw: saved, prizes, state: drawState(saved) };
    });
  }

  /** Closes a published draw now (also one past its end, to record it); the seed is revealed. */
  async close(actor: Actor, id: string): Promise<DrawRecord> {
    return this.ds.transaction(async (m) => {
      // FOR UPDATE waits for entries in flight (they hold FOR KEY SHARE), so none lands after it.
      const draw = await this.lock(m, actor.brandId, id);
      const state = drawState(draw);
      if (draw.status !== 'published')
        throw DrawException.invalidState('close', state, ['scheduled', 'open']);
      const prizes = await this.prizesOf(m, id);
      const before = snapshot(draw, prizes);
      await m.query(
        `UPDATE draws SET status = 'closed', closed_at = now(), updated_at = now() WHERE id = $1`,
        [id],
      );
      const saved = await this.lock(m, actor.brandId, id);
      await this.audit.record(m, actor, {
        action: 'draw.closed',
        entityType: 'draw',
        entityId: id,
        before: { ...before, state },
        after: snapshot(saved, prizes),
      });
      return { draw: saved, prizes, state: drawState(saved) };
    });
  }

  /** One draw; members (`visibleToMembers`) do not see drafts. */
  async get(brandId: string, id: string, opts: { publishedOnly?: boolean } = {}): Promise<DrawRecord> {
    const draw = await this.ds.getRepository(Draw).findOneBy({ id, brandId });
    if (!draw || (opts.publishedOnly && draw.status === 'draft')) throw DrawException.notFound(id);
    return { draw, prizes: await this.prizesOf(this.ds.manager, id), state: drawState(draw) };
  }

  async list(brandId: string, q: DrawQueryDto): Promise<Page<DrawRecord>> {
    const qb = newestFirstQuery(this.ds.getRepository(Draw), 'd', brandId, q);
    if (q.state === 'draft') qb.andWhere(`d.status = 'draft'`);
    if (q.state === 'scheduled') qb.andWhere(`d.status = 'published' AND now() < d.starts_at`);
    if (q.state === 'open')
      qb.andWhere(`d.status = 'published' AND now() >= d.starts_at AND now() < d.ends_at`);
    if (q.state === 'closed')
      qb.andWhere(`(d.status = 'closed' OR (d.status = 'published' AND now() >= d.ends_at))`);
    const page = await newestFirstPage(qb, q.limit);
    const prizes: DrawPrize[] = page.items.length
      ? await this.ds
          .getRepository(DrawPrize)
          .createQueryBuilder('p')
          .where('p.draw_id IN (:...ids)', { ids: page.items.map((d) => d.id) })
          .orderBy('p.position')
          .getMany()
      : [];
    return {
      items: page.items.map((draw) => ({
        draw,
        prizes: prizes.filter((p) => p.drawId === draw.id),
        state: drawState(draw),
      })),
      nextCursor: page.nextCursor,
    };
  }

  /** The seed, once the draw is closed (null before). */
  async revealedSeed(brandId: string, id: string): Promise<Buffer | null> {
    const { draw, state } = await this.get(brandId, id);
    if (state !== 'closed' || draw.status === 'draft') return null;
    return (await this.tables.get(id)).seed;
  }

  // ---------------------------------------------------------------------------------------------

  private window(startsAt: string, endsAt: string, blame: 'startsAt' | 'endsAt' = 'endsAt') {
    const s = new Date(startsAt);
    const e = new Date(endsAt);
    if (!(e.getTime() > s.getTime()))
      throw new ValidationException([{ field: blame, message: 'endsAt must be after startsAt' }]);
    return { startsAt: s, endsAt: e };
  }

  private eligibilityOf(dto: DrawEligibility | undefined): DrawEligibility {
    if (!dto) return {};
    return {
      ...(dto.tierIds ? { tierIds: [...new Set(dto.tierIds.map((x) => x.toLowerCase()))] } : {}),
      ...(dto.segmentId ? { segmentId: dto.segmentId.toLowerCase() } : {}),
      ...(dto.groupIds ? { groupIds: [...new Set(dto.groupIds.map((x) => x.toLowerCase()))] } : {}),
    };
  }

  /** 422 naming each reference that is not the brand's or cannot be used (coupon templates, tiers, …). */
  private async checkRefs(
    brandId: string,
    prizes: Array<Pick<DrawPrizeInputDto, 'kind' | 'couponTemplateId' | 'note'>>,
    eligibility: DrawEligibility,
  ): Promise<void> {
    const errors: FieldError[] = [];
    prizes.forEach((p, i) => {
      if (p.kind !== 'coupon' && p.couponTemplateId)
        errors.push({
          field: `prizes[${i}].couponTemplateId`,
          message: 'only coupon prizes take a template',
        });
    });
    const coupons = prizes
      .map((p, i) => ({ i, id: p.couponTemplateId }))
      .filter((p, i): p is { i: number; id: string } => prizes[i].kind === 'coupon' && !!p.id);
    if (coupons.length > 0) {
      const fulfiller = this.registry.get('coupon');
      if (!fulfiller)
        for (const c of coupons)
          errors.push({
            field: `prizes[${c.i}].couponTemplateId`,
            message: 'coupon prizes cannot be issued: no coupon fulfiller is installed',
          });
      else {
        const bad = new Map(
          (await fulfiller.check(brandId, [...new Set(coupons.map((c) => c.id))])).map((b) => [
            b.id,
            b.reason,
          ]),
        );
        for (const c of coupons)
          if (bad.has(c.id))
            errors.push({ field: `prizes[${c.i}].couponTemplateId`, message: bad.get(c.id) ?? 'unusable' });
      }
    }
    if (eligibility.tierIds) {
      const rows: Array<{ id: string }> = await this.ds.query(
        `SELECT id FROM tiers WHERE brand_id = $1 AND id = ANY($2::uuid[])`,
        [brandId, eligibility.tierIds],
      );
      const known = new Set(rows.map((r) => r.id));
      eligibility.tierIds.forEach((id, i) => {
        if (!known.has(id))
          errors.push({
            field: `eligibility.tierIds[${i}]`,
            message: `${id} is not one of this brand's tiers`,
          });
      });
    }
    if (eligibility.groupIds) {
      const rows: Array<{ id: string }> = await this.ds.query(
        `SELECT id FROM community_groups WHERE brand_id = $1 AND id = ANY($2::uuid[])`,
        [brandId, eligibility.groupIds],
      );
      const known = new Set(rows.map((r) => r.id));
      eligibility.groupIds.forEach((id, i) => {
        if (!known.has(id))
          errors.push({
            field: `eligibility.groupIds[${i}]`,
            message: `${id} is not one of this brand's group chats`,
          });
      });
    }
    if (eligibility.segmentId) {
      try {
        await this.segments.get(brandId, eligibility.segmentId);
      } catch (err) {
        if (!(err instanceof DomainException) || err.status !== 404) throw err;
        errors.push({
          field: 'eligibility.segmentId',
          message: `${eligibility.segmentId} is not one of this brand's segments`,
        });
      }
    }
    if (errors.length > 0) throw DrawException.invalid(errors);
  }

  private async writePrizes(m: EntityManager, draw: Draw, prizes: DrawPrizeInputDto[]): Promise<DrawPrize[]> {
    const repo = m.getRepository(DrawPrize);
    return repo.save(
      prizes.map((p, position) =>
        repo.create({
          drawId: draw.id,
          brandId: draw.brandId,
          position,
          name: p.name,
          weight: p.weight,
          kind: p.kind,
          couponTemplateId: p.kind === 'coupon' ? (p.couponTemplateId ?? null) : null,
          note: p.note ?? null,
          stock: p.stock ?? null,
          remaining: p.stock ?? null,
        }),
      ),
    );
  }

  private prizesOf(m: EntityManager, drawId: string): Promise<DrawPrize[]> {
    return m.getRepository(DrawPrize).find({ where: { drawId }, order: { position: 'ASC' } });
  }

  private async lock(m: EntityManager, brandId: string, id: string): Promise<Draw> {
    const draw = await m
      .getRepository(Draw)
      .createQueryBuilder('d')
      .setLock('pessimistic_write')
      .where('d.id = :id AND d.brand_id = :brandId', { id, brandId })
      .getOne();
    if (!draw) throw DrawException.notFound(id);
    return draw;
  }
}

const toInput = (p: DrawPrize | TablePrize): DrawPrizeInputDto => ({
  name: p.name,
  weight: p.weight,
  stock: p.stock,
  kind: p.kind,
  couponTemplateId: p.couponTemplateId ?? undefined,
  note: p.note ?? undefined,
});
