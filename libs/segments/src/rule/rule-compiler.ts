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
 * conditions (per-member aggregates over orders) with others, the heavy ones are evaluated after
 * the others have narrowed the members down (an index probe per remaining member instead of one per
 * member of the brand). Aggregates over one joined table (`grouped`: the order windows) become one
 * grouped subquery, `members JOIN orders … GROUP BY m.id HAVING …`: the planner joins the orders
 * after the narrowing joins, in its parallel workers. Other heavy conditions filter a fenced
 * subquery of the rest (`OFFSET 0` keeps the planner from pushing them below those joins), one
 * probe at a time in the leader; so do all of them with `parallel: false`, for statements that
 * write (an INSERT … SELECT runs without parallel workers, and there the fence is faster).
 */
export function compileFrom(
  node: CheckedNode,
  scope: SegmentScope,
  params: unknown[],
  opts: { parallel?: boolean } = {},
): string {
  const m = MEMBER_ALIAS;
  const top = node.kind === 'all' ? node.children : [node];
  const heavy = top.filter((c) => c.kind === 'condition' && c.def.heavy);
  if (heavy.length === 0 || heavy.length === top.length)
    return `FROM members ${m}\n WHERE ${compileWhere(node, scope, params)}`;
  const ctx = context(scope, params);
  const light: CheckedNode = { kind: 'all', children: top.filter((c) => !heavy.includes(c)) };
  const inner = scopedWhere(light, scope, ctx);
  // Values are bound as they are compiled: find out whether the grouped form applies on a scratch
  // context first, so that the form not taken binds nothing (Postgres refuses unused parameters).
  const groupable = (c: CheckedNode) => c.kind === 'condition' && c.def.grouped !== undefined;
  const groupedIn = (into: CompileContext) =>
    heavy.flatMap((c) => (c.kind === 'condition' && c.def.grouped ? [c.def.grouped(c.cond, into)] : []));
  if (
    opts.parallel !== false &&
    heavy.every(groupable) &&
    new Set(groupedIn(context(scope, [])).map((g) => g.join)).size === 1
  ) {
    const grouped = groupedIn(ctx);
    // Members without a joined row only matter when every aggregate condition accepts none.
    const join = grouped.every((g) => g.matchesNone) ? 'LEFT JOIN' : 'JOIN';
    return `FROM (SELECT ${m}.* FROM members ${m}
 ${join} ${grouped[0].join} AND (${grouped.map((g) => g.rows).join(' OR ')})
 WHERE ${inner}
 GROUP BY ${m}.id
 HAVING ${grouped.map((g) => `(${g.having})`).join('\n  AND ')}) ${m}
 WHERE TRUE`;
  }
  const outer = heavy.map((c) => compileNode(c, ctx)).join('\n  AND ');
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

/**
 * NULL is "no match": AND and OR already agree with that reading, so only `not` needs care; it
 * negates `COALESCE(child, FALSE)` and stays the exact complement of its child.
 */
function compileNode(node: CheckedNode, ctx: CompileContext): string {
  switch (node.kind) {
    case 'condition':
      return `(${node.def.compile(node.cond, ctx)})`;
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
