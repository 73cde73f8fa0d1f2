import { RFM_GROUP_RULES, rfmGroupSql } from '@siyu/segments';
import { ReportQuery } from '../report-runner';
import { counted, inSegment, MemberFilter, segmentCte } from './report-sql';

export interface RfmRow {
  snapshot: string;
  as_of: Date;
  dimension: 'scored' | 'group' | 'r' | 'f' | 'm';
  key: string;
  members: number;
  min_value: string | null;
  max_value: string | null;
}

export const RFM_COLUMNS = [
  'snapshot',
  'as_of',
  'dimension',
  'key',
  'members',
  'min_value',
  'max_value',
] as const;

const GROUPS_VALUES = `(VALUES ${RFM_GROUP_RULES.map((g, i) => `(${i + 1}, '${g.group}')`).join(', ')}) AS gv(ord, key)`;

/**
 * RFM snapshots computed from the orders as of each instant. $1 brand, $2 the instants
 * (timestamptz[]), $3 their labels (text[]); a segment's values follow.
 *
 * Per snapshot, over members with ≥ 1 counted order placed before the instant: recency = last such
 * order, frequency = their count, monetary = Σ (amount − refunded) of them (refunds as recorded
 * now). Scores are quintiles by NTILE(5), 5 best, with the same tie-breaks as the segments lib's
 * nightly RFM (other measures, then member id), and the same group table (RFM_GROUP_RULES).
 * Rows: `scored` (members scored), `group` (members per RFM group), `r`/`f`/`m` (members per score,
 * with the measure's range in that score: days since last order, orders, minor units).
 */
export function rfmQuery(segment: MemberFilter | null, params: unknown[]): ReportQuery {
  const sql = `
WITH ${segmentCte(segment)}
snap AS (
  SELECT * FROM unnest($2::timestamptz[], $3::text[]) WITH ORDINALITY AS s(as_of, label, ord)
), base AS (
  SELECT s.ord, o.member_id, max(o.placed_at) AS last_at, count(*)::int AS frequency,
         sum(o.amount_minor - o.refunded_minor)::bigint AS monetary
    FROM snap s
    JOIN orders o ON o.brand_id = $1 AND o.member_id IS NOT NULL AND ${counted('o')} AND o.placed_at < s.as_of
   WHERE TRUE ${inSegment(segment, 'o.member_id')}
   GROUP BY s.ord, o.member_id
), scored AS (
  SELECT b.ord, b.last_at, b.frequency, b.monetary, s.as_of,
         ntile(5) OVER (PARTITION BY b.ord ORDER BY b.last_at, b.frequency, b.monetary, b.member_id) AS r,
         ntile(5) OVER (PARTITION BY b.ord ORDER BY b.frequency, b.last_at, b.monetary, b.member_id) AS f,
         ntile(5) OVER (PARTITION BY b.ord ORDER BY b.monetary, b.frequency, b.last_at, b.member_id) AS m
    FROM base b JOIN snap s ON s.ord = b.ord
), groups AS (
  SELECT ord, ${rfmGroupSql('r', 'f', 'm')} AS key, count(*)::int AS n FROM scored GROUP BY 1, 2
), scores AS (
  SELECT sc.ord, d.dimension, d.score, count(*)::int AS n, min(d.value) AS lo, max(d.value) AS hi
    FROM scored sc
   CROSS JOIN LATERAL (VALUES ('r', sc.r, floor(extract(epoch FROM sc.as_of - sc.last_at) / 86400)::bigint),
                              ('f', sc.f, sc.frequency::bigint), ('m', sc.m, sc.monetary)) AS d(dimension, score, value)
   GROUP BY 1, 2, 3
)
SELECT snapshot, as_of, dimension, key, members, min_value, max_value FROM (
  SELECT s.ord, 0 AS d, 0 AS k, s.label AS snapshot, s.as_of, 'scored' AS dimension, 'all' AS key,
         (SELECT count(*) FROM base b WHERE b.ord = s.ord)::int AS members, NULL::text AS min_value, NULL::text AS max_value
    FROM snap s
  UNION ALL
  SELECT s.ord, 1, gv.ord, s.label, s.as_of, 'group', gv.key, COALESCE(g.n, 0), NULL, NULL
    FROM snap s CROSS JOIN ${GROUPS_VALUES}
    LEFT JOIN groups g ON g.ord = s.ord AND g.key = gv.key
  UNION ALL
  SELECT s.ord, 1 + dv.d, sv.score, s.label, s.as_of, dv.dimension, sv.score::text, COALESCE(x.n, 0), x.lo::text, x.hi::text
    FROM snap s
   CROSS JOIN (VALUES (1, 'r'), (2, 'f'), (3, 'm')) AS dv(d, dimension)
   CROSS JOIN generate_series(1, 5) AS sv(score)
    LEFT JOIN scores x ON x.ord = s.ord AND x.dimension = dv.dimension AND x.score = sv.score
) r
ORDER BY ord, d, k`;
  return { sql, params };
}

export interface RfmScoreBand {
  score: number;
  members: number;
  min: string | null;
  max: string | null;
}

export interface RfmSnapshot {
  snapshot: string;
  asOf: Date;
  scoredMembers: number;
  groups: Array<{ group: string; label: string; members: number }>;
  recency: RfmScoreBand[];
  frequency: RfmScoreBand[];
  monetary: RfmScoreBand[];
}

export function shapeRfm(rows: RfmRow[]): RfmSnapshot[] {
  const out: RfmSnapshot[] = [];
  const labels = new Map<string, string>(RFM_GROUP_RULES.map((g) => [g.group, g.label]));
  for (const r of rows) {
    let s = out[out.length - 1];
    if (!s || s.snapshot !== r.snapshot) {
      s = {
        snapshot: r.snapshot,
        asOf: r.as_of,
        scoredMembers: 0,
        groups: [],
        recency: [],
        frequency: [],
        monetary: [],
      };
      out.push(s);
    }
    const band = { score: Number(r.key), members: r.members, min: r.min_value, max: r.max_value };
    if (r.dimension === 'scored') s.scoredMembers = r.members;
    else if (r.dimension === 'group')
      s.groups.push({ group: r.key, label: labels.get(r.key) ?? r.key, members: r.members });
    else if (r.dimension === 'r') s.recency.push(band);
    else if (r.dimension === 'f') s.frequency.push(band);
    else s.monetary.push(band);
  }
  return out;
}
