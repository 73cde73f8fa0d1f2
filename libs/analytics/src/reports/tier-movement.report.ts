import { ReportQuery } from '../report-runner';

export interface TierMovementRow {
  month: string;
  direction: 'upgrade' | 'downgrade' | 'entry' | 'same' | 'other';
  from_tier_id: string | null;
  from_tier: string | null;
  to_tier_id: string;
  to_tier: string | null;
  changes: number;
}

export const TIER_MOVEMENT_COLUMNS = [
  'month',
  'direction',
  'from_tier_id',
  'from_tier',
  'to_tier_id',
  'to_tier',
  'changes',
] as const;

/**
 * Tier changes per brand-local month, from tier_changes. $1 brand, $2 start, $3 end, $4 the month
 * starts (timestamptz[]), $5 their labels. Direction by the tiers' ranks: upgrade (higher rank),
 * downgrade (lower), entry (no tier before), same (equal rank: a ladder edit or a merge), other
 * (a tier since deleted).
 */
export function tierMovementQuery(params: unknown[]): ReportQuery {
  const sql = `
SELECT ($5::text[])[width_bucket(tc.at, $4::timestamptz[])] AS month,
       CASE WHEN tc.from_tier_id IS NULL THEN 'entry'
            WHEN tf.rank IS NULL OR tt.rank IS NULL THEN 'other'
            WHEN tt.rank > tf.rank THEN 'upgrade'
            WHEN tt.rank < tf.rank THEN 'downgrade'
            ELSE 'same' END AS direction,
       tc.from_tier_id, tf.name AS from_tier, tc.to_tier_id, tt.name AS to_tier, count(*)::int AS changes
  FROM tier_changes tc
  LEFT JOIN tiers tf ON tf.id = tc.from_tier_id AND tf.brand_id = $1
  LEFT JOIN tiers tt ON tt.id = tc.to_tier_id AND tt.brand_id = $1
 WHERE tc.brand_id = $1 AND tc.at >= $2 AND tc.at < $3
 GROUP BY 1, 2, 3, 4, 5, 6, tf.rank, tt.rank
 ORDER BY 1, 2, tf.rank NULLS FIRST, tt.rank, 3, 5`;
  return { sql, params };
}

export interface TierMovementMonth {
  month: string;
  upgrades: number;
  downgrades: number;
  entries: number;
  other: number;
  transitions: Array<{
    direction: TierMovementRow['direction'];
    from: { id: string; name: string | null } | null;
    to: { id: string; name: string | null };
    changes: number;
  }>;
}

/** Every month of the range (months without changes answer zeros), from the rows. */
export function shapeTierMovement(rows: TierMovementRow[], months: string[]): TierMovementMonth[] {
  const by = new Map<string, TierMovementMonth>(
    months.map((m) => [m, { month: m, upgrades: 0, downgrades: 0, entries: 0, other: 0, transitions: [] }]),
  );
  for (const r of rows) {
    const m = by.get(r.month);
    if (!m) continue;
    if (r.direction === 'upgrade') m.upgrades += r.changes;
    else if (r.direction === 'downgrade') m.downgrades += r.changes;
    else if (r.direction === 'entry') m.entries += r.changes;
    else m.other += r.changes;
    m.transitions.push({
      direction: r.direction,
      from: r.from_tier_id ? { id: r.from_tier_id, name: r.from_tier } : null,
      to: { id: r.to_tier_id, name: r.to_tier },
      changes: r.changes,
    });
  }
  return [...by.values()];
}
