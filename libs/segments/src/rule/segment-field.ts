/** The value an operator takes, checked before anything is compiled. */
export type ScalarSpec =
  | { kind: 'string'; enum?: readonly string[] }
  | { kind: 'integer'; min: number; max: number }
  | { kind: 'boolean' }
  /** A calendar day, `YYYY-MM-DD`. */
  | { kind: 'date' }
  | { kind: 'uuid' };

export type ValueSpec =
  | { kind: 'none' }
  | ScalarSpec
  /** A non-empty JSON array of scalars (at most RULE_LIMITS.maxListItems). */
  | { kind: 'list'; of: ScalarSpec }
  /** `[from, to]`, both included, from ≤ to. */
  | { kind: 'range'; of: ScalarSpec };

/** A condition whose field, operator and value passed validation; `value` has its spec's type. */
export interface CheckedCondition {
  field: string;
  op: string;
  value: unknown;
  /** Only on windowed fields. */
  days?: number;
  /** Where the condition is in the request, e.g. `rule.all[2]`. */
  path: string;
}

/** What a field's `compile` gets: where to bind values and what the query is about. */
export interface CompileContext {
  /** Alias of the `members` row being tested (`m`). */
  readonly member: string;
  /** Placeholder of the brand id (`$1`); every table a field reads must be scoped by it. */
  readonly brand: string;
  /** The instant relative conditions ("within the last N days") are measured from. */
  readonly now: Date;
  /** The brand's IANA time zone: calendar days in values are days there. */
  readonly timeZone: string;
  /** Appends a bind value and returns its placeholder with the cast, e.g. `$4::uuid[]`. */
  bind(value: unknown, cast: string): string;
}

/** The smallest thing that runs SQL (a DataSource or an EntityManager). */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown[]>;
}

/**
 * One field of the segment catalogue. Libs add their own (group chats, coupons, campaigns) through
 * `SegmentFieldRegistry.register`. `compile` returns a boolean SQL expression about the member
 * `ctx.member`; it must put every value through `ctx.bind`, and scope what it reads to the brand:
 * rows keyed by the member (`x.member_id = m.id`) are the member's, hence the brand's; rows found
 * by an id from the rule (a tag, a tier, a group chat) must be matched with `ctx.brand`. It may
 * return NULL for an unknown value (the compiler reads NULL as "no match" and keeps `not` the
 * complement).
 */
export interface SegmentFieldDef {
  /** snake_case, unique in the registry. */
  readonly name: string;
  /** Which part of the catalogue it belongs to (`member`, `orders`, `rfm`, ...). */
  readonly category: string;
  readonly description: string;
  /** The operators it accepts and the value each takes. */
  readonly ops: Readonly<Record<string, ValueSpec>>;
  /** Windowed fields take `days` (1 … RULE_LIMITS.maxDays): "in the last N days". */
  readonly window?: boolean;
  /**
   * A per-member aggregate that costs an index probe per member (spend in a window): at the top
   * level of a rule it is evaluated after every other condition has narrowed the members down.
   */
  readonly heavy?: boolean;
  compile(cond: CheckedCondition, ctx: CompileContext): string;
  /**
   * A cheap test of the member row that every member matching `cond` passes (a necessary condition,
   * e.g. "lifetime spend ≥ x" for "spend in the last N days ≥ x"), or undefined when there is none.
   * The compiler evaluates it before the condition itself, and before the joins when the condition
   * is a heavy one at the top level, so members it rules out cost no probe. It must be implied by
   * the condition: `cond AND guard` selects exactly the members `cond` selects.
   */
  guard?(cond: CheckedCondition, ctx: CompileContext): string | undefined;
  /**
   * The ids in the condition's value that are not the brand's (unknown tags, another brand's tier):
   * the request is refused with 400 naming them. Optional; the compiled SQL is brand-scoped anyway.
   */
  unknownRefs?(db: Queryable, brandId: string, cond: CheckedCondition): Promise<string[]>;
}
