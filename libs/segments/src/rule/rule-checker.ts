import { FieldError } from '@siyu/platform';
import { DateTime } from 'luxon';
import { SegmentException } from '../segments.errors';
import { RULE_LIMITS } from './segment-rule';
import { CheckedCondition, ScalarSpec, SegmentFieldDef, ValueSpec } from './segment-field';

/** A rule after validation: every condition resolved to its field, every value typed. */
export type CheckedNode =
  | { kind: 'all'; children: CheckedNode[] }
  | { kind: 'any'; children: CheckedNode[] }
  | { kind: 'not'; child: CheckedNode }
  | { kind: 'condition'; def: SegmentFieldDef; cond: CheckedCondition };

export interface FieldLookup {
  get(name: string): SegmentFieldDef | undefined;
}

const MAX_ERRORS = 20;
const GROUP_KEYS = ['all', 'any', 'not'];
const CONDITION_KEYS = new Set(['field', 'op', 'value', 'days']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const describe = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

class Checker {
  readonly errors: FieldError[] = [];
  private nodes = 0;
  private tooBig = false;

  constructor(private readonly fields: FieldLookup) {}

  fail(field: string, message: string): undefined {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ field, message });
    return undefined;
  }

  /** `groups` is how many groups enclose this node. */
  node(raw: unknown, path: string, groups: number): CheckedNode | undefined {
    if (this.tooBig) return undefined;
    if (++this.nodes > RULE_LIMITS.maxNodes) {
      this.tooBig = true;
      return this.fail(path, `a rule may have at most ${RULE_LIMITS.maxNodes} groups and conditions`);
    }
    if (!isPlainObject(raw))
      return this.fail(
        path,
        `must be a group ({"all": [...]}, {"any": [...]} or {"not": {...}}) or a condition ({"field", "op", "value"}), not ${describe(raw)}`,
      );
    const keys = Object.keys(raw);
    const groupKey = keys.find((k) => GROUP_KEYS.includes(k));
    if (groupKey) {
      if (keys.length !== 1)
        return this.fail(path, `a group has exactly one key (all, any or not); found ${keys.join(', ')}`);
      if (groups + 1 > RULE_LIMITS.maxDepth)
        return this.fail(path, `groups may nest at most ${RULE_LIMITS.maxDepth} deep`);
      return this.group(groupKey as 'all' | 'any' | 'not', raw[groupKey], `${path}.${groupKey}`, groups + 1);
    }
    return this.condition(raw, path);
  }

  private group(key: 'all' | 'any' | 'not', raw: unknown, path: string, groups: number) {
    if (key === 'not') {
      const child = this.node(raw, path, groups);
      return child && { kind: 'not' as const, child };
    }
    if (!Array.isArray(raw)) return this.fail(path, `must be an array of groups and conditions`);
    if (key === 'any' && raw.length === 0)
      return this.fail(path, 'must have at least one group or condition');
    if (raw.length > RULE_LIMITS.maxNodes)
      return this.fail(path, `a rule may have at most ${RULE_LIMITS.maxNodes} groups and conditions`);
    const children = raw.map((c, i) => this.node(c, `${path}[${i}]`, groups));
    if (children.some((c) => c === undefined)) return undefined;
    return { kind: key, children: children as CheckedNode[] };
  }

  private condition(raw: Record<string, unknown>, path: string): CheckedNode | undefined {
    const errorsBefore = this.errors.length;
    for (const k of Object.keys(raw))
      if (!CONDITION_KEYS.has(k)) this.fail(`${path}.${k}`, `${k} is not an accepted key of a condition`);
    const { field, op, value, days } = raw;
    if (typeof field !== 'string' || field === '')
      return this.fail(`${path}.field`, 'field must name a segment field');
    const def = this.fields.get(field);
    if (!def) return this.fail(`${path}.field`, `unknown field "${field.slice(0, 60)}"`);
    const ops = Object.keys(def.ops);
    if (typeof op !== 'string' || !Object.hasOwn(def.ops, op))
      return this.fail(`${path}.op`, `op of ${field} must be one of: ${ops.join(', ')}`);
    const checked = this.value(def.ops[op], value, `${path}.value`, `${field} ${op}`);
    if (def.window) {
      if (days === undefined)
        this.fail(`${path}.days`, `${field} needs days (the window, 1–${RULE_LIMITS.maxDays})`);
      else if (!Number.isSafeInteger(days) || (days as number) < 1 || (days as number) > RULE_LIMITS.maxDays)
        this.fail(`${path}.days`, `days must be an integer from 1 to ${RULE_LIMITS.maxDays}`);
    } else if (days !== undefined) {
      this.fail(`${path}.days`, `${field} takes no days`);
    }
    if (this.errors.length > errorsBefore) return undefined;
    return {
      kind: 'condition',
      def,
      cond: { field, op, value: checked, ...(def.window ? { days: days as number } : {}), path },
    };
  }

  private value(spec: ValueSpec, raw: unknown, path: string, what: string): unknown {
    switch (spec.kind) {
      case 'none':
        return raw === undefined ? null : this.fail(path, `${what} takes no value`);
      case 'list': {
        if (!Array.isArray(raw) || raw.length === 0 || raw.length > RULE_LIMITS.maxListItems)
          return this.fail(path, `${what} takes an array of 1 to ${RULE_LIMITS.maxListItems} values`);
        return raw.map((v, i) => this.scalar(spec.of, v, `${path}[${i}]`));
      }
      case 'range': {
        if (!Array.isArray(raw) || raw.length !== 2)
          return this.fail(path, `${what} takes [from, to] (both included)`);
        const from = this.scalar(spec.of, raw[0], `${path}[0]`);
        const to = this.scalar(spec.of, raw[1], `${path}[1]`);
        if (from !== undefined && to !== undefined && (from as number | string) > (to as number | string))
          return this.fail(path, 'from must not be after to');
        return [from, to];
      }
      default:
        return this.scalar(spec, raw, path);
    }
  }

  private scalar(spec: ScalarSpec, v: unknown, path: string): unknown {
    switch (spec.kind) {
      case 'string':
        if (typeof v !== 'string' || v.length === 0 || v.length > RULE_LIMITS.maxStringLength)
          return this.fail(path, `must be a string of 1 to ${RULE_LIMITS.maxStringLength} characters`);
        if (v.includes('\u0000')) return this.fail(path, 'must not contain NUL characters');
        if (spec.enum && !spec.enum.includes(v))
          return this.fail(path, `must be one of: ${spec.enum.join(', ')}`);
        return v;
      case 'integer':
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < spec.min || v > spec.max)
          return this.fail(path, `must be an integer from ${spec.min} to ${spec.max}`);
        return v;
      case 'boolean':
        return typeof v === 'boolean' ? v : this.fail(path, 'must be true or false');
      case 'date':
        if (typeof v !== 'string' || !DAY.test(v) || !DateTime.fromISO(v, { zone: 'UTC' }).isValid)
          return this.fail(path, 'must be a calendar day YYYY-MM-DD');
        return v;
      case 'uuid':
        return typeof v === 'string' && UUID.test(v) ? v.toLowerCase() : this.fail(path, 'must be a UUID');
    }
  }
}

/**
 * Validates a rule tree (shape, fields, operators, values, depth and size) and returns it typed.
 * Throws SEGMENT_RULE_INVALID (400) listing every problem found with the path to its node.
 */
export function checkRule(raw: unknown, fields: FieldLookup, root = 'rule'): CheckedNode {
  const checker = new Checker(fields);
  const node = checker.node(raw, root, 0);
  if (checker.errors.length > 0 || !node) throw SegmentException.ruleInvalid(checker.errors);
  return node;
}

/** Every condition of a checked tree, in order. */
export function conditionsOf(node: CheckedNode): Array<Extract<CheckedNode, { kind: 'condition' }>> {
  switch (node.kind) {
    case 'condition':
      return [node];
    case 'not':
      return conditionsOf(node.child);
    default:
      return node.children.flatMap(conditionsOf);
  }
}
