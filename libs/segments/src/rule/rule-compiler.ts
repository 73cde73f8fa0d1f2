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
  params.push(scope.brandId);
  const brand = `$${params.length}::uuid`;
  const ctx: CompileContext = {
    member: MEMBER_ALIAS,
    brand,
    now: scope.now,
    timeZone: scope.timeZone,
    bind(value, cast) {
      params.push(value);
      return `$${params.length}::${cast}`;
    },
  };
  const m = MEMBER_ALIAS;
  const scoped = [`${m}.brand_id = ${brand}`, `${m}.merged_into IS NULL`];
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
