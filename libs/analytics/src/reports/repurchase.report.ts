import { ReportQuery } from '../report-runner';
import {
  bucketOrdSql,
  bucketValuesSql,
  counted,
  daysPercentileSql,
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
 * - repurchase_rate: buyers = members with ≥ 1 counted order placed in [start, end); repeat buyers
 *   = those with ≥ 2 counted orders placed in [start, end); rate = repeat ÷ buyers. Overall, by the
 *   member's current tier, by source channel.
 * - first_to_second_order: members whose second counted order (lifetime) was placed in the range;
 *   days from their first counted order to it (percentiles on fractional days, buckets on whole days).
 * - days_since_last_order: members with a counted order before the as-of instant; whole days from
 *   their last counted order before it to it.
 */
export function repurchaseQuery(segment: MemberFilter | null, params: unknown[]): ReportQuery {
  const sql = `
WITH ${segmentCte(segment)}
period AS (
  SELECT o.member_id, count(*)::int AS n, min(o.placed_at) FILTER (WHERE o.is_repurchase) AS first_repurchase
    FROM orders o
   WHERE o.brand_id = $1 AND o.member_id IS NOT NULL AND ${counted('o')}
     AND o.placed_at >= $2 AND o.placed_at < $3
   GROUP BY o.member_id
), buyers AS (
  SELECT p.member_id, p.n, p.first_repurchase, m.first_order_at, m.source_channel,
         COALESCE(mt.tier_id::text, 'none') AS tier_key, COALESCE(t.name, 'No tier') AS tier_name,
         COALESCE(t.rank, -1) AS tier_rank
    FROM period p
    JOIN members m ON m.id = p.member_id AND m.brand_id = $1 AND m.merged_into IS NULL
    LEFT JOIN member_tiers mt ON mt.member_id = m.id
    LEFT JOIN tiers t ON t.id = mt.tier_id
   WHERE TRUE ${inSegment(segment, 'p.member_id')}
), rate AS (
  SELECT CASE WHEN grouping(tier_key) = 0 THEN 'tier' WHEN grouping(source_channel) = 0 THEN 'source_channel' ELSE 'all' END AS dimension,
         CASE WHEN grouping(tier_key) = 0 THEN tier_key WHEN grouping(source_channel) = 0 THEN source_channel ELSE 'all' END AS key,
         CASE WHEN grouping(tier_key) = 0 THEN tier_name WHEN grouping(source_channel) = 0 THEN source_channel ELSE 'All buyers' END AS label,
         CASE WHEN grouping(tier_key) = 0 THEN tier_rank ELSE 0 END AS ord,
         count(*)::int AS buyers, count(*) FILTER (WHERE n >= 2)::int AS repeat_buyers
    FROM buyers
   GROUP BY GROUPING SETS ((), (tier_key, tier_name, tier_rank), (source_channel))
), gaps AS (
  SELECT extract(epoch FROM b.first_repurchase - b.first_order_at) / 86400 AS days
    FROM buyers b
   WHERE b.first_repurchase IS NOT NULL
     AND (b.first_order_at >= $2
          OR NOT EXISTS (SELECT 1 FROM orders o2
                          WHERE o2.member_id = b.member_id AND o2.brand_id = $1 AND o2.is_repurchase
                            AND ${counted('o2')} AND o2.placed_at < $2))
), recency AS (
  SELECT extract(epoch FROM $4::timestamptz - x.last_at) / 86400 AS days
    FROM (SELECT CASE WHEN m.last_order_at < $4 THEN m.last_order_at
                      ELSE (SELECT max(o.placed_at) FROM orders o
                             WHERE o.member_id = m.id AND o.brand_id = $1 AND ${counted('o')} AND o.placed_at < $4)
                 END AS last_at
            FROM members m
           WHERE m.brand_id = $1 AND m.merged_into IS NULL AND m.first_order_at < $4
             ${inSegment(segment, 'm.id')}) x
), gap_counts AS (
  SELECT ${bucketOrdSql('days', GAP_BUCKETS)} AS ord, count(*)::int AS n FROM gaps GROUP BY 1
), recency_counts AS (
  SELECT ${bucketOrdSql('days', RECENCY_BUCKETS)} AS ord, count(*)::int AS n FROM recency GROUP BY 1
)
SELECT section, dimension, key, label, metric, value FROM (
  SELECT 1 AS s, CASE r.dimension WHEN 'all' THEN 0 WHEN 'tier' THEN 1 ELSE 2 END AS d, r.ord AS o, r.key AS k, v.i,
         'repurchase_rate' AS section, r.dimension, r.key, r.label, v.metric, v.value
    FROM rate r
   CROSS JOIN LATERAL (VALUES (1, 'buyers', r.buyers::text), (2, 'repeat_buyers', r.repeat_buyers::text),
                              (3, 'rate', ${ratioSql('r.repeat_buyers', 'r.buyers')})) AS v(i, metric, value)
  UNION ALL
  SELECT 2, 0, 0, 'all', v.i, 'first_to_second_order', 'all', 'all', 'Second order placed in the range', v.metric, v.value
    FROM (SELECT count(*)::int AS n, ${daysPercentileSql(0.5, 'days')} AS median, ${daysPercentileSql(0.75, 'days')} AS p75 FROM gaps) g
   CROSS JOIN LATERAL (VALUES (1, 'members', g.n::text), (2, 'median_days', g.median), (3, 'p75_days', g.p75)) AS v(i, metric, value)
  UNION ALL
  SELECT 2, 1, b.ord, b.key, 1, 'first_to_second_order', 'days_bucket', b.key, b.key || ' days', 'members', COALESCE(c.n, 0)::text
    FROM ${bucketValuesSql(GAP_BUCKETS, 'b')} LEFT JOIN gap_counts c ON c.ord = b.ord
  UNION ALL
  SELECT 3, 0, 0, 'all', v.i, 'days_since_last_order', 'all', 'all', 'Members with a counted order', v.metric, v.value
    FROM (SELECT count(*)::int AS n, ${daysPercentileSql(0.5, 'days')} AS median, ${daysPercentileSql(0.75, 'days')} AS p75 FROM recency) g
   CROSS JOIN LATERAL (VALUES (1, 'members', g.n::text), (2, 'median_days', g.median), (3, 'p75_days', g.p75)) AS v(i, metric, value)
  UNION ALL
  SELECT 3, 1, b.ord, b.key, 1, 'days_since_last_order', 'days_bucket', b.key, b.key || ' days', 'members', COALESCE(c.n, 0)::text
    FROM ${bucketValuesSql(RECENCY_BUCKETS, 'b')} LEFT JOIN recency_counts c ON c.ord = b.ord
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
