/**
 * A segment's rule: a tree of groups and conditions.
 *
 * - `{ "all": [node, ...] }`  every child matches (an empty `all` matches every member)
 * - `{ "any": [node, ...] }`  at least one child matches (at least one child required)
 * - `{ "not": node }`         the child does not match
 * - `{ "field": "tags", "op": "has_any", "value": ["<tag id>"] }` a condition on one catalogue field;
 *   windowed fields (`orders_within_days`, `spend_within_days`) also take `"days": N`.
 */
export type SegmentRule = RuleAll | RuleAny | RuleNot | RuleCondition;

export interface RuleAll {
  all: SegmentRule[];
}

export interface RuleAny {
  any: SegmentRule[];
}

export interface RuleNot {
  not: SegmentRule;
}

export interface RuleCondition {
  field: string;
  op: string;
  value?: unknown;
  days?: number;
}

/** Bounds on a rule so one request cannot build an unbounded query. */
export const RULE_LIMITS = {
  /** Groups (`all`/`any`/`not`) nested inside each other, the root group included. */
  maxDepth: 5,
  /** Groups and conditions in the whole tree. */
  maxNodes: 64,
  /** Items in one list value (`in`, `has_any`, ...). */
  maxListItems: 100,
  /** Characters in one string value. */
  maxStringLength: 200,
  /** The largest `days` a window or a relative date may span (ten years). */
  maxDays: 3650,
} as const;

export const isAll = (n: SegmentRule): n is RuleAll => 'all' in n;
export const isAny = (n: SegmentRule): n is RuleAny => 'any' in n;
export const isNot = (n: SegmentRule): n is RuleNot => 'not' in n;
export const isCondition = (n: SegmentRule): n is RuleCondition => 'field' in n;
