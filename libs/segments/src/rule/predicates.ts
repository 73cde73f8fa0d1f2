import { CompileContext, ScalarSpec, ValueSpec } from './segment-field';

/** The operators that match members *without* a value (no city, no tier, no RFM score...). */
export const NEGATIVE_OPS: Readonly<Record<string, string>> = {
  neq: 'eq',
  not_in: 'in',
  is_not_set: 'is_set',
  has_none: 'has_any',
};

/** The SQL type a scalar of this spec is bound as. */
export function castOf(spec: ScalarSpec, integer: 'int' | 'bigint' = 'int'): string {
  switch (spec.kind) {
    case 'string':
      return 'text';
    case 'integer':
      return integer;
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'uuid':
      return 'uuid';
  }
}

/**
 * The predicate `op` over a column expression (which may be NULL). Positive operators are false on
 * NULL (through SQL's NULL, which the compiler reads as false); `neq` and `not_in` match NULL.
 * Comparisons of strings are exact; `contains` and `starts_with` ignore case. Pass
 * `nullable = false` for an expression that is never NULL (it is then written only once).
 */
export function scalarPredicate(
  col: string,
  op: string,
  value: unknown,
  ctx: CompileContext,
  cast: string,
  nullable = true,
): string {
  const one = () => ctx.bind(value, cast);
  const list = () => ctx.bind(value, `${cast}[]`);
  switch (op) {
    case 'eq':
      return `${col} = ${one()}`;
    case 'neq':
      return nullable ? `${col} IS DISTINCT FROM ${one()}` : `${col} <> ${one()}`;
    case 'in':
      return `${col} = ANY(${list()})`;
    case 'not_in':
      return nullable ? `(${col} IS NULL OR ${col} <> ALL(${list()}))` : `${col} <> ALL(${list()})`;
    case 'gt':
      return `${col} > ${one()}`;
    case 'gte':
      return `${col} >= ${one()}`;
    case 'lt':
      return `${col} < ${one()}`;
    case 'lte':
      return `${col} <= ${one()}`;
    case 'between': {
      const [from, to] = value as [unknown, unknown];
      return `${col} BETWEEN ${ctx.bind(from, cast)} AND ${ctx.bind(to, cast)}`;
    }
    case 'contains':
      return `strpos(lower(${col}), lower(${one()})) > 0`;
    case 'starts_with':
      return `starts_with(lower(${col}), lower(${one()}))`;
    case 'is_set':
      return `${col} IS NOT NULL`;
    case 'is_not_set':
      return `${col} IS NULL`;
    default:
      throw new Error(`operator ${op} has no SQL`);
  }
}

/**
 * A predicate over a column of a per-member side table (at most one row per member, e.g. member_rfm):
 * positive operators are `EXISTS (row whose column matches)`, negative ones `NOT EXISTS (row whose
 * column matches the positive twin)`, so a member without a row matches only the negative ones.
 */
export function sideTablePredicate(
  from: (pred: string) => string,
  col: string,
  op: string,
  value: unknown,
  ctx: CompileContext,
  cast: string,
): string {
  const positive = NEGATIVE_OPS[op];
  if (positive) return `NOT EXISTS (${from(scalarPredicate(col, positive, value, ctx, cast))})`;
  return `EXISTS (${from(scalarPredicate(col, op, value, ctx, cast))})`;
}

// Spec shorthands for field definitions.
export const NONE: ValueSpec = { kind: 'none' };
export const list = (of: ScalarSpec): ValueSpec => ({ kind: 'list', of });
export const range = (of: ScalarSpec): ValueSpec => ({ kind: 'range', of });
export const int = (min: number, max: number): ScalarSpec => ({ kind: 'integer', min, max });
export const text = (values?: readonly string[]): ScalarSpec =>
  values ? { kind: 'string', enum: values } : { kind: 'string' };
export const UUID: ScalarSpec = { kind: 'uuid' };
export const BOOL: ScalarSpec = { kind: 'boolean' };
export const DATE: ScalarSpec = { kind: 'date' };

/** eq, neq, in, not_in over one scalar spec. */
export const equalityOps = (s: ScalarSpec): Record<string, ValueSpec> => ({
  eq: s,
  neq: s,
  in: list(s),
  not_in: list(s),
});

/** Equality plus ordering over integers. */
export const numberOps = (s: ScalarSpec): Record<string, ValueSpec> => ({
  ...equalityOps(s),
  gt: s,
  gte: s,
  lt: s,
  lte: s,
  between: range(s),
});
