import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AfterCommit, AuditService, BrandsService, ValidationException } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { TierLadderPutDto } from './dto/tier-ladder-put.dto';
import {
  TierEvaluationResponseDto,
  TierLadderResponseDto,
  TierPreviewResponseDto,
} from './dto/tier-ladder-response.dto';
import { TierEvaluationService, TierEvaluationSummary } from './tier-evaluation.service';
import { ladderErrors, matchTiers } from './tier-ladder.rules';
import { TierSchedulesService } from './tier-schedules.service';
import { nextSlot, windowStart } from './tier-time';
import { LadderRecord, TierRecord, TiersRepository } from './tiers.repository';

/** The ladder's defaults before the first save (the entity's column defaults). */
const DEFAULTS = {
  basis: 'paid_spend',
  windowDays: null,
  graceDays: 30,
  reevaluation: 'monthly',
  reevaluationTime: '03:00',
} as const;

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);

/** Ranks are moved out of the way by this much while a save reorders tiers (unique (brand, rank)). */
const RANK_PARKING = 1_000;

function ladderSnapshot(l: LadderRecord, tiers: TierRecord[]) {
  return {
    basis: l.basis,
    windowDays: l.windowDays,
    graceDays: l.graceDays,
    reevaluation: l.reevaluation,
    reevaluationTime: l.reevaluationTime,
    tiers: tiers.map((t) => ({
      id: t.id,
      name: t.name,
      rank: t.rank,
      threshold: t.threshold,
      perks: t.perks,
    })),
  };
}

export function evaluationDto(r: Record<string, unknown>): TierEvaluationResponseDto {
  return {
    id: String(r.id),
    trigger: r.trigger as TierEvaluationResponseDto['trigger'],
    at: r.at as Date,
    assigned: Number(r.assigned),
    upgraded: Number(r.upgraded),
    downgraded: Number(r.downgraded),
    remapped: Number(r.remapped),
    graceStarted: Number(r.grace_started),
    graceCleared: Number(r.grace_cleared),
    finishedAt: (r.finished_at as Date | null) ?? null,
  };
}

/** The ladder: read it, preview a proposed one, replace it. */
@Injectable()
export class TierLadderService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: TiersRepository,
    private readonly evaluation: TierEvaluationService,
    private readonly schedules: TierSchedulesService,
    private readonly brands: BrandsService,
    private readonly audit: AuditService,
    private readonly afterCommit: AfterCommit,
  ) {}

  async get(brandId: string, now = new Date()): Promise<TierLadderResponseDto> {
    const ladder = await this.repo.ladder(brandId);
    const timeZone = ladder?.timeZone ?? (await this.brands.get(brandId)).timeZone;
    const [tiers, counts, unassigned] = await Promise.all([
      this.repo.tiers(brandId),
      this.repo.distribution(brandId),
      this.repo.unassigned(brandId),
    ]);
    const [last]: Record<string, unknown>[] = await this.ds.query(
      `SELECT * FROM tier_evaluations WHERE brand_id = $1 ORDER BY id DESC LIMIT 1`,
      [brandId],
    );
    const settings = ladder ?? DEFAULTS;
    return {
      configured: ladder !== null,
      basis: settings.basis,
      windowDays: settings.windowDays,
      graceDays: settings.graceDays,
      reevaluation: settings.reevaluation,
      reevaluationTime: settings.reevaluationTime,
      timeZone,
      lastEvaluatedAt: ladder?.lastEvaluatedAt ?? null,
      nextEvaluationAt: ladder ? nextSlot(now, timeZone, ladder.reevaluation, ladder.reevaluationTime) : null,
      unassigned,
      tiers: tiers.map((t) => ({ ...t, members: counts.get(t.id) ?? 0 })),
      lastEvaluation: last ? evaluationDto(last) : null,
    };
  }

  /**
   * How the proposed ladder would distribute the brand's members, beside the current distribution;
   * one query, no writes. `members` per proposed tier is exactly what saving it would produce.
   */
  async preview(brandId: string, dto: TierLadderPutDto, at = new Date()): Promise<TierPreviewResponseDto> {
    this.validate(dto);
    const ladder = await this.repo.ladder(brandId);
    const timeZone = ladder?.timeZone ?? (await this.brands.get(brandId)).timeZone;
    const existing = await this.repo.tiers(brandId);
    const { keptIds, errors } = matchTiers(existing, dto.tiers);
    if (errors.length > 0) throw new ValidationException(errors);
    const windowDays = dto.windowDays ?? null;
    const start = windowStart(at, timeZone, windowDays);
    const thresholds = dto.tiers.map((t) => String(t.threshold));
    const result = await this.repo.preview(brandId, dto.basis, start, thresholds, keptIds);
    const kept = new Set(keptIds.filter((id): id is string => id !== null));
    return {
      basis: dto.basis,
      windowDays,
      windowStart: start,
      proposed: dto.tiers.map((t, rank) => ({
        id: keptIds[rank],
        name: t.name.trim(),
        rank,
        threshold: thresholds[rank],
        members: result.after.get(rank) ?? 0,
        qualifying: result.qualifying.get(rank) ?? 0,
      })),
      current: existing.map((t) => ({
        id: t.id,
        name: t.name,
        rank: t.rank,
        threshold: t.threshold,
        members: result.current.get(t.id) ?? 0,
        kept: kept.has(t.id),
      })),
      // every member lands in some proposed tier; those not in a current one have no tier now
      unassigned: sum(result.after.values()) - sum(result.current.values()),
    };
  }

  /**
   * Replaces the ladder atomically (audited with before/after). Tiers are kept by id or name, so their
   * members and history stay; new thresholds apply upgrades at once (reason 'ladder'); downgrades they
   * cause wait for re-evaluation and its grace period; members of a removed tier move to the highest
   * tier they qualify for (reason 'ladder'), then the tier is deleted.
   */
  async save(
    actor: Actor,
    dto: TierLadderPutDto,
    at = new Date(),
  ): Promise<{ ladder: TierLadderResponseDto; evaluation: TierEvaluationSummary }> {
    this.validate(dto);
    const brandId = actor.brandId;
    const evaluation = await this.ds.transaction(async (m) => {
      let ladder = await this.repo.ladder(brandId, m, 'UPDATE');
      const created = ladder === null;
      if (!ladder) {
        await m.query(`INSERT INTO tier_ladders (brand_id) VALUES ($1) ON CONFLICT (brand_id) DO NOTHING`, [
          brandId,
        ]);
        ladder = (await this.repo.ladder(brandId, m, 'UPDATE')) as LadderRecord;
      }
      const previous = await this.repo.tiers(brandId, m);
      const { keptIds, errors } = matchTiers(previous, dto.tiers);
      if (errors.length > 0) throw new ValidationException(errors);

      const next = await this.replaceTiers(m, brandId, dto, keptIds, previous.length > 0);
      await m.query(
        `UPDATE tier_ladders SET basis = $2, window_days = $3, grace_days = $4, reevaluation = $5,
                reevaluation_time = $6, updated_at = now()
          WHERE brand_id = $1`,
        [brandId, dto.basis, dto.windowDays ?? null, dto.graceDays, dto.reevaluation, dto.reevaluationTime],
      );
      const saved = (await this.repo.ladder(brandId, m)) as LadderRecord;
      const summary = await this.evaluation.run(m, saved, next, at, {
        trigger: 'ladder',
        workItemId: null,
        mode: 'upgrade',
        reason: 'ladder',
        actor,
        previous,
      });
      const removed = previous.filter((t) => !keptIds.includes(t.id)).map((t) => t.id);
      if (removed.length > 0)
        await m.query(`DELETE FROM tiers WHERE brand_id = $1 AND id = ANY($2::uuid[])`, [brandId, removed]);

      await this.audit.record(m, actor, {
        action: created ? 'tiers.ladder.create' : 'tiers.ladder.update',
        entityType: 'tier_ladder',
        entityId: brandId,
        before: created ? null : ladderSnapshot(ladder, previous),
        after: {
          ...ladderSnapshot(saved, next),
          removedTierIds: removed,
          evaluation: {
            id: summary.evaluationId,
            assigned: summary.assigned,
            upgraded: summary.upgraded,
            remapped: summary.remapped,
            graceCleared: summary.graceCleared,
          },
        },
      });
      await this.afterCommit.run(m, () => this.schedules.ensureQuietly(saved));
      return summary;
    });
    return { ladder: await this.get(brandId, at), evaluation };
  }

  private validate(dto: TierLadderPutDto): void {
    const errors = ladderErrors(dto);
    if (errors.length > 0) throw new ValidationException(errors);
  }

  /** Writes the proposed tiers (kept ones updated in place, new ones inserted); returns them by rank. */
  private async replaceTiers(
    m: EntityManager,
    brandId: string,
    dto: TierLadderPutDto,
    keptIds: Array<string | null>,
    hadTiers: boolean,
  ): Promise<TierRecord[]> {
    // Park every existing tier on a free rank and name, so kept tiers can swap ranks and names.
    if (hadTiers)
      await m.query(
        `UPDATE tiers SET rank = rank + ${RANK_PARKING}, name = '~' || id::text WHERE brand_id = $1`,
        [brandId],
      );
    const next: TierRecord[] = [];
    for (const [rank, t] of dto.tiers.entries()) {
      const row = {
        name: t.name.trim(),
        rank,
        threshold: String(t.threshold),
        perks: t.perks ?? {},
      };
      const keptId = keptIds[rank];
      if (keptId) {
        await m.query(
          `UPDATE tiers SET name = $3, rank = $4, threshold = $5, perks = $6, updated_at = now()
            WHERE brand_id = $1 AND id = $2`,
          [brandId, keptId, row.name, rank, row.threshold, JSON.stringify(row.perks)],
        );
        next.push({ id: keptId, ...row });
      } else {
        const [{ id }]: Array<{ id: string }> = await m.query(
          `INSERT INTO tiers (brand_id, name, rank, threshold, perks) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
          [brandId, row.name, rank, row.threshold, JSON.stringify(row.perks)],
        );
        next.push({ id, ...row });
      }
    }
    return next;
  }
}
