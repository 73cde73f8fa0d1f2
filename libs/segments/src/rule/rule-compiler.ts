import { CheckedNode } from './rule-checker';
import { CompileContext } from './segment-field';

/** What a compiled rule is about: the brand, the instant and zone relative values resolve in. */
export interface SegmentScope {
  brandId: string;
  now: Date;
  timeZone: string;
  /** Erased members (personal data gone, aggregates kept) are left out unless this is set. */
  includeErased?: boolean;
}

/** The alias of `members` in every compiled query. */
export const MEMBER_ALIAS = 'm';

/**
 * Compiles a checked rule into the WHERE clause of `SELECT … FROM members m`: scoped to the brand,
 * without merged tombstones (nor erased members unless asked), and the rule as one boolean
 * expression. Values only ever travel as bind parameters, appended to `params` (so the clause can
 * sit inside a larger statement that already has parameters); identifiers come from the catalogue.
 */
export function compileWhere(node: CheckedNode, scope: SegmentScope, params: unknown[]): string {
  return scopedWhere(node, scope, context(scope, params));
}

/**
 * The `FROM … WHERE …` of the segment over `members m`. When the rule's top level ANDs heavy
 * conditions (per-member aggregates over orders) with others, the others run first in a fenced
 * subquery (`OFFSET 0` keeps the planner from pushing the aggregates below the joins that narrow
 * the members down), and the heavy ones filter what is left: an index probe per remaining member
 * instead of one per member of the brand. A heavy condition's guard (a cheap necessary test of the
 * member row, see SegmentFieldDef.guard) goes inside the fence with the others.
 */
export function compileFrom(node: CheckedNode, scope: SegmentScope, params: unknown[]): string {
  const m = MEMBER_ALIAS;
  const top = node.kind === 'all' ? node.children : [node];
  const heavy = top.filter((c) => c.kind === 'condition' && c.def.heavy);
  if (heavy.length === 0 || heavy.length === top.length)
    return `FROM members ${m}\n WHERE ${compileWhere(node, scope, params)}`;
  const ctx = context(scope, params);
  const light: CheckedNode = { kind: 'all', children: top.filter((c) => !heavy.includes(c)) };
  const where = scopedWhere(light, scope, ctx);
  // the heavy conditions' guards narrow the members before the joins; past the fence they are known true
  const guards = heavy.flatMap((c) => guardOf(c, ctx) ?? []).map((g) => `(${g})`);
  const inner = [where, ...guards].join('\n  AND ');
  const outer = heavy.map((c) => compileNode(c, ctx, false)).join('\n  AND ');
  return `FROM (SELECT ${m}.* FROM members ${m}\n WHERE ${inner}\n OFFSET 0) ${m}\n WHERE ${outer}`;
}

function context(scope: SegmentScope, params: unknown[]): CompileContext {
  params.push(scope.brandId);
  const brand = `$${params.length}::uuid`;
  return {
    member: MEMBER_ALIAS,
    brand,
    now: scope.now,
    timeZone: scope.timeZone,
    bind(value, cast) {
      params.push(value);
      return `$${params.length}::${cast}`;
    },
  };
}

function scopedWhere(node: CheckedNode, scope: SegmentScope, ctx: CompileContext): string {
  const m = MEMBER_ALIAS;
  const scoped = [`${m}.brand_id = ${ctx.brand}`, `${m}.merged_into IS NULL`];
  if (!scope.includeErased) scoped.push(`${m}.erased_at IS NULL`);
  const rule = compileNode(node, ctx);
  if (rule !== 'TRUE') scoped.push(rule);
  return scoped.join('\n  AND ');
}

/** The field's cheap necessary condition on the member row, if it has one. */
function guardOf(node: CheckedNode, ctx: CompileContext): string | undefined {
  return node.kind === 'condition' ? node.def.guard?.(node.cond, ctx) : undefined;
}

/**
 * NULL is "no match": AND and OR already agree with that reading, so only `not` needs care; it
 * negates `COALESCE(child, FALSE)` and stays the exact complement of its child.
 */
function compileNode(node: CheckedNode, ctx: CompileContext, guarded = true): string {
  switch (node.kind) {
    case 'condition': {
      const guard = guarded ? guardOf(node, ctx) : undefined;
      const sql = node.def.compile(node.cond, ctx);
      // AND evaluates left to right and stops at the first false: a member the guard rules out costs no probe
      return guard ? `((${guard}) AND (${sql}))` : `(${sql})`;
    }
    case 'not':
      return `NOT COALESCE(${compileNode(node.child, ctx)}, FALSE)`;
    case 'all':
      if (node.children.length === 0) return 'TRUE';
      if (node.children.length === 1) return compileNode(node.children[0], ctx);
      return `(${node.children.map((c) => compileNode(c, ctx)).join('\n  AND ')})`;
    case 'any':
      if (node.children.length === 1) return compileNode(node.children[0], ctx);
      return `(${node.children.map((c) => compileNode(c, ctx)).join('\n   OR ')})`;
  }
}
