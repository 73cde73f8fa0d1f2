/** The fraud checks, each with its weight in the partner's fraud score (see README, Partners: fraud). */
export const FRAUD_CHECKS = [
  'self_purchase',
  'click_flood',
  'duplicate_order',
  'conversion_rate',
  'quick_refund',
] as const;
export type FraudCheck = (typeof FRAUD_CHECKS)[number];

/**
 * Points a check adds to the partner's score: its weight once for one uncleared flag in the last
 * FRAUD_SCORE_WINDOW_DAYS, twice for two or more; the score is the sum over checks, capped at 100.
 */
export const FRAUD_WEIGHTS: Record<FraudCheck, number> = {
  self_purchase: 30,
  duplicate_order: 20,
  click_flood: 20,
  conversion_rate: 15,
  quick_refund: 10,
};
export const FRAUD_SCORE_WINDOW_DAYS = 90;

/** open (awaiting review) → approved (cleared: counts nothing) or rejected (confirmed fraud). */
export const FRAUD_FLAG_STATUSES = ['open', 'approved', 'rejected'] as const;
export type FraudFlagStatus = (typeof FRAUD_FLAG_STATUSES)[number];

export const FRAUD_DECISIONS = ['approve', 'reject'] as const;
export type FraudDecision = (typeof FRAUD_DECISIONS)[number];

/** The score as one SQL expression over a partner's flags `f` (used by every recompute). */
export const fraudScoreSql = (flags: string) => `LEAST(100, COALESCE((
    SELECT SUM(CASE c.kind ${Object.entries(FRAUD_WEIGHTS)
      .map(([k, w]) => `WHEN '${k}' THEN ${w}`)
      .join(' ')} END * LEAST(c.n, 2))
      FROM (SELECT f.kind, count(*) AS n FROM ${flags} f
             WHERE f.partner_id = p.id AND f.status <> 'approved'
               AND f.created_at > now() - interval '${FRAUD_SCORE_WINDOW_DAYS} days'
             GROUP BY f.kind) c), 0))`;
