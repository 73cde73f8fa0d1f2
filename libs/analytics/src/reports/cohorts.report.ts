import { ReportQuery } from '../report-runner';
import { counted, inSegment, MemberFilter, ratioSql, segmentCte } from './report-sql';

export interface CohortRow {
  cohort_month: string;
  cohort_size: number;
  month_offset: number;
  members: number;
  share: string;
}

export const COHORT_COLUMNS = ['cohort_month', 'cohort_size', 'month_offset', 'members', 'share'] as const;

/**
 * The cohort retention triangle. $1 brand, $2 start, $3 end (the range: which first orders make
 * the cohorts), $4 the brand-local month starts (timestamptz[], the first holding $2, the last
 * closing the month of now), $5 their `YYYY-MM` labels.
 *
 * A member's cohort is the brand-local month of their first counted order (members.first_order_at,
 * which the commerce lib keeps equal to min(placed_at) of counted orders), for first orders in
 * [start, end). Cell (cohort c, offset k): the cohort's members with at least one counted order
 * placed in month c + k; offset 0 is the cohort itself (everyone ordered then). Cells run up to the
 * current month; orders after the range's end still count (the range chooses cohorts, not orders).
 */
export function cohortsQuery(segment: MemberFilter | null, params: unknown[]): ReportQuery {
  const sql = `
WITH ${segmentCte(segment)}
cohort AS (
  SELECT m.id, width_bucket(m.first_order_at, $4::timestamptz[]) AS c
    FROM members m
   WHERE m.brand_id = $1 AND m.merged_into IS NULL AND m.first_order_at >= $2 AND m.first_order_at < $3
     ${inSegment(segment, 'm.id')}
), sizes AS (
  SELECT c, count(*)::int AS size FROM cohort GROUP BY c
), active AS (
  SELECT a.c, a.k, count(*)::int AS members
    FROM (SELECT h.c, width_bucket(o.placed_at, $4::timestamptz[]) - h.c AS k
            FROM cohort h
            JOIN orders o ON o.member_id = h.id AND o.brand_id = $1
           WHERE ${counted('o')} AND o.placed_at >= $2 AND o.placed_at < ($4::timestamptz[])[array_length($4::timestamptz[], 1)]
           GROUP BY h.id, h.c, 2) a
   WHERE a.k >= 1
   GROUP BY a.c, a.k
), months AS (
  SELECT c FROM generate_series(width_bucket($2::timestamptz, $4::timestamptz[]),
                                width_bucket($3::timestamptz - interval '1 microsecond', $4::timestamptz[])) AS c
   WHERE c BETWEEN 1 AND array_length($4::timestamptz[], 1) - 1
)
SELECT ($5::text[])[mo.c] AS cohort_month, COALESCE(s.size, 0) AS cohort_size, g.k AS month_offset,
       CASE WHEN g.k = 0 THEN COALESCE(s.size, 0) ELSE COALESCE(a.members, 0) END AS members,
       ${ratioSql('CASE WHEN g.k = 0 THEN COALESCE(s.size, 0) ELSE COALESCE(a.members, 0) END', 'COALESCE(s.size, 0)')} AS share
  FROM months mo
  LEFT JOIN sizes s ON s.c = mo.c
 CROSS JOIN LATERAL generate_series(0, array_length($4::timestamptz[], 1) - 1 - mo.c) AS g(k)
  LEFT JOIN active a ON a.c = mo.c AND a.k = g.k
 ORDER BY mo.c, g.k`;
  return { sql, params };
}

export interface CohortReport {
  cohorts: Array<{
    month: string;
    size: number;
    retention: Array<{ monthOffset: number; members: number; share: number }>;
  }>;
}

export function shapeCohorts(rows: CohortRow[]): CohortReport {
  const cohorts: CohortReport['cohorts'] = [];
  for (const r of rows) {
    let c = cohorts[cohorts.length - 1];
    if (!c || c.month !== r.cohort_month) {
      c = { month: r.cohort_month, size: r.cohort_size, retention: [] };
      cohorts.push(c);
    }
    c.retention.push({ monthOffset: r.month_offset, members: r.members, share: Number(r.share) });
  }
  return { cohorts };
}
