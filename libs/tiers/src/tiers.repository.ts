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
   * One batch of a whole-brand run: the decisions `prepareRun` staged, numbers `from` (exclusive)
   * to `to` (inclusive), instead of deciding over the members here.
   */
  batch?: { from: number; to: number };
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

/** Where a whole-brand run keeps its decisions between `prepareRun` and its batches. */
const RUN_TABLE = 'tier_evaluation_run';

type Bind = (key: string, value: unknown, cast: string) => string;

/** Bind parameters by name: each is bound once, on first use (Postgres refuses unused ones). */
function binder(): { params: unknown[]; bind: Bind } {
  const params: unknown[] = [];
  const placeholders = new Map<string, string>();
  return {
    params,
    bind(key, value, cast) {
      let ph = placeholders.get(key);
      if (!ph) {
        ph = `$${params.push(value)}::${cast}`;
        placeholders.set(key, ph);
      }
      return ph;
    },
  };
}

/**
 * The decision per member as CTEs ending in `d` (member_id, value, cur_tier_id, cur_below_since,
 * q_rank, cur_rank, q_tier_id, action): qualifying value and rank (`width_bucket` over the
 * thresholds), current tier and grace, and what happens (NULL: nothing). See the README's Tiers
 * section for the rules.
 */
function decideSql(p: EvaluationPlan, bind: Bind): string {
  const brand = bind('brand', p.brandId, 'uuid');
  const ids = p.memberIds !== undefined ? bind('ids', p.memberIds, 'uuid[]') : null;
  const v = qualifyingValue(
    p.basis,
    p.windowStart !== null,
    brand,
    p.windowStart !== null ? bind('windowStart', p.windowStart, 'timestamptz') : '',
    ids ? `AND o.member_id = ANY(${ids})` : '',
  );
  const thresholds = bind(
    'thresholds',
    p.tiers.map((t) => t.threshold),
    'bigint[]',
  );
  const tierIds = bind(
    'tierIds',
    p.tiers.map((t) => t.id),
    'uuid[]',
  );
  const grace = () => {
    const at = bind('at', p.at, 'timestamptz');
    const tz = bind('tz', p.timeZone, 'text');
    const graceEnd = `(((COALESCE(r.cur_below_since, ${at}) AT TIME ZONE ${tz})::date + ${bind('grace', p.graceDays, 'int')})::timestamp) AT TIME ZONE ${tz}`;
    return `WHEN (${graceEnd}) <= ${at} THEN 'down'
                  WHEN r.cur_below_since IS NULL THEN 'below'`;
  };
  return `cur AS (
         SELECT m.id AS member_id, ${v.value} AS value, mt.tier_id AS cur_tier_id, mt.below_since AS cur_below_since
           FROM members m
           ${v.join}
           LEFT JOIN member_tiers mt ON mt.member_id = m.id
          WHERE m.brand_id = ${brand} AND m.merged_into IS NULL ${ids ? `AND m.id = ANY(${ids})` : ''}
       ),
       ranked AS (
         SELECT c.*, width_bucket(c.value, ${thresholds}) - 1 AS q_rank,
                array_position(${tierIds}, c.cur_tier_id) - 1 AS cur_rank
           FROM cur c
       ),
       d AS (
         SELECT r.*, (${tierIds})[r.q_rank + 1] AS q_tier_id,
                CASE
                  WHEN r.cur_tier_id IS NULL THEN 'assign'
                  WHEN r.cur_rank IS NULL THEN 'remap'
                  WHEN r.q_rank > r.cur_rank THEN 'up'
                  WHEN r.q_rank = r.cur_rank THEN CASE WHEN r.cur_below_since IS NOT NULL THEN 'clear' END
                  ${p.mode === 'full' ? grace() : ''}
                END AS action
           FROM ranked r
       )`;
}

/**
 * The writes of the decisions in `d`, as CTEs (`ins`, `upd`, `chg`): member_tiers inserted or
 * updated — each update re-checks that the row is as it was read, so an order's upgrade committed
 * meanwhile is never overwritten — and a tier_changes row per change (INSERT … SELECT from the
 * writes' RETURNING), in member order.
 */
function writesSql(p: EvaluationPlan, bind: Bind): string {
  const previous = p.previous ?? p.tiers;
  const brand = bind('brand', p.brandId, 'uuid');
  const at = bind('at', p.at, 'timestamptz');
  const prevIds = bind(
    'prevIds',
    previous.map((t) => t.id),
    'uuid[]',
  );
  const data = `jsonb_strip_nulls(jsonb_build_object(
                  'evaluationId', ${bind('evaluationId', p.evaluationId ?? null, 'text')},
                  'value', x.value,
                  'threshold', (${bind(
                    'thresholds',
                    p.tiers.map((t) => t.threshold),
                    'bigint[]',
                  )})[x.q_rank + 1],
                  'windowStart', ${bind('windowStart', p.windowStart, 'timestamptz')},
                  'fromRank', (${bind(
                    'prevRanks',
                    previous.map((t) => t.rank),
                    'int[]',
                  )})[array_position(${prevIds}, x.from_tier_id)],
                  'fromName', (${bind(
                    'prevNames',
                    previous.map((t) => t.name),
                    'text[]',
                  )})[array_position(${prevIds}, x.from_tier_id)],
                  'toRank', x.q_rank,
                  'toName', (${bind(
                    'names',
                    p.tiers.map((t) => t.name),
                    'text[]',
                  )})[x.q_rank + 1],
                  'belowSince', x.below_since))`;
  return `ins AS (
         INSERT INTO member_tiers (member_id, brand_id, tier_id, since, below_since, evaluated_at)
         SELECT d.member_id, ${brand}, d.q_tier_id, ${at}, NULL, ${at} FROM d WHERE d.action = 'assign'
         ON CONFLICT (member_id) DO NOTHING
         RETURNING member_id
       ),
       upd AS (
         UPDATE member_tiers mt
            SET tier_id = CASE WHEN d.action IN ('up', 'down', 'remap') THEN d.q_tier_id ELSE mt.tier_id END,
                since = CASE WHEN d.action IN ('up', 'down', 'remap') THEN ${at} ELSE mt.since END,
                below_since = CASE WHEN d.action = 'below' THEN ${at} END,
                evaluated_at = ${at}
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
         SELECT ${brand}, x.member_id, x.from_tier_id, x.to_tier_id, ${bind('reason', p.reason, 'text')}, ${data},
                ${bind('actorType', p.actor?.actorType ?? null, 'text')}, ${bind('actorId', p.actor?.actorId ?? null, 'uuid')}, ${at}
           FROM moved x
          ORDER BY x.member_id
         RETURNING id
       )`;
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
    const b = binder();
    const source = p.batch
      ? `d AS (SELECT * FROM ${RUN_TABLE} WHERE n > ${b.bind('from', p.batch.from, 'bigint')}
                   AND n <= ${b.bind('to', p.batch.to, 'bigint')} ORDER BY n)`
      : decideSql(p, b.bind);
    const returnIds = p.returnChangeIds === true;
    const [row]: Raw[] = await m.query(
      `WITH ${source},
       ${writesSql(p, b.bind)}
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
      b.params,
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
   * The first step of a whole-brand run: every member's decision in one set-based pass (one scan
   * of members, one aggregation of the window's orders, one join of member_tiers), kept in a
   * temporary table in member id order and numbered, only for the members something happens to.
   * The run then writes them in batches (`evaluate` with `batch`). Answers how many there are.
   */
  async prepareRun(m: EntityManager, p: EvaluationPlan): Promise<number> {
    const b = binder();
    await m.query(`DROP TABLE IF EXISTS ${RUN_TABLE}`);
    await m.query(
      `CREATE TEMP TABLE ${RUN_TABLE} ON COMMIT DROP AS
       WITH ${decideSql(p, b.bind)}
       SELECT row_number() OVER (ORDER BY d.member_id) AS n, d.* FROM d WHERE d.action IS NOT NULL`,
      b.params,
    );
    await m.query(`CREATE INDEX ON ${RUN_TABLE} (n)`);
    await m.query(`ANALYZE ${RUN_TABLE}`);
    const [{ count }]: Array<{ count: number }> = await m.query(
      `SELECT count(*)::int AS count FROM ${RUN_TABLE}`,
    );
    return count;
  }

  /** Drops what `prepareRun` staged (it would go at commit anyway). */
  async finishRun(m: EntityManager): Promise<void> {
    await m.query(`DROP TABLE IF EXISTS ${RUN_TABLE}`);
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
