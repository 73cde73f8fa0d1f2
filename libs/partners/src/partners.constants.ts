export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');

export const PARTNER_KINDS = ['creator', 'koc', 'publisher', 'niche_network'] as const;
export type PartnerKind = (typeof PARTNER_KINDS)[number];

/** The programme's tiers, lowest first. */
export const PARTNER_TIERS = ['pilot', 'standard', 'preferred'] as const;
export type PartnerTier = (typeof PARTNER_TIERS)[number];

/**
 * applied → pilot → standard → preferred (and back down by demotion); any of them → suspended
 * (reversible) or banned (final). `tier` keeps the tier while a partner is suspended.
 */
export const PARTNER_STATUSES = ['applied', 'pilot', 'standard', 'preferred', 'suspended', 'banned'] as const;
export type PartnerStatus = (typeof PARTNER_STATUSES)[number];

export const SOCIAL_PLATFORMS = [
  'wechat_channels',
  'douyin',
  'xiaohongshu',
  'bilibili',
  'tiktok',
  'instagram',
] as const;
export type SocialPlatform = (typeof SOCIAL_PLATFORMS)[number];

/**
 * pending (inside the holding period) → approved → paid; pending → reversed (refunded inside the
 * holding period, or the order cancelled); pending/approved → held (a fraud flag, for review) →
 * approved again or rejected (fraud).
 */
export const COMMISSION_STATUSES = ['pending', 'approved', 'paid', 'reversed', 'held', 'rejected'] as const;
export type CommissionStatus = (typeof COMMISSION_STATUSES)[number];

/** An uplift's part of a commission: none, gated (KPI gates unmet so far), released, forfeited. */
export const UPLIFT_STATES = ['none', 'gated', 'released', 'forfeited'] as const;
export type UpliftState = (typeof UPLIFT_STATES)[number];

/** Basis points: 900 = 9 %. Rates are integers in basis points, never floats. */
export const BP = 10_000;
