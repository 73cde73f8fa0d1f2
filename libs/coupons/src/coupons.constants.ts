/** Coupon template kinds: money off, a percentage off (with an optional cap), or the shipping fee. */
export const COUPON_KINDS = ['fixed_amount', 'percentage', 'free_shipping'] as const;
export type CouponKind = (typeof COUPON_KINDS)[number];

/** draft → active ⇄ paused → ended (and draft → ended). Only an active template issues or redeems. */
export const TEMPLATE_STATUSES = ['draft', 'active', 'paused', 'ended'] as const;
export type TemplateStatus = (typeof TEMPLATE_STATUSES)[number];

/** The transitions an operator may make, by action. */
export const TEMPLATE_TRANSITIONS: Record<
  'activate' | 'pause' | 'end',
  { from: TemplateStatus[]; to: TemplateStatus }
> = {
  activate: { from: ['draft', 'paused'], to: 'active' },
  pause: { from: ['active'], to: 'paused' },
  end: { from: ['draft', 'active', 'paused'], to: 'ended' },
};

/** exclusive: the only coupon on an order; stackable: may join other stackable coupons. */
export const STACKING_RULES = ['exclusive', 'stackable'] as const;
export type StackingRule = (typeof STACKING_RULES)[number];

/**
 * personal: bound to one member, redeemable once; bearer: generated in bulk and bound to nobody
 * (printed cards, a partner's dedicated codes), redeemable once by whoever holds it; shared: one
 * public code redeemable up to `max_redemptions` times (each member up to the per-member limit).
 */
export const CODE_KINDS = ['personal', 'bearer', 'shared'] as const;
export type CodeKind = (typeof CODE_KINDS)[number];

export const COUPON_STATUSES = ['available', 'expired', 'void'] as const;
export type CouponStatus = (typeof COUPON_STATUSES)[number];

/** Where an issued coupon came from; with `source_ref` it is the issue's idempotency key. */
export const ISSUE_SOURCES = [
  'manual',
  'segment',
  'campaign',
  'tier_perk',
  'draw',
  'partner',
  'live',
  'bulk',
] as const;
export type IssueSource = (typeof ISSUE_SOURCES)[number];

/** Why a code cannot be redeemed (validate answers one of these). */
export const REFUSAL_REASONS = [
  'not_found',
  'template_not_active',
  'paused',
  'ended',
  'not_yet_valid',
  'expired',
  'void',
  'not_yours',
  'member_required',
  'minimum_spend',
  'channel_not_allowed',
  'already_used',
  'exhausted',
  'member_limit',
  'not_stackable',
  'budget_exhausted',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** Why an issue was refused. */
export const ISSUE_REFUSALS = [
  'template_not_found',
  'template_not_active',
  'template_ended',
  'member_not_found',
  'member_limit',
  'budget_exhausted',
] as const;
export type IssueRefusal = (typeof ISSUE_REFUSALS)[number];

/** No 0/O, 1/I/L: 31 characters nobody reads wrong on a receipt or a phone screen. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const CODE_PREFIX_PATTERN = /^[A-Z0-9]{0,8}$/;
export const CUSTOM_CODE_PATTERN = /^[A-Z0-9][A-Z0-9-]{2,39}$/;
export const MIN_CODE_LENGTH = 4;
export const MAX_CODE_LENGTH = 24;
/**
 * A template's codes may fill at most this share of their code space: beyond it, a guessed code
 * is too likely to be a real one, and generation retries too often. 1M codes of length 4 (31^4 =
 * 923,521 possible) fill more than all of it and are refused.
 */
export const MAX_CODE_SPACE_DENSITY = 0.01;

/** Up to this many codes are generated in the request; more become a queued batch with progress. */
export const INLINE_GENERATION_LIMIT = 10_000;
/** Codes per generation transaction (a batch commits its progress after each). */
export const GENERATION_CHUNK = 100_000;
/** Chunks of one batch inserted at once, each on its own connection (the machines have 2+ cores). */
export const GENERATION_PARALLEL = 2;
export const MAX_GENERATION = 5_000_000;
export const MAX_AMOUNT_MINOR = 999_999_999_999_999;

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
