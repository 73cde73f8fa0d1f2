import { castOf, equalityOps, NONE, numberOps, scalarPredicate, text } from '../rule/predicates';
import {
  CheckedCondition,
  CompileContext,
  ScalarSpec,
  SegmentFieldDef,
  ValueSpec,
} from '../rule/segment-field';

interface Base {
  name: string;
  category: string;
  description: string;
}

/** A field that is one SQL expression over the member row (`m.city`, `m.order_count`...). */
interface ColumnField extends Base {
  column: (member: string) => string;
  /** False when the expression is never NULL. */
  nullable: boolean;
}

const columnCompile =
  (o: ColumnField, spec: (op: string) => ScalarSpec, integer: 'int' | 'bigint' = 'int') =>
  (c: CheckedCondition, ctx: CompileContext) =>
    scalarPredicate(o.column(ctx.member), c.op, c.value, ctx, castOf(spec(c.op), integer), o.nullable);

const scalarOf = (ops: Record<string, ValueSpec>) => (op: string) => {
  const s = ops[op];
  return (
    s.kind === 'list' || s.kind === 'range' ? s.of : s.kind === 'none' ? { kind: 'string' } : s
  ) as ScalarSpec;
};

/** One of a fixed set of values: eq, neq, in, not_in. */
export function enumField(o: ColumnField & { values: readonly string[] }): SegmentFieldDef {
  const ops = equalityOps(text(o.values));
  return { ...pick(o), ops, compile: columnCompile(o, scalarOf(ops)) };
}

/** Free text: exact eq/neq/in/not_in, case-insensitive contains/starts_with, is_set/is_not_set. */
export function stringField(o: ColumnField): SegmentFieldDef {
  const s = text();
  const ops = { ...equalityOps(s), contains: s, starts_with: s, is_set: NONE, is_not_set: NONE };
  return { ...pick(o), ops, compile: columnCompile(o, scalarOf(ops)) };
}

/** Integers: eq, neq, in, not_in, gt, gte, lt, lte, between. */
export function integerField(
  o: ColumnField & { min: number; max: number; sqlType?: 'int' | 'bigint' },
): SegmentFieldDef {
  const ops = numberOps({ kind: 'integer', min: o.min, max: o.max });
  return { ...pick(o), ops, compile: columnCompile(o, scalarOf(ops), o.sqlType ?? 'int') };
}

/** Yes/no: eq true|false. `predicate` is a never-NULL boolean expression. */
export function booleanField(o: Base & { predicate: (ctx: CompileContext) => string }): SegmentFieldDef {
  return {
    ...pick(o),
    ops: { eq: { kind: 'boolean' } },
    compile: (c, ctx) => (c.value === true ? o.predicate(ctx) : `NOT ${o.predicate(ctx)}`),
  };
}

const pick = (o: Base) => ({ name: o.name, category: o.category, description: o.description });
