import type { PartnerTier } from './partners.constants';

/** How a settlement moves: draft → confirmed (immutable) → paid; below the minimum payout: carried. */
export const SETTLEMENT_STATUSES = ['draft', 'confirmed', 'paid', 'carried'] as const;
export type SettlementStatus = (typeof SETTLEMENT_STATUSES)[number];

export const SETTLEMENT_LINE_KINDS = ['commission', 'adjustment'] as const;
export type SettlementLineKind = (typeof SETTLEMENT_LINE_KINDS)[number];

/** The per-brand tier settings used while a brand has not saved its own (PUT /v1/partner-tiers/:tier). */
export interface TierSettings {
  baseRateBp: number;
  holdingDays: number;
  /** The most one partner earns in a calendar month (brand time zone), or null for no cap. */
  capMinor: string | null;
  minPayoutMinor: string;
  /** How many tracked links a partner of the tier may have (null: no limit). */
  linkLimit: number | null;
  /** Promotion to the next tier: all of these within `promoteWindowDays`. */
  promoteMinOrders: number | null;
  promoteMinGmvMinor: string | null;
  promoteWindowDays: number;
  /** Fraud score strictly below this to be promoted. */
  promoteMaxFraudScore: number;
  /** Demotion to the tier below: fewer orders or less GMV within `demoteWindowDays`, or a fraud score at or above. */
  demoteMinOrders: number | null;
  demoteMinGmvMinor: string | null;
  demoteWindowDays: number;
  demoteFraudScore: number | null;
}

export const DEFAULT_TIER_SETTINGS: Record<PartnerTier, TierSettings> = {
  pilot: {
    baseRateBp: 900,
    holdingDays: 14,
    capMinor: '100000',
    minPayoutMinor: '5000',
    linkLimit: 3,
    promoteMinOrders: 5,
    promoteMinGmvMinor: '100000',
    promoteWindowDays: 30,
    promoteMaxFraudScore: 30,
    demoteMinOrders: null,
    demoteMinGmvMinor: null,
    demoteWindowDays: 30,
    demoteFraudScore: null,
  },
  standard: {
    baseRateBp: 900,
    holdingDays: 14,
    capMinor: null,
    minPayoutMinor: '10000',
    linkLimit: null,
    promoteMinOrders: 50,
    promoteMinGmvMinor: '1000000',
    promoteWindowDays: 30,
    promoteMaxFraudScore: 20,
    demoteMinOrders: 1,
    demoteMinGmvMinor: null,
    demoteWindowDays: 90,
    demoteFraudScore: 60,
  },
  preferred: {
    baseRateBp: 900,
    holdingDays: 7,
    capMinor: null,
    minPayoutMinor: '10000',
    linkLimit: null,
    promoteMinOrders: null,
    promoteMinGmvMinor: null,
    promoteWindowDays: 30,
    promoteMaxFraudScore: 0,
    demoteMinOrders: 20,
    demoteMinGmvMinor: '300000',
    demoteWindowDays: 30,
    demoteFraudScore: 40,
  },
};

/** The tier above and below (null at the ends). */
export const NEXT_TIER: Record<PartnerTier, PartnerTier | null> = {
  pilot: 'standard',
  standard: 'preferred',
  preferred: null,
};
export const PREVIOUS_TIER: Record<PartnerTier, PartnerTier | null> = {
  pilot: null,
  standard: 'pilot',
  preferred: 'standard',
};

/** Half-up rounding of `amount × bp / 10 000` on integers (amount ≥ 0): the one rounding rule. */
export function applyBp(amountMinor: bigint, bp: number): bigint {
  return (amountMinor * BigInt(bp) + 5_000n) / 10_000n;
}

/** The same rule in SQL, for bigint expressions. */
export const applyBpSql = (amount: string, bp: string) => `((${amount})::bigint * (${bp}) + 5000) / 10000`;

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
