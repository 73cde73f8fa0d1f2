import { randomUUID } from 'node:crypto';
import { checkRule } from './rule-checker';
import { windowLowerBound } from '../fields/order-fields';
import { compileFrom, compileWhere, SegmentScope } from './rule-compiler';
import { SegmentFieldRegistry } from './segment-field.registry';

const registry = new SegmentFieldRegistry();
const brandId = randomUUID();
const scope: SegmentScope = { brandId, now: new Date('2026-06-01T00:00:00Z'), timeZone: 'Asia/Shanghai' };

function compile(rule: unknown, s: SegmentScope = scope, params: unknown[] = []) {
  const where = compileWhere(checkRule(rule, registry), s, params);
  return { where, params };
}

describe('segment rule compiler', () => {
  it('scopes to the brand and leaves out merged tombstones and erased members (unless asked)', () => {
    const { where, params } = compile({ all: [] });
    expect(where).toBe('m.brand_id = $1::uuid\n  AND m.merged_into IS NULL\n  AND m.erased_at IS NULL');
    expect(params).toEqual([brandId]);
    expect(compile({ all: [] }, { ...scope, includeErased: true }).where).not.toContain('erased_at');
  });

  it('appends to the caller’s parameters and numbers after them', () => {
    const { where, params } = compile({ field: 'order_count', op: 'gte', value: 3 }, scope, ['a', 'b']);
    expect(params).toEqual(['a', 'b', brandId, 3]);
    expect(where).toContain('m.brand_id = $3::uuid');
    expect(where).toContain('m.order_count >= $4::int');
  });

  it('puts every value in a bind parameter, never in the SQL text', () => {
    const evil = `x'); DROP TABLE members; --`;
    const tag = randomUUID();
    const { where, params } = compile({
      all: [
        { field: 'city', op: 'eq', value: evil },
        { field: 'utm_campaign', op: 'contains', value: `%' OR 1=1 --` },
        { field: 'source_channel', op: 'in', value: ['wecom'] },
        { field: 'tags', op: 'has_all', value: [tag] },
        { field: 'birthday', op: 'before', value: '1990-01-01' },
        { field: 'paid_spend', op: 'between', value: [100, 9_999] },
      ],
    });
    expect(where).not.toContain('DROP');
    expect(where).not.toContain('OR 1=1');
    expect(where).not.toContain('wecom');
    expect(where).not.toContain(tag);
    expect(where).not.toContain('1990');
    expect(where).not.toContain('9999');
    expect(params).toEqual(
      expect.arrayContaining([evil, `%' OR 1=1 --`, ['wecom'], [tag], '1990-01-01', 100, 9_999]),
    );
  });

  it('keeps `not` the complement of its child even where the child is NULL', () => {
    const { where } = compile({ not: { field: 'city', op: 'eq', value: 'Shanghai' } });
    expect(where).toContain('NOT COALESCE((m.city = $2::text), FALSE)');
  });

  it('resolves calendar days in the brand’s time zone and relative days from `now`', () => {
    const { params } = compile({
      all: [
        { field: 'joined_at', op: 'before', value: '2026-01-01' },
        { field: 'joined_at', op: 'within_last_days', value: 30 },
        { field: 'days_since_last_order', op: 'lte', value: 0 },
      ],
    });
    expect(params.slice(1)).toEqual([
      new Date('2025-12-31T16:00:00Z'), // midnight in Shanghai
      new Date('2026-05-02T00:00:00Z'),
      new Date('2026-05-31T00:00:00Z'), // last order after now − 1 day
    ]);
    const la = compile(
      { field: 'joined_at', op: 'after', value: '2026-01-01' },
      { ...scope, timeZone: 'America/Los_Angeles' },
    );
    expect(la.params[1]).toEqual(new Date('2026-01-02T08:00:00Z'));
  });

  it('scopes tables found by a rule id by the brand, and member-keyed ones through the member', () => {
    const { where } = compile({
      any: [
        { field: 'tags', op: 'has_any', value: [randomUUID()] },
        { field: 'tier', op: 'rank_gte', value: 2 },
        { field: 'rfm_group', op: 'in', value: ['champions'] },
        { field: 'orders_within_days', op: 'gte', value: 1, days: 30 },
      ],
    });
    for (const alias of ['mtr.brand_id', 't.brand_id', 'rfm.brand_id'])
      expect(where).toContain(`${alias} = $1::uuid`);
    for (const alias of ['mt', 'mtr', 'rfm', 'o']) expect(where).toContain(`${alias}.member_id = m.id`);
  });

  it('evaluates top-level order aggregates after the other conditions (a fenced subquery)', () => {
    const tag = randomUUID();
    const params: unknown[] = [];
    const from = compileFrom(
      checkRule(
        {
          all: [
            { field: 'spend_within_days', op: 'gte', value: 100, days: 365 },
            { field: 'tags', op: 'has_any', value: [tag] },
            { field: 'source_channel', op: 'eq', value: 'wecom' },
          ],
        },
        registry,
      ),
      scope,
      params,
    );
    expect(from).toMatch(
      /^FROM \(SELECT m\.\* FROM members m\n WHERE m\.brand_id = \$1::uuid[\s\S]*OFFSET 0\) m\n WHERE \(CASE WHEN m\.last_order_at/,
    );
    const [inner, outer] = from.split('OFFSET 0');
    expect(inner).toContain('mt.tag_id');
    expect(inner).not.toContain('FROM orders');
    // the window's guard narrows the members inside the fence; past it only the window is left
    expect(inner).toContain(
      '\n  AND (m.last_order_at >= $4::timestamptz AND m.paid_spend_minor >= $5::bigint)\n ',
    );
    expect(outer).toContain('FROM orders o');
    expect(outer).not.toContain('m.paid_spend_minor >= $');
    const cut = new Date('2025-06-01T00:00:00Z');
    expect(params).toEqual([brandId, [tag], 'wecom', cut, 100, cut, 100]);
    // alone, or inside a group, it stays where it is
    const alone = compileFrom(
      checkRule({ field: 'spend_within_days', op: 'gte', value: 1, days: 30 }, registry),
      scope,
      [],
    );
    expect(alone).toMatch(/^FROM members m\n WHERE /);
    const nested = compileFrom(
      checkRule(
        {
          any: [
            { field: 'spend_within_days', op: 'gte', value: 1, days: 30 },
            { field: 'city', op: 'is_set' },
          ],
        },
        registry,
      ),
      scope,
      [],
    );
    expect(nested).not.toContain('OFFSET 0');
    // …with its guard first, so a member the guard rules out is not probed
    expect(nested).toMatch(
      /\(\(\(m\.last_order_at >= \$2::timestamptz AND m\.paid_spend_minor >= \$3::bigint\) AND \(CASE WHEN/,
    );
  });

  it('reads an order window from the member’s aggregates where they give it, and probes orders otherwise', () => {
    const params: unknown[] = [];
    const where = compileWhere(
      checkRule({ field: 'spend_within_days', op: 'lt', value: 5_000, days: 30 }, registry),
      scope,
      params,
    );
    // nothing in the window: 0; all of the member's orders in it: the lifetime figure; else the sum
    expect(where).toContain('CASE WHEN m.last_order_at >= $2::timestamptz');
    expect(where).toContain(
      'CASE WHEN m.first_order_at >= $2::timestamptz THEN m.paid_spend_minor ELSE (SELECT',
    );
    expect(where).toContain('o.placed_at >= $2::timestamptz');
    expect(where).toMatch(/ELSE 0 END < \$3::bigint\)$/);
    // `lt` matches members without orders: no guard
    expect(where).not.toContain('m.paid_spend_minor >=');
    expect(params).toEqual([brandId, new Date('2026-05-02T00:00:00Z'), 5_000]);
  });

  it('guards a window condition only when it needs an order in the window', () => {
    const guarded = (op: string, value: unknown) =>
      compileWhere(
        checkRule({ field: 'orders_within_days', op, value, days: 30 }, registry),
        scope,
        [],
      ).includes('m.order_count >=');
    expect(guarded('gte', 2)).toBe(true);
    expect(guarded('gt', 0)).toBe(true);
    expect(guarded('eq', 1)).toBe(true);
    expect(guarded('in', [3, 1])).toBe(true);
    expect(guarded('between', [1, 4])).toBe(true);
    for (const [op, value] of [
      ['gte', 0],
      ['eq', 0],
      ['in', [0, 2]],
      ['between', [0, 4]],
      ['lt', 3],
      ['lte', 3],
      ['neq', 2],
      ['not_in', [1]],
    ] as const)
      expect({ op, value, guarded: guarded(op, value) }).toEqual({ op, value, guarded: false });
    expect(windowLowerBound('gt', 4)).toBe(5);
    expect(windowLowerBound('in', [7, 3, 9])).toBe(3);
    expect(windowLowerBound('between', [2, 9])).toBe(2);
  });
});

describe('segment field registry', () => {
  it('takes a new field from another lib and compiles rules that use it', () => {
    const r = new SegmentFieldRegistry();
    r.register({
      name: 'in_group_chat',
      category: 'communities',
      description: 'Member of one of these group chats',
      ops: { in: { kind: 'list', of: { kind: 'uuid' } } },
      compile: (c, ctx) =>
        `EXISTS (SELECT 1 FROM group_chat_members g WHERE g.member_id = ${ctx.member}.id AND g.brand_id = ${ctx.brand} AND g.chat_id = ANY(${ctx.bind(c.value, 'uuid[]')}))`,
    });
    const chat = randomUUID();
    const params: unknown[] = [];
    const where = compileWhere(
      checkRule({ field: 'in_group_chat', op: 'in', value: [chat] }, r),
      scope,
      params,
    );
    expect(where).toContain('g.chat_id = ANY($2::uuid[])');
    expect(params).toEqual([brandId, [chat]]);
    // the catalogue of another registry is unchanged
    expect(registry.get('in_group_chat')).toBeUndefined();
  });

  it('refuses a duplicate or malformed field', () => {
    const r = new SegmentFieldRegistry();
    const def = {
      name: 'city',
      category: 'x',
      description: '',
      ops: { eq: { kind: 'boolean' as const } },
      compile: () => 'TRUE',
    };
    expect(() => r.register(def)).toThrow(/already registered/);
    expect(() => r.register({ ...def, name: 'Bad Name' })).toThrow(/snake_case/);
    expect(() => r.register({ ...def, name: 'no_ops', ops: {} })).toThrow(/no operators/);
  });
});
