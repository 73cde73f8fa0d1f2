import { countedOrderSql } from '@siyu/commerce';

/** The members a report is restricted to: a saved segment's member-id query, its values in `params`. */
export interface MemberFilter {
  /** `SELECT m.id AS member_id FROM members m WHERE …` (the segments lib's compiled rule). */
  sql: string;
}

/** `seg AS MATERIALIZED (…),` when the report is restricted to a segment, else nothing. */
export const segmentCte = (f: MemberFilter | null) => (f ? `seg AS MATERIALIZED (${f.sql}),` : '');

/** `AND <col> IN (SELECT member_id FROM seg)` when restricted, else nothing. */
export const inSegment = (f: MemberFilter | null, col: string) =>
  f ? `AND ${col} IN (SELECT member_id FROM seg)` : '';

/** Counted orders (paid, partially refunded) of alias `o`: the same test as the commerce lib's aggregates. */
export const counted = (o: string) => countedOrderSql(o);

/** A day-count bucket: `lo` … `hi` whole days, both included (`hi` null: and more). */
export interface DayBucket {
  key: string;
  lo: number;
  hi: number | null;
}

export const bucketKey = (lo: number, hi: number | null) => (hi === null ? `${lo}+` : `${lo}-${hi}`);

const buckets = (edges: Array<[number, number | null]>): DayBucket[] =>
  edges.map(([lo, hi]) => ({ key: bucketKey(lo, hi), lo, hi }));

/** Days from a member's first to second counted order. */
export const GAP_BUCKETS = buckets([
  [0, 7],
  [8, 30],
  [31, 60],
  [61, 90],
  [91, 180],
  [181, 365],
  [366, null],
]);

/** Days since a member's last counted order. */
export const RECENCY_BUCKETS = buckets([
  [0, 30],
  [31, 60],
  [61, 90],
  [91, 180],
  [181, 365],
  [366, null],
]);

/** A ratio as text with 4 decimal places, '0.0000' when the denominator is 0 (exact numeric, no floats). */
export const ratioSql = (num: string, den: string) =>
  `CASE WHEN ${den} = 0 THEN '0.0000' ELSE round(${num}::numeric / ${den}, 4)::text END`;

/** Percentiles of fractional days in one sort: a float8[] (NULL when there are no rows). */
export const daysPercentilesSql = (ps: number[], days: string) =>
  `percentile_cont(ARRAY[${ps.join(', ')}]::float8[]) WITHIN GROUP (ORDER BY ${days})`;

/** Fractional days rounded to 0.1 day, as text (NULL stays NULL). */
export const daysRoundSql = (days: string) => `round((${days})::numeric, 1)::text`;
