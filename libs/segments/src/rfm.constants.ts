/**
 * RFM groups: a member's recency score R and the rounded mean of frequency and monetary,
 * FM = round((F + M) / 2), place them in exactly one group. The first row that matches wins.
 */
export const RFM_GROUP_RULES = [
  { group: 'champions', label: 'Champions', r: [5, 5], fm: [4, 5] },
  { group: 'loyal', label: 'Loyal', r: [3, 4], fm: [4, 5] },
  { group: 'potential_loyalist', label: 'Potential Loyalist', r: [4, 5], fm: [2, 3] },
  { group: 'new', label: 'New', r: [5, 5], fm: [1, 1] },
  { group: 'promising', label: 'Promising', r: [4, 4], fm: [1, 1] },
  { group: 'need_attention', label: 'Need Attention', r: [3, 3], fm: [3, 3] },
  { group: 'about_to_sleep', label: 'About to Sleep', r: [3, 3], fm: [1, 2] },
  { group: 'cant_lose_them', label: 'Can’t Lose Them', r: [1, 2], fm: [5, 5] },
  { group: 'at_risk', label: 'At Risk', r: [1, 2], fm: [3, 4] },
  { group: 'lost', label: 'Lost', r: [1, 1], fm: [1, 1] },
  { group: 'hibernating', label: 'Hibernating', r: [1, 2], fm: [1, 2] },
] as const satisfies ReadonlyArray<{
  group: string;
  label: string;
  r: readonly [number, number];
  fm: readonly [number, number];
}>;

export type RfmGroup = (typeof RFM_GROUP_RULES)[number]['group'];
export const RFM_GROUPS: readonly RfmGroup[] = RFM_GROUP_RULES.map((g) => g.group);

/** FM: the mean of F and M, halves rounded up. */
export const fmScore = (f: number, m: number) => Math.floor((f + m + 1) / 2);

/** The group of a score triple (every R × FM cell has one). */
export function rfmGroupOf(r: number, f: number, m: number): RfmGroup {
  const fm = fmScore(f, m);
  const rule = RFM_GROUP_RULES.find((g) => r >= g.r[0] && r <= g.r[1] && fm >= g.fm[0] && fm <= g.fm[1]);
  if (!rule) throw new Error(`no RFM group for R=${r} FM=${fm}`);
  return rule.group;
}

/** The same table as a SQL CASE over integer columns `r`, `f`, `m` (constants only). */
export function rfmGroupSql(r: string, f: string, m: string): string {
  const fm = `((${f} + ${m} + 1) / 2)`;
  const arms = RFM_GROUP_RULES.map(
    (g) =>
      `WHEN ${r} BETWEEN ${g.r[0]} AND ${g.r[1]} AND ${fm} BETWEEN ${g.fm[0]} AND ${g.fm[1]} THEN '${g.group}'`,
  );
  return `CASE ${arms.join(' ')} END`;
}

/** The nightly RFM run, in each brand's own time zone (after the tiers re-evaluation at 03:00). */
export const RFM_NIGHTLY_CRON = '0 4 * * *';
