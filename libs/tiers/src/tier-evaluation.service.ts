import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MemberOrdersChanged } from '@siyu/commerce';
import { Actor } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { TierEventsPublisher } from './tier-events';
import { previousSlot, windowStart } from './tier-time';
import { TierChangeReason, TierEvaluationTrigger } from './tiers.constants';
import { EvaluationCounts, LadderRecord, TierRecord, TiersRepository } from './tiers.repository';

/** Per transaction of a whole-brand run (one at a time per brand; a worker runs at most two). */
const WHOLE_BRAND_WORK_MEM = '64MB';
/**
 * A whole-brand run decides for every member in one set-based pass, then writes the members whose
 * tier or grace changes in statements of this many, in member id order: each statement's
 * member_tiers and tier_changes pages, index leaves and key checks stay in shared buffers, and its
 * in-between results fit in work_mem, where one statement writing a million members spilled both.
 * Still one transaction: a run is all or nothing.
 */
export const EVALUATION_BATCH = 50_000;

/** What a whole-brand run did (a tier_evaluations row). */
export interface TierEvaluationSummary {
  evaluationId: string;
  brandId: string;
  trigger: TierEvaluationTrigger;
  at: Date;
  assigned: number;
  upgraded: number;
  downgraded: number;
  remapped: number;
  graceStarted: number;
  graceCleared: number;
  changes: number;
}

export interface ReevaluateOptions {
  trigger: TierEvaluationTrigger;
  workItemId?: string | null;
  /** Scheduled and catch-up runs: skip when a run already covered the slot due at `at`. */
  onlyIfDue?: boolean;
}

export type ReevaluateOutcome =
  | ({ skipped?: undefined } & TierEvaluationSummary)
  | { skipped: 'no-ladder' | 'already-evaluated'; brandId: string };

/**
 * Tier evaluation: the upgrade on an order (inside the order's transaction), whole-brand runs
 * (scheduled, caught up, on demand) and the evaluation part of a ladder save. Every function takes
 * an explicit `at` so callers (and tests) control time.
 */
@Injectable()
export class TierEvaluationService {
  private readonly logger = new Logger(TierEvaluationService.name);
  /** Members per statement of a whole-brand run (tests lower it to run several batches on a few). */
  batchSize = EVALUATION_BATCH;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: TiersRepository,
    private readonly publisher: TierEventsPublisher,
  ) {}

  /**
   * The CommerceHooks listener: the members whose order aggregates just changed move up at once if
   * they now qualify higher (never down: a refund lowers progress, and only a re-evaluation after
   * the grace period can downgrade). Runs in the order's transaction, so it commits with the order.
   */
  async onMemberOrdersChanged(m: EntityManager, change: MemberOrdersChanged, at = new Date()): Promise<void> {
    await this.upgradeMembers(m, change.brandId, change.memberIds, at, 'order');
  }

  async upgradeMembers(
    m: EntityManager,
    brandId: string,
    memberIds: string[],
    at: Date,
    reason: TierChangeReason,
  ): Promise<EvaluationCounts | null> {
    if (memberIds.length === 0) return null;
    // KEY SHARE: many orders at once, alongside a running re-evaluation; waits only for a ladder save.
    const ladder = await this.repo.ladder(brandId, m, 'KEY SHARE');
    if (!ladder) return null;
    const tiers = await this.repo.tiers(brandId, m);
    const counts = await this.repo.evaluate(m, {
      ...this.basePlan(ladder, tiers, at),
      mode: 'upgrade',
      reason,
      memberIds: [...new Set(memberIds)],
      returnChangeIds: true,
    });
    await this.publisher.record(m, brandId, { kind: 'ids', ids: counts.changeIds ?? [] });
    return counts;
  }

  /**
   * A whole-brand re-evaluation in one transaction (the only place downgrades happen): upgrades,
   * grace starts and ends, downgrades after grace, tiers for members who had none. Serialised per
   * brand by the ladder row (NO KEY UPDATE), so orders keep flowing while it runs.
   */
  async reevaluate(brandId: string, at: Date, opts: ReevaluateOptions): Promise<ReevaluateOutcome> {
    return this.ds.transaction((m) => this.reevaluateIn(m, brandId, at, opts));
  }

  async reevaluateIn(
    m: EntityManager,
    brandId: string,
    at: Date,
    opts: ReevaluateOptions,
  ): Promise<ReevaluateOutcome> {
    const ladder = await this.repo.ladder(brandId, m, 'NO KEY UPDATE');
    if (!ladder) return { skipped: 'no-ladder', brandId };
    if (opts.onlyIfDue) {
      const slot = previousSlot(at, ladder.timeZone, ladder.reevaluation, ladder.reevaluationTime);
      if (ladder.lastEvaluatedAt && ladder.lastEvaluatedAt >= slot)
        return { skipped: 'already-evaluated', brandId };
    }
    const tiers = await this.repo.tiers(brandId, m);
    const summary = await this.run(m, ladder, tiers, at, {
      trigger: opts.trigger,
      workItemId: opts.workItemId ?? null,
      mode: 'full',
      reason: 'reevaluation',
      actor: null,
    });
    await m.query(`UPDATE tier_ladders SET last_evaluated_at = $2 WHERE brand_id = $1`, [brandId, at]);
    this.logger.log({ ...summary }, `tiers re-evaluated for brand ${brandId}`);
    return summary;
  }

  /** A whole-brand evaluation recorded as a tier_evaluations row (also used by a ladder save). */
  async run(
    m: EntityManager,
    ladder: LadderRecord,
    tiers: TierRecord[],
    at: Date,
    o: {
      trigger: TierEvaluationTrigger;
      workItemId: string | null;
      mode: 'upgrade' | 'full';
      reason: TierChangeReason;
      actor: Actor | null;
      previous?: TierRecord[];
    },
  ): Promise<TierEvaluationSummary> {
    // Whole-brand statements sort and hash a row per member: let them do it in memory.
    await m.query(`SET LOCAL work_mem = '${WHOLE_BRAND_WORK_MEM}'`);
    const [{ id }]: Array<{ id: string }> = await m.query(
      `INSERT INTO tier_evaluations (brand_id, trigger, work_item_id, at) VALUES ($1, $2, $3, $4) RETURNING id::text AS id`,
      [ladder.brandId, o.trigger, o.workItemId, at],
    );
    const plan = {
      ...this.basePlan(ladder, tiers, at),
      previous: o.previous,
      mode: o.mode,
      reason: o.reason,
      evaluationId: id,
      actor: o.actor,
    };
    const decided = await this.repo.prepareRun(m, plan);
    const counts: EvaluationCounts = {
      assigned: 0,
      upgraded: 0,
      downgraded: 0,
      remapped: 0,
      graceStarted: 0,
      graceCleared: 0,
      changes: 0,
      firstChangeId: null,
      lastChangeId: null,
      changeIds: null,
    };
    for (let from = 0; from < decided; from += this.batchSize) {
      const batch = await this.repo.evaluate(m, { ...plan, batch: { from, to: from + this.batchSize } });
      counts.assigned += batch.assigned;
      counts.upgraded += batch.upgraded;
      counts.downgraded += batch.downgraded;
      counts.remapped += batch.remapped;
      counts.graceStarted += batch.graceStarted;
      counts.graceCleared += batch.graceCleared;
      counts.changes += batch.changes;
      counts.firstChangeId ??= batch.firstChangeId;
      counts.lastChangeId = batch.lastChangeId ?? counts.lastChangeId;
    }
    await this.repo.finishRun(m);
    await m.query(
      `UPDATE tier_evaluations
          SET assigned = $2, upgraded = $3, downgraded = $4, remapped = $5, grace_started = $6,
              grace_cleared = $7, first_change_id = $8, last_change_id = $9, finished_at = clock_timestamp()
        WHERE id = $1`,
      [
        id,
        counts.assigned,
        counts.upgraded,
        counts.downgraded,
        counts.remapped,
        counts.graceStarted,
        counts.graceCleared,
        counts.firstChangeId,
        counts.lastChangeId,
      ],
    );
    if (counts.firstChangeId && counts.lastChangeId) {
      await this.publisher.record(m, ladder.brandId, {
        kind: 'run',
        first: counts.firstChangeId,
        last: counts.lastChangeId,
        evaluationId: id,
      });
    }
    return {
      evaluationId: id,
      brandId: ladder.brandId,
      trigger: o.trigger,
      at,
      assigned: counts.assigned,
      upgraded: counts.upgraded,
      downgraded: counts.downgraded,
      remapped: counts.remapped,
      graceStarted: counts.graceStarted,
      graceCleared: counts.graceCleared,
      changes: counts.changes,
    };
  }

  private basePlan(ladder: LadderRecord, tiers: TierRecord[], at: Date) {
    return {
      brandId: ladder.brandId,
      at,
      timeZone: ladder.timeZone,
      basis: ladder.basis,
      windowDays: ladder.windowDays,
      windowStart: windowStart(at, ladder.timeZone, ladder.windowDays),
      graceDays: ladder.graceDays,
      tiers,
    };
  }
}
