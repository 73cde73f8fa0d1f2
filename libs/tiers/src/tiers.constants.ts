/** What a ladder's thresholds measure: paid spend net of refunds (minor units) or order count. */
export const TIER_BASES = ['paid_spend', 'order_count'] as const;
export type TierBasis = (typeof TIER_BASES)[number];

/** How often the scheduled re-evaluation (the only place downgrades happen) runs. */
export const TIER_REEVALUATIONS = ['daily', 'weekly', 'monthly'] as const;
export type TierReevaluation = (typeof TIER_REEVALUATIONS)[number];

/** Why a member's tier changed. */
export const TIER_CHANGE_REASONS = ['order', 'reevaluation', 'ladder', 'merge', 'manual'] as const;
export type TierChangeReason = (typeof TIER_CHANGE_REASONS)[number];

export const sqlValues = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
