import { ReportQuery } from '../report-runner';
import {
  counted,
  DayBucket,
  daysPercentilesSql,
  daysRoundSql,
  GAP_BUCKETS,
  inSegment,
  MemberFilter,
  ratioSql,
  RECENCY_BUCKETS,
  segmentCte,
} from './report-sql';

/** One figure of the repurchase report: the CSV's row and the JSON answer's source. */
export interface RepurchaseRow {
  section: 'repurchase_rate' | 'first_to_second_order' | 'days_since_last_order';
  dimension: string;
  key: string;
  label: string;
  metric: string;
  value: string | null;
}

export const REPURCHASE_COLUMNS = ['section', 'dimension', 'key', 'label', 'metric', 'value'] as const;

/**
 * The repurchase report. $1 brand, $2 start, $3 end (the range's instants), $4 as-of instant for
 * recency (the range's end, or now if that is earlier); a segment's values follow.
 *
 * Orders are read from `order_sequence` (the commerce lib keeps it with the orders: each counted
 * order's number among its member's counted orders by (placed_at, id), and when the member's
 * previous and next counted orders were placed), so nothing groups the orders by member:
 *
 * - repurchase_rate: buyers = members with ≥ 1 counted order placed in [start, end), one row each:
 *   their first order in the range (the previous one, if any, placed before start); repeat buyers
 *   = those whose next counted order after it was placed before end (≥ 2 in the range); rate =
 *   repeat ÷ buyers. Overall, by the member's current tier, by source channel.
 * - first_to_second_order: members whose second counted order (lifetime, seq = 2) was placed in
 *   the range; days from their first (its prev_at) to it (percentiles on fractional days, buckets
 *   on whole days).
 * - days_since_last_order: members with a counted order before the as-of instant; whole days from
 *   their last counted order before it to it.
 */
/**
 * One pass over a relation of `days`: count, median and p75 (one sort), and the members per
 * bucket, as rows of the report's long form (the summary under dimension `all`, the buckets under
 * `days_bucket`).
 */
function distributionSql(
  s: number,
  section: string,
  label: string,
  source: string,
  list: readonly DayBucket[],
): string {
  const filters = list
    .map(
      (b, i) =>
        `count(*) FILTER (WHERE days >= ${b.lo}${b.hi === null ? '' : ` AND days < ${b.hi + 1}`})::int AS b${i + 1}`,
    )
    .join(', ');
  const rows = [
    `(0, 0, 'all', 1, 'all', '${label}', 'members', g.n::text)`,
    `(0, 0, 'all', 2, 'all', '${label}', 'median_days', ${daysRoundSql('g.p[1]')})`,
    `(0, 0, 'all', 3, 'all', '${label}', 'p75_days', ${daysRoundSql('g.p[2]')})`,
    ...list.map(
      (b, i) => `(1, ${i + 1}, '${b.key}', 1, 'days_bucket', '${b.key} days', 'members', g.b${i + 1}::text)`,
    ),
  ];
  return `SELECT ${s}, v.d, v.o, v.key, v.i, '${section}', v.dimension, v.key, v.label, v.metric, v.value
    FROM (SELECT count(*)::int AS n, ${daysPercentilesSql([0.5, 0.75], 'days')} AS p,
                 ${filters}
            FROM ${source}) g
   CROSS JOIN LATERAL (VALUES ${rows.join(',\n                              ')}) AS v(d, o, key, i, dimension, label, metric, value)`;
}

export function repurchaseQuery(segment: MemberFilter | null, params: unknown[]): ReportQuery {
  const sql = `
WITH ${segmentCte(segment)}
rate AS (
  SELECT CASE WHEN grouping(tier_key) = 0 THEN 'tier' WHEN grouping(source_channel) = 0 THEN 'source_channel' ELSE 'all' END AS dimension,
         CASE WHEN grouping(tier_key) = 0 THEN tier_key WHEN grouping(source_channel) = 0 THEN source_channel ELSE 'all' END AS key,
         CASE WHEN grouping(tier_key) = 0 THEN tier_name WHEN grouping(source_channel) = 0 THEN source_channel ELSE 'All buyers' END AS label,
         CASE WHEN grouping(tier_key) = 0 THEN tier_rank ELSE 0 END AS ord,
         sum(members)::int AS buyers, sum(repeat_members)::int AS repeat_buyers
    FROM (SELECT c.source_channel, COALESCE(c.tier_id::text, 'none') AS tier_key, COALESCE(t.name, 'No tier') AS tier_name,
                 COALESCE(t.rank, -1) AS tier_rank, c.members, c.repeat_members
            FROM (-- one row per buyer: their first counted order in the range (counted in the parallel workers)
                  SELECT m.source_channel, mt.tier_id, count(*) AS members, count(*) FILTER (WHERE s.next_at < $3) AS repeat_members
                    FROM order_sequence s
                    JOIN members m ON m.id = s.member_id AND m.brand_id = $1 AND m.merged_into IS NULL
                    LEFT JOIN member_tiers mt ON mt.member_id = s.member_id
                   WHERE s.brand_id = $1 AND s.placed_at >= $2 AND s.placed_at < $3 AND (s.prev_at IS NULL OR s.prev_at < $2)
                     ${inSegment(segment, 's.member_id')}
                   GROUP BY 1, 2) c
            LEFT JOIN tiers t ON t.id = c.tier_id) x
   GROUP BY GROUPING SETS ((), (tier_key, tier_name, tier_rank), (source_channel))
), gaps AS NOT MATERIALIZED (
  SELECT date_part('epoch', s.placed_at - s.prev_at) / 86400 AS days
    FROM order_sequence s
   WHERE s.brand_id = $1 AND s.seq = 2 AND s.placed_at >= $2 AND s.placed_at < $3
     ${inSegment(segment, 's.member_id')}
  OFFSET 0 -- days computed once per row and streamed into the aggregate (no tuplestore)
), recency AS NOT MATERIALIZED (
  SELECT date_part('epoch', $4::timestamptz - x.last_at) / 86400 AS days
    FROM (SELECT CASE WHEN m.last_order_at < $4 THEN m.last_order_at
                      ELSE (SELECT max(o.placed_at) FROM orders o
                             WHERE o.member_id = m.id AND o.brand_id = $1 AND ${counted('o')} AND o.placed_at < $4)
                 END AS last_at
            FROM members m
           WHERE m.brand_id = $1 AND m.merged_into IS NULL AND m.first_order_at < $4
             ${inSegment(segment, 'm.id')}) x
  OFFSET 0
)
SELECT section, dimension, key, label, metric, value FROM (
  SELECT 1 AS s, CASE r.dimension WHEN 'all' THEN 0 WHEN 'tier' THEN 1 ELSE 2 END AS d, r.ord AS o, r.key AS k, v.i,
         'repurchase_rate' AS section, r.dimension, r.key, r.label, v.metric, v.value
    FROM rate r
   CROSS JOIN LATERAL (VALUES (1, 'buyers', r.buyers::text), (2, 'repeat_buyers', r.repeat_buyers::text),
                              (3, 'rate', ${ratioSql('r.repeat_buyers', 'r.buyers')})) AS v(i, metric, value)
  UNION ALL
  ${distributionSql(2, 'first_to_second_order', 'Second order placed in the range', 'gaps', GAP_BUCKETS)}
  UNION ALL
  ${distributionSql(3, 'days_since_last_order', 'Members with a counted order', 'recency', RECENCY_BUCKETS)}
) r
ORDER BY s, d, o, k, i`;
  return { sql, params };
}

export interface RateFigure {
  key: string;
  label: string;
  buyers: number;
  repeatBuyers: number;
  rate: number;
}

export interface DaysDistribution {
  members: number;
  medianDays: number | null;
  p75Days: number | null;
  buckets: Array<{ days: string; members: number }>;
}

export interface RepurchaseReport {
  overall: RateFigure;
  byTier: RateFigure[];
  bySourceChannel: RateFigure[];
  firstToSecondOrder: DaysDistribution;
  daysSinceLastOrder: DaysDistribution & { asOf: Date };
}

const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));

/** The JSON answer, built from the same rows the CSV streams. */
export function shapeRepurchase(rows: RepurchaseRow[], asOf: Date): RepurchaseReport {
  const rates = new Map<string, RateFigure>();
  const dist = (section: RepurchaseRow['section']): DaysDistribution => {
    const mine = rows.filter((r) => r.section === section);
    const summary = (metric: string) => mine.find((r) => r.dimension === 'all' && r.metric === metric)?.value;
    return {
      members: num(summary('members')) ?? 0,
      medianDays: num(summary('median_days')),
      p75Days: num(summary('p75_days')),
      buckets: mine
        .filter((r) => r.dimension === 'days_bucket')
        .map((r) => ({ days: r.key, members: Number(r.value) })),
    };
  };
  const order: string[] = [];
  for (const r of rows.filter((x) => x.section === 'repurchase_rate')) {
    const id = `${r.dimension}:${r.key}`;
    if (!rates.has(id)) {
      rates.set(id, { key: r.key, label: r.label, buyers: 0, repeatBuyers: 0, rate: 0 });
      order.push(id);
    }
    const f = rates.get(id) as RateFigure;
    if (r.metric === 'buyers') f.buyers = Number(r.value);
    if (r.metric === 'repeat_buyers') f.repeatBuyers = Number(r.value);
    if (r.metric === 'rate') f.rate = Number(r.value);
  }
  const of = (dimension: string) =>
    order.filter((id) => id.startsWith(`${dimension}:`)).map((id) => rates.get(id) as RateFigure);
  return {
    overall: of('all')[0] ?? { key: 'all', label: 'All buyers', buyers: 0, repeatBuyers: 0, rate: 0 },
    byTier: of('tier'),
    bySourceChannel: of('source_channel'),
    firstToSecondOrder: dist('first_to_second_order'),
    daysSinceLastOrder: { ...dist('days_since_last_order'), asOf },
  };
}
