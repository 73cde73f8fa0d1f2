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

/** When re-evaluations run in the brand's time zone: a weekly ladder runs on Mondays, a monthly one on the 1st. */
export const WEEKLY_REEVALUATION_WEEKDAY = 1;
export const MONTHLY_REEVALUATION_DAY = 1;

/** The member timeline event type and the domain event name. */
export const TIER_CHANGED = 'tier.changed';

/** What started a whole-brand evaluation run (tier_evaluations.trigger). */
export const TIER_EVALUATION_TRIGGERS = ['scheduled', 'catch_up', 'manual', 'ladder'] as const;
export type TierEvaluationTrigger = (typeof TIER_EVALUATION_TRIGGERS)[number];
