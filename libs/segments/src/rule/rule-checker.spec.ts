import { randomUUID } from 'node:crypto';
import { SegmentException } from '../segments.errors';
import { checkRule, conditionsOf } from './rule-checker';
import { SegmentFieldRegistry } from './segment-field.registry';
import { RULE_LIMITS } from './segment-rule';

const registry = new SegmentFieldRegistry();

/** The errors a rule gets, or [] when it is valid. */
function errorsOf(rule: unknown) {
  try {
    checkRule(rule, registry);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(SegmentException);
    expect((err as SegmentException).status).toBe(400);
    expect((err as SegmentException).code).toBe('SEGMENT_RULE_INVALID');
    return (err as SegmentException).errors ?? [];
  }
}
const fieldsOf = (rule: unknown) => errorsOf(rule).map((e) => e.field);

const nest = (levels: number): unknown => {
  let node: unknown = { field: 'order_count', op: 'gte', value: 1 };
  for (let i = 0; i < levels; i++) node = { all: [node] };
  return node;
};

describe('segment rule validation', () => {
  it('accepts a tree of every group kind and returns its conditions typed', () => {
    const tag = randomUUID();
    const node = checkRule(
      {
        all: [
          { field: 'source_channel', op: 'in', value: ['wecom', 'douyin'] },
          {
            any: [
              { field: 'tags', op: 'has_any', value: [tag.toUpperCase()] },
              { field: 'city', op: 'eq', value: '上海' },
            ],
          },
          { not: { field: 'consent', op: 'eq', value: 'opted_out' } },
          { field: 'spend_within_days', op: 'gte', value: 50_000, days: 365 },
          { field: 'birthday', op: 'is_set' },
        ],
      },
      registry,
    );
    const conds = conditionsOf(node).map((c) => c.cond);
    expect(conds.map((c) => c.path)).toEqual([
      'rule.all[0]',
      'rule.all[1].any[0]',
      'rule.all[1].any[1]',
      'rule.all[2].not',
      'rule.all[3]',
      'rule.all[4]',
    ]);
    expect(conds[1].value).toEqual([tag]); // UUIDs are normalised to lower case
    expect(conds[4].days).toBe(365);
    expect(conds[5].value).toBeNull();
  });

  it('names the path of an unknown field, a wrong operator and a bad value deep in the tree', () => {
    expect(
      fieldsOf({
        all: [
          { field: 'order_count', op: 'gte', value: 1 },
          { field: 'shoe_size', op: 'eq', value: 42 },
          {
            any: [
              { field: 'city', op: 'eq', value: 7 },
              { field: 'tags', op: 'gte', value: 1 },
            ],
          },
        ],
      }),
    ).toEqual(['rule.all[1].field', 'rule.all[2].any[0].value', 'rule.all[2].any[1].op']);
  });

  it.each([
    ['an enum value not in the set', { field: 'source_channel', op: 'eq', value: 'myspace' }, 'rule.value'],
    [
      'a list item of the wrong type',
      { field: 'tags', op: 'has_all', value: [randomUUID(), 'nope'] },
      'rule.value[1]',
    ],
    ['an empty list', { field: 'source_channel', op: 'in', value: [] }, 'rule.value'],
    [
      'a list that is too long',
      { field: 'city', op: 'in', value: Array.from({ length: 101 }, (_, i) => `c${i}`) },
      'rule.value',
    ],
    ['a string that is too long', { field: 'city', op: 'eq', value: 'x'.repeat(201) }, 'rule.value'],
    ['a NUL character', { field: 'city', op: 'contains', value: 'a\u0000b' }, 'rule.value'],
    ['a non-integer', { field: 'order_count', op: 'gt', value: 1.5 }, 'rule.value'],
    ['a numeric string', { field: 'order_count', op: 'gt', value: '1' }, 'rule.value'],
    ['a number out of range', { field: 'rfm_r', op: 'eq', value: 6 }, 'rule.value'],
    ['a negative amount', { field: 'paid_spend', op: 'gte', value: -1 }, 'rule.value'],
    ['a range that is backwards', { field: 'order_count', op: 'between', value: [5, 1] }, 'rule.value'],
    ['a range of three', { field: 'order_count', op: 'between', value: [1, 2, 3] }, 'rule.value'],
    ['an impossible day', { field: 'birthday', op: 'before', value: '2025-02-30' }, 'rule.value'],
    [
      'a timestamp where a day is expected',
      { field: 'joined_at', op: 'after', value: '2025-01-01T00:00:00Z' },
      'rule.value',
    ],
    ['a month out of range', { field: 'birthday', op: 'month_in', value: [0] }, 'rule.value[0]'],
    ['a value on a valueless op', { field: 'city', op: 'is_set', value: 'x' }, 'rule.value'],
    ['a boolean as a string', { field: 'reachable', op: 'eq', value: 'true' }, 'rule.value'],
    ['a window without days', { field: 'orders_within_days', op: 'gte', value: 1 }, 'rule.days'],
    ['a window of zero days', { field: 'spend_within_days', op: 'gte', value: 1, days: 0 }, 'rule.days'],
    [
      'days on a field without a window',
      { field: 'order_count', op: 'gte', value: 1, days: 30 },
      'rule.days',
    ],
    ['an unknown key', { field: 'order_count', op: 'gte', value: 1, hint: 'x' }, 'rule.hint'],
    ['a missing field', { op: 'eq', value: 1 }, 'rule.field'],
    ['an operator inherited from Object', { field: 'city', op: 'toString', value: 'x' }, 'rule.op'],
  ])('refuses %s', (_, rule, path) => {
    expect(fieldsOf(rule)).toEqual([path]);
  });

  it('refuses malformed groups with their path', () => {
    expect(fieldsOf({ all: [{ any: [] }] })).toEqual(['rule.all[0].any']);
    expect(fieldsOf({ all: {} })).toEqual(['rule.all']);
    expect(fieldsOf({ all: [], any: [] })).toEqual(['rule']);
    expect(fieldsOf({ all: [{ field: 'city', op: 'is_set', all: [] }] })).toEqual(['rule.all[0]']);
    expect(fieldsOf({ all: [null, 'x', []] })).toEqual(['rule.all[0]', 'rule.all[1]', 'rule.all[2]']);
    expect(fieldsOf({ not: [] })).toEqual(['rule.not']);
    expect(fieldsOf('DROP TABLE members')).toEqual(['rule']);
  });

  it('accepts an empty all (every member) and any node as the root', () => {
    expect(errorsOf({ all: [] })).toEqual([]);
    expect(errorsOf({ field: 'reachable', op: 'eq', value: true })).toEqual([]);
    expect(errorsOf({ not: { not: { field: 'reachable', op: 'eq', value: true } } })).toEqual([]);
  });

  it(`limits nesting to ${RULE_LIMITS.maxDepth} groups, naming the group that goes too deep`, () => {
    expect(errorsOf(nest(RULE_LIMITS.maxDepth))).toEqual([]);
    const errors = errorsOf(nest(RULE_LIMITS.maxDepth + 1));
    expect(errors).toHaveLength(1);
    expect(errors[0].field).toBe('rule.all[0].all[0].all[0].all[0].all[0]');
    expect(errors[0].message).toMatch(/at most 5 deep/);
    // `not` counts as a group
    expect(
      fieldsOf({ not: { not: { not: { not: { not: { not: { field: 'city', op: 'is_set' } } } } } } }),
    ).toEqual(['rule.not.not.not.not.not']);
  });

  it(`limits a rule to ${RULE_LIMITS.maxNodes} nodes`, () => {
    const leaf = { field: 'order_count', op: 'gte', value: 1 };
    expect(errorsOf({ all: Array.from({ length: RULE_LIMITS.maxNodes - 1 }, () => leaf) })).toEqual([]);
    const errors = errorsOf({ all: Array.from({ length: RULE_LIMITS.maxNodes }, () => leaf) });
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toMatch(/at most 64/);
    // a huge array is refused without walking it
    expect(fieldsOf({ any: Array.from({ length: 100_000 }, () => leaf) })).toEqual(['rule.any']);
  });

  it('reports at most 20 problems', () => {
    const bad = { field: 'nope', op: 'eq', value: 1 };
    expect(errorsOf({ all: Array.from({ length: 40 }, () => bad) })).toHaveLength(20);
  });

  it('uses the root name it is given (a stored rule is segment.rule)', () => {
    expect(() => checkRule({ field: 'x' }, registry, 'segment.rule')).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ field: 'segment.rule.field' })] }),
    );
  });
});
