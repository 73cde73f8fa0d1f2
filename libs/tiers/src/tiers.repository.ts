import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { countedOrderSql, netSpendSql } from '@siyu/commerce';
import { DataSource, EntityManager } from 'typeorm';
import { TierBasis, TierChangeReason, TierReevaluation } from './tiers.constants';

/** A brand's ladder settings with the brand's time zone. */
export interface LadderRecord {
  brandId: string;
  basis: TierBasis;
  windowDays: number | null;
  graceDays: number;
  reevaluation: TierReevaluation;
  reevaluationTime: string;
  lastEvaluatedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  timeZone: string;
}

export interface TierRecord {
  id: string;
  name: string;
  rank: number;
  /** Minor units or an order count (bigint as a string). */
  threshold: string;
  perks: Record<string, unknown>;
}

/**
 * `KEY SHARE`: an order's upgrade (many at once, never blocks a re-evaluation);
 * `NO KEY UPDATE`: a re-evaluation (one at a time per brand; orders still flow);
 * `UPDATE`: a ladder save (alone: its tiers are being replaced).
 */
export type LadderLock = 'KEY SHARE' | 'NO KEY UPDATE' | 'UPDATE';

/** What one evaluation statement is asked to do. */
export interface EvaluationPlan {
  brandId: string;
  at: Date;
  timeZone: string;
  basis: TierBasis;
  windowDays: number | null;
  /** Brand-local start of the rolling window (see tier-time.ts), null for lifetime. */
  windowStart: Date | null;
  graceDays: number;
  /** The ladder to evaluate against, by rank. */
  tiers: TierRecord[];
  /** The ladder as it was before a save (for the history's names and ranks); defaults to `tiers`. */
  previous?: TierRecord[];
  /**
   * `upgrade`: give members without a tier theirs, move members up, end grace for those who qualify
   * again, move members off removed tiers. `full` (re-evaluation) adds grace and downgrades.
   */
  mode: 'upgrade' | 'full';
  reason: TierChangeReason;
  /** Only these members (an order's upgrade); all of the brand's members when absent. */
  memberIds?: string[];
  /** The tier_evaluations row of a whole-brand run, stamped on its changes. */
  evaluationId?: string | null;
  /** Return the ids of the changes made (small scopes only). */
  returnChangeIds?: boolean;
  /**
   * One batch of a whole-brand run: members with ids above `after` and up to `upto` (either
   * bound absent: open). See `batchBounds`.
   */
  range?: { after: string | null; upto: string | null };
  /** The operator who made the changes (a ladder save); absent or null: the system. */
  actor?: { actorType: string; actorId: string | null } | null;
}

export interface EvaluationCounts {
  assigned: number;
  upgraded: number;
  downgraded: number;
  remapped: number;
  graceStarted: number;
  graceCleared: number;
  changes: number;
  firstChangeId: string | null;
  lastChangeId: string | null;
  changeIds: string[] | null;
}

export interface TierChangeRow {
  id: string;
  brandId: string;
  memberId: string;
  fromTierId: string | null;
  toTierId: string;
  reason: TierChangeReason;
  data: Record<string, unknown>;
  at: Date;
}

type Raw = Record<string, unknown>;

const ladderFrom = (r: Raw): LadderRecord => ({
  brandId: r.brand_id as string,
  basis: r.basis as TierBasis,
  windowDays: r.window_days === null ? null : Number(r.window_days),
  graceDays: Number(r.grace_days),
  reevaluation: r.reevaluation as TierReevaluation,
  reevaluationTime: r.reevaluation_time as string,
  lastEvaluatedAt: (r.last_evaluated_at as Date | null) ?? null,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  timeZone: r.time_zone as string,
});

export const changeFrom = (r: Raw): TierChangeRow => ({
  id: String(r.id),
  brandId: r.brand_id as string,
  memberId: r.member_id as string,
  fromTierId: (r.from_tier_id as string | null) ?? null,
  toTierId: r.to_tier_id as string,
  reason: r.reason as TierChangeReason,
  data: (r.data as Record<string, unknown>) ?? {},
  at: r.at as Date,
});

/**
 * The qualifying value per member as SQL over `members m`: lifetime reads the aggregates commerce
 * keeps (paid spend net of refunds, counted orders); a rolling window sums the counted orders placed
 * since the window start (`windowParam`), of the members `scope` keeps (`AND …` over
 * `o.member_id`, or '' for all).
 */
function qualifyingValue(
  basis: TierBasis,
  windowed: boolean,
  brandParam: string,
  windowParam: string,
  scope: string,
): { join: string; value: string } {
  if (!windowed) {
    return {
      join: '',
      value: basis === 'paid_spend' ? 'm.paid_spend_minor::bigint' : 'm.order_count::bigint',
    };
  }
  return {
    join: `LEFT JOIN (
             SELECT o.member_id, SUM(${netSpendSql('o')})::bigint AS spend, COUNT(*)::bigint AS orders
               FROM orders o
              WHERE o.brand_id = ${brandParam} AND o.member_id IS NOT NULL
                AND o.placed_at >= ${windowParam} AND ${countedOrderSql('o')}
                ${scope}
              GROUP BY o.member_id
           ) w ON w.member_id = m.id`,
    value: basis === 'paid_spend' ? 'COALESCE(w.spend, 0)' : 'COALESCE(w.orders, 0)',
  };
}

/** SQL over tier_ladders, tiers, member_tiers and tier_changes. Every method takes the brand first. */
@Injectable()
export class TiersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async ladder(
    brandId: string,
    m: EntityManager = this.ds.manager,
    lock?: LadderLock,
  ): Promise<LadderRecord | null> {
    const rows: Raw[] = await m.query(
      `SELECT l.*, b.time_zone FROM tier_ladders l JOIN brands b ON b.id = l.brand_id
        WHERE l.brand_id = $1 ${lock ? `FOR ${lock} OF l` : ''}`,
      [brandId],
    );
    return rows[0] ? ladderFrom(rows[0]) : null;
  }

  async tiers(brandId: string, m: EntityManager = this.ds.manager): Promise<TierRecord[]> {
    const rows: Raw[] = await m.query(
      `SELECT id, name, rank, threshold::text AS threshold, perks FROM tiers WHERE brand_id = $1 ORDER BY rank`,
      [brandId],
    );
    return rows.map((r) => ({
      id: r.id as string,
      name: r.name as string,
      rank: Number(r.rank),
      threshold: r.threshold as string,
      perks: (r.perks as Record<string, unknown>) ?? {},
    }));
  }

  /** Members per tier (every member with a tier row, erased ones included). */
  async distribution(brandId: string, m: EntityManager = this.ds.manager): Promise<Map<string, number>> {
    const rows: Raw[] = await m.query(
      `SELECT tier_id, count(*)::int AS n FROM member_tiers WHERE brand_id = $1 GROUP BY tier_id`,
      [brandId],
    );
    return new Map(rows.map((r) => [r.tier_id as string, Number(r.n)]));
  }

  /** Members that can hold a tier (not merged away) but have no tier row yet. */
  async unassigned(brandId: string, m: EntityManager = this.ds.manager): Promise<number> {
    const [r]: Raw[] = await m.query(
      `SELECT count(*)::int AS n FROM members m
        WHERE m.brand_id = $1 AND m.merged_into IS NULL
          AND NOT EXISTS (SELECT 1 FROM member_tiers mt WHERE mt.member_id = m.id)`,
      [brandId],
    );
    return Number(r.n);
  }

  /** The qualifying value of some members at the plan's window (no writes). */
  async values(
    brandId: string,
    basis: TierBasis,
    windowStart: Date | null,
    memberIds: string[],
    m: EntityManager = this.ds.manager,
  ): Promise<Map<string, string>> {
    const v = qualifyingValue(basis, windowStart !== null, '$1', '$3', 'AND o.member_id = ANY($2::uuid[])');
    const rows: Raw[] = await m.query(
      `SELECT m.id, (${v.value})::text AS value FROM members m ${v.join}
        WHERE m.brand_id = $1 AND m.id = ANY($2::uuid[])`,
      windowStart ? [brandId, memberIds, windowStart] : [brandId, memberIds],
    );
    return new Map(rows.map((r) => [r.id as string, r.value as string]));
  }

  /**
   * The evaluation, set-based in one statement: qualifying value and rank per member
   * (`width_bucket` over the ladder's thresholds), the decision per member, the member_tiers
   * writes, and the tier_changes rows (INSERT … SELECT from the writes' RETURNING). Nothing about
   * members passes through Node. See the README's Tiers section for the rules.
   */
  async evaluate(m: EntityManager, p: EvaluationPlan): Promise<EvaluationCounts> {
    const previous = p.previous ?? p.tiers;
    const params: unknown[] = [
      p.brandId, // $1
      p.at, // $2
      p.tiers.map((t) => t.threshold), // $3
      p.tiers.map((t) => t.id), // $4
      p.tiers.map((t) => t.name), // $5
      p.windowStart, // $6
      p.timeZone, // $7
      p.graceDays, // $8
      p.mode === 'full', // $9
      p.reason, // $10
      p.evaluationId ?? null, // $11
      previous.map((t) => t.id), // $12
      previous.map((t) => t.rank), // $13
      previous.map((t) => t.name), // $14
      p.actor?.actorType ?? null, // $15
      p.actor?.actorId ?? null, // $16
    ];
    const bind = (value: unknown, cast: string) => `$${params.push(value)}::${cast}`;
    // The members in scope, as conditions on a member id column (members.id, orders.member_id).
    const scope: Array<(col: string) => string> = [];
    if (p.memberIds !== undefined) {
      const ids = bind(p.memberIds, 'uuid[]');
      scope.push((col) => `${col} = ANY(${ids})`);
    }
    if (p.range?.after) {
      const after = bind(p.range.after, 'uuid');
      scope.push((col) => `${col} > ${after}`);
    }
    if (p.range?.upto) {
      const upto = bind(p.range.upto, 'uuid');
      scope.push((col) => `${col} <= ${upto}`);
    }
    const inScope = (col: string) => scope.map((c) => `AND ${c(col)}`).join(' ');
    const idsFilter = inScope('m.id');
    const v = qualifyingValue(
      p.basis,
      p.windowStart !== null,
      '$1::uuid',
      '$6::timestamptz',
      inScope('o.member_id'),
    );
    const returnIds = p.returnChangeIds === true;
    const [row]: Raw[] = await m.query(
      `WITH cur AS (
         SELECT m.id AS member_id, ${v.value} AS value, mt.tier_id AS cur_tier_id, mt.below_since AS cur_below_since
           FROM members m
           ${v.join}
           LEFT JOIN member_tiers mt ON mt.member_id = m.id
          WHERE m.brand_id = $1 AND m.merged_into IS NULL ${idsFilter}
          -- one order for every write below (member_tiers, tier_changes, their indexes and key
          -- checks): pages are filled and visited in order instead of at random
          ORDER BY m.id
       ),
       ranked AS (
         SELECT c.*, width_bucket(c.value, $3::bigint[]) - 1 AS q_rank,
                array_position($4::uuid[], c.cur_tier_id) - 1 AS cur_rank
           FROM cur c
       ),
       d AS (
         SELECT r.*, ($4::uuid[])[r.q_rank + 1] AS q_tier_id,
                CASE
                  WHEN r.cur_tier_id IS NULL THEN 'assign'
                  WHEN r.cur_rank IS NULL THEN 'remap'
                  WHEN r.q_rank > r.cur_rank THEN 'up'
                  WHEN r.q_rank = r.cur_rank THEN CASE WHEN r.cur_below_since IS NOT NULL THEN 'clear' END
                  WHEN NOT $9::boolean THEN NULL
                  WHEN ((((COALESCE(r.cur_below_since, $2::timestamptz) AT TIME ZONE $7::text)::date + $8::int)::timestamp)
                         AT TIME ZONE $7::text) <= $2::timestamptz THEN 'down'
                  WHEN r.cur_below_since IS NULL THEN 'below'
                END AS action
           FROM ranked r
       ),
       ins AS (
         INSERT INTO member_tiers (member_id, brand_id, tier_id, since, below_since, evaluated_at)
         SELECT d.member_id, $1, d.q_tier_id, $2, NULL, $2 FROM d WHERE d.action = 'assign'
         ON CONFLICT (member_id) DO NOTHING
         RETURNING member_id
       ),
       upd AS (
         UPDATE member_tiers mt
            SET tier_id = CASE WHEN d.action IN ('up', 'down', 'remap') THEN d.q_tier_id ELSE mt.tier_id END,
                since = CASE WHEN d.action IN ('up', 'down', 'remap') THEN $2 ELSE mt.since END,
                below_since = CASE WHEN d.action = 'below' THEN $2::timestamptz END,
                evaluated_at = $2
           FROM d
          WHERE d.action IN ('up', 'down', 'remap', 'below', 'clear')
            AND mt.member_id = d.member_id
            AND mt.tier_id = d.cur_tier_id
            AND mt.below_since IS NOT DISTINCT FROM d.cur_below_since
         RETURNING mt.member_id, d.action, d.cur_tier_id, d.q_tier_id, d.q_rank, d.value, d.cur_below_since
       ),
       moved AS (
         SELECT d.member_id, NULL::uuid AS from_tier_id, d.q_tier_id AS to_tier_id, d.q_rank, d.value,
                NULL::timestamptz AS below_since
           FROM ins JOIN d ON d.member_id = ins.member_id
         UNION ALL
         SELECT u.member_id, u.cur_tier_id, u.q_tier_id, u.q_rank, u.value, u.cur_below_since
           FROM upd u WHERE u.action IN ('up', 'down', 'remap')
       ),
       chg AS (
         INSERT INTO tier_changes (brand_id, member_id, from_tier_id, to_tier_id, reason, data, actor_type, actor_id, at)
         SELECT $1, x.member_id, x.from_tier_id, x.to_tier_id, $10,
                jsonb_strip_nulls(jsonb_build_object(
                  'evaluationId', $11::text,
                  'value', x.value,
                  'threshold', ($3::bigint[])[x.q_rank + 1],
                  'windowStart', $6::timestamptz,
                  'fromRank', ($13::int[])[array_position($12::uuid[], x.from_tier_id)],
                  'fromName', ($14::text[])[array_position($12::uuid[], x.from_tier_id)],
                  'toRank', x.q_rank,
                  'toName', ($5::text[])[x.q_rank + 1],
                  'belowSince', x.below_since)),
                $15, $16::uuid, $2
           FROM moved x
          ORDER BY x.member_id
         RETURNING id
       )
       SELECT (SELECT count(*) FROM ins)::int AS assigned,
              (SELECT count(*) FROM upd WHERE action = 'up')::int AS upgraded,
              (SELECT count(*) FROM upd WHERE action = 'down')::int AS downgraded,
              (SELECT count(*) FROM upd WHERE action = 'remap')::int AS remapped,
              (SELECT count(*) FROM upd WHERE action = 'below')::int AS grace_started,
              (SELECT count(*) FROM upd WHERE action = 'clear')::int AS grace_cleared,
              (SELECT count(*) FROM chg)::int AS changes,
              (SELECT min(id) FROM chg)::text AS first_change_id,
              (SELECT max(id) FROM chg)::text AS last_change_id,
              ${returnIds ? '(SELECT array_agg(id::text ORDER BY id) FROM chg)' : 'NULL::text[]'} AS change_ids`,
      params,
    );
    return {
      assigned: Number(row.assigned),
      upgraded: Number(row.upgraded),
      downgraded: Number(row.downgraded),
      remapped: Number(row.remapped),
      graceStarted: Number(row.grace_started),
      graceCleared: Number(row.grace_cleared),
      changes: Number(row.changes),
      firstChangeId: (row.first_change_id as string | null) ?? null,
      lastChangeId: (row.last_change_id as string | null) ?? null,
      changeIds: (row.change_ids as string[] | null) ?? (returnIds ? [] : null),
    };
  }

  /**
   * Upper bounds of whole-brand batches of `size` members in id order (the last batch is open
   * ended, so members created meanwhile fall in one): batch i holds ids in (bound[i-1], bound[i]].
   * One scan of the brand's member ids; only the bounds leave Postgres.
   */
  async batchBounds(m: EntityManager, brandId: string, size: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await m.query(
      `SELECT id::text AS id FROM (
         SELECT id, row_number() OVER (ORDER BY id) AS n FROM members WHERE brand_id = $1 AND merged_into IS NULL
       ) x WHERE n % $2 = 0 ORDER BY id`,
      [brandId, size],
    );
    return rows.map((r) => r.id);
  }

  /**
   * What saving a proposed ladder would give, in one query over the brand's members: per proposed
   * rank, the members it would hold right after saving (upgrades apply, kept tiers keep their
   * members, removed tiers' members move to what they qualify for) and the members who qualify for
   * it by value alone (what re-evaluations converge to once grace periods end); per current tier,
   * its members now.
   */
  async preview(
    brandId: string,
    basis: TierBasis,
    windowStart: Date | null,
    thresholds: string[],
    keptIds: Array<string | null>,
  ): Promise<{ after: Map<number, number>; qualifying: Map<number, number>; current: Map<string, number> }> {
    const v = qualifyingValue(basis, windowStart !== null, '$1::uuid', '$4::timestamptz', '');
    const rows: Raw[] = await this.ds.query(
      `WITH r AS (
         SELECT width_bucket(${v.value}, $2::bigint[]) - 1 AS q_rank,
                array_position($3::uuid[], mt.tier_id) - 1 AS kept_rank,
                mt.tier_id AS cur_tier_id
           FROM members m
           ${v.join}
           LEFT JOIN member_tiers mt ON mt.member_id = m.id
          WHERE m.brand_id = $1 AND m.merged_into IS NULL
       )
       SELECT 'after' AS kind, GREATEST(q_rank, kept_rank)::text AS k, count(*)::int AS n FROM r GROUP BY 2
       UNION ALL
       SELECT 'qualifying', q_rank::text, count(*)::int FROM r GROUP BY 2
       UNION ALL
       SELECT 'current', cur_tier_id::text, count(*)::int FROM r WHERE cur_tier_id IS NOT NULL GROUP BY 2`,
      windowStart ? [brandId, thresholds, keptIds, windowStart] : [brandId, thresholds, keptIds],
    );
    const after = new Map<number, number>();
    const qualifying = new Map<number, number>();
    const current = new Map<string, number>();
    for (const r of rows) {
      if (r.kind === 'after') after.set(Number(r.k), Number(r.n));
      else if (r.kind === 'qualifying') qualifying.set(Number(r.k), Number(r.n));
      else current.set(r.k as string, Number(r.n));
    }
    return { after, qualifying, current };
  }

  /** The changes of one run, by id (for publishing after commit), keyset-paged. */
  async changesOfRun(
    brandId: string,
    first: string,
    last: string,
    evaluationId: string | null,
    afterId: string,
    limit: number,
  ): Promise<TierChangeRow[]> {
    const rows: Raw[] = await this.ds.query(
      `SELECT * FROM tier_changes
        WHERE brand_id = $1 AND id BETWEEN $2 AND $3 AND id > $4
          AND ($5::text IS NULL OR data->>'evaluationId' = $5)
        ORDER BY id LIMIT $6`,
      [brandId, first, last, afterId, evaluationId, limit],
    );
    return rows.map(changeFrom);
  }

  async changesByIds(
    brandId: string,
    ids: string[],
    m: EntityManager = this.ds.manager,
  ): Promise<TierChangeRow[]> {
    if (ids.length === 0) return [];
    const rows: Raw[] = await m.query(
      `SELECT * FROM tier_changes WHERE brand_id = $1 AND id = ANY($2::bigint[]) ORDER BY id`,
      [brandId, ids],
    );
    return rows.map(changeFrom);
  }
}
