import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { PlatformModule } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { SegmentFieldRegistry } from './rule/segment-field.registry';
import { SegmentQueryService } from './segment-query.service';
import { SegmentsModule } from './segments.module';
import { seedBrand, seedMembers, seedTags, seedTiers } from './testing/segment-seed';

const DAY = 86_400_000;
const NOW = new Date('2026-06-01T04:00:00Z'); // 12:00 in Shanghai
const ago = (days: number) => new Date(NOW.getTime() - days * DAY);
const EVIL = `x'); DROP TABLE members; --`;

describe('segment fields (int): each field’s SQL on a hand-made brand', () => {
  let app: INestApplicationContext;
  let ds: DataSource;
  let query: SegmentQueryService;
  let brand: string;
  // Chosen up front: the table of cases below is built before the data is.
  const tag = { tea: randomUUID(), vip: randomUUID(), unused: randomUUID() };
  const tier = { member: randomUUID(), silver: randomUUID(), gold: randomUUID() };
  const foreign = { tag: randomUUID(), tier: randomUUID() };
  const nameOf = new Map<string, string>();

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [PlatformModule, SegmentsModule] }).compile();
    app = await moduleRef.init();
    ds = app.get(DataSource);
    query = app.get(SegmentQueryService);

    brand = await seedBrand(ds, 'Asia/Shanghai');
    await seedTags(ds, brand, ['tea', 'vip', 'unused'], [tag.tea, tag.vip, tag.unused]);
    await seedTiers(ds, brand, [
      { id: tier.member, name: 'Member', rank: 0 },
      { id: tier.silver, name: 'Silver', rank: 1 },
      { id: tier.gold, name: 'Gold', rank: 2 },
    ]);
    const other = await seedBrand(ds);
    await seedTags(ds, other, ['tea'], [foreign.tag]);
    await seedTiers(ds, other, [{ id: foreign.tier, name: 'Gold', rank: 2 }]);
    await seedMembers(ds, other, [
      {
        nickname: 'gus',
        sourceChannel: 'wecom',
        city: 'Shanghai',
        tagIds: [foreign.tag],
        tierId: foreign.tier,
        orders: [{ status: 'paid', amountMinor: 99_999, placedAt: ago(1), isRepurchase: true }],
        rfm: { r: 5, f: 5, m: 5 },
      },
    ]);

    const seeded = await seedMembers(ds, brand, [
      {
        nickname: 'ann',
        sourceChannel: 'wecom',
        consent: 'opted_in',
        city: 'Shanghai',
        birthday: '1990-03-15',
        joinedAt: new Date('2025-01-01T02:00:00Z'), // 10:00 on 1 January in Shanghai
        utmSource: 'red',
        utmMedium: 'note',
        utmCampaign: 'Spring-Sale',
        tagIds: [tag.tea, tag.vip],
        tierId: tier.gold,
        orders: [
          { status: 'paid', amountMinor: 10_000, placedAt: ago(5), isRepurchase: true },
          { status: 'paid', amountMinor: 20_000, placedAt: ago(100), isRepurchase: true },
          { status: 'partially_refunded', amountMinor: 30_000, refundedMinor: 5_000, placedAt: ago(400) },
        ],
        rfm: { r: 5, f: 5, m: 5 },
      },
      {
        nickname: 'bob',
        sourceChannel: 'douyin',
        consent: 'opted_out',
        city: 'Hangzhou',
        joinedAt: new Date('2026-05-20T00:00:00Z'),
        tagIds: [tag.tea],
        tierId: tier.silver,
        orders: [
          { status: 'paid', amountMinor: 8_000, placedAt: ago(200) },
          {
            status: 'refunded',
            amountMinor: 9_000,
            refundedMinor: 9_000,
            placedAt: ago(3),
            isRepurchase: true,
          },
          { status: 'cancelled', amountMinor: 5_000, placedAt: ago(1) },
        ],
        rfm: { r: 1, f: 1, m: 1 },
      },
      {
        nickname: 'cat',
        sourceChannel: 'store',
        birthday: '1985-12-01',
        joinedAt: new Date('2024-06-01T00:00:00Z'),
      },
      {
        nickname: 'dan',
        sourceChannel: 'wecom',
        consent: 'opted_in',
        city: EVIL,
        birthday: '2000-03-01',
        joinedAt: new Date('2026-05-31T16:30:00Z'), // 00:30 on 1 June in Shanghai
        tagIds: [tag.vip],
        tierId: tier.member,
        orders: [{ status: 'paid', amountMinor: 1_000, placedAt: ago(30) }],
        rfm: { r: 3, f: 3, m: 3 },
      },
      {
        nickname: 'erin',
        sourceChannel: 'wecom',
        consent: 'opted_in',
        erased: true,
        tagIds: [tag.tea],
        orders: [{ status: 'paid', amountMinor: 5_000, placedAt: ago(10) }],
        rfm: { r: 4, f: 1, m: 1 },
      },
      { nickname: 'finn', sourceChannel: 'wecom', tagIds: [tag.tea], mergedInto: 0 },
    ]);
    seeded.forEach((m, i) => nameOf.set(m.id, ['ann', 'bob', 'cat', 'dan', 'erin', 'finn'][i]));
  });
  afterAll(() => app.close());

  async function match(rule: unknown, includeErased = false): Promise<string[]> {
    const p = await query.prepare(brand, rule, { now: NOW, includeErased, checkRefs: false });
    const params: unknown[] = [];
    const rows: Array<{ id: string }> = await ds.query(`SELECT m.id ${query.from(p, params)}`, params);
    expect(await query.count(p)).toBe(rows.length);
    return rows.map((r) => nameOf.get(r.id) ?? `foreign:${r.id}`).sort();
  }

  const cases: Array<[string, unknown, string[]]> = [
    // member fields
    ['source_channel eq', { field: 'source_channel', op: 'eq', value: 'wecom' }, ['ann', 'dan']],
    ['source_channel neq', { field: 'source_channel', op: 'neq', value: 'wecom' }, ['bob', 'cat']],
    ['source_channel in', { field: 'source_channel', op: 'in', value: ['douyin', 'store'] }, ['bob', 'cat']],
    ['source_channel not_in', { field: 'source_channel', op: 'not_in', value: ['wecom'] }, ['bob', 'cat']],
    ['consent eq unknown', { field: 'consent', op: 'eq', value: 'unknown' }, ['cat']],
    ['consent in', { field: 'consent', op: 'in', value: ['opted_in'] }, ['ann', 'dan']],
    ['consent neq', { field: 'consent', op: 'neq', value: 'opted_out' }, ['ann', 'cat', 'dan']],
    ['city eq (exact)', { field: 'city', op: 'eq', value: 'Shanghai' }, ['ann']],
    ['city eq (case matters)', { field: 'city', op: 'eq', value: 'shanghai' }, []],
    ['city neq (matches no city)', { field: 'city', op: 'neq', value: 'Shanghai' }, ['bob', 'cat', 'dan']],
    ['city in', { field: 'city', op: 'in', value: ['Hangzhou', 'Beijing'] }, ['bob']],
    ['city not_in', { field: 'city', op: 'not_in', value: ['Hangzhou'] }, ['ann', 'cat', 'dan']],
    ['city contains (any case)', { field: 'city', op: 'contains', value: 'HAI' }, ['ann']],
    ['city contains % literally', { field: 'city', op: 'contains', value: '%' }, []],
    ['city starts_with', { field: 'city', op: 'starts_with', value: 'hang' }, ['bob']],
    ['city is_set', { field: 'city', op: 'is_set' }, ['ann', 'bob', 'dan']],
    ['city is_not_set', { field: 'city', op: 'is_not_set' }, ['cat']],
    ['birthday before', { field: 'birthday', op: 'before', value: '1990-01-01' }, ['cat']],
    ['birthday after', { field: 'birthday', op: 'after', value: '1990-03-15' }, ['dan']],
    [
      'birthday between',
      { field: 'birthday', op: 'between', value: ['1990-03-15', '2000-03-01'] },
      ['ann', 'dan'],
    ],
    ['birthday month_in', { field: 'birthday', op: 'month_in', value: [3] }, ['ann', 'dan']],
    ['birthday month_in December', { field: 'birthday', op: 'month_in', value: [12, 1] }, ['cat']],
    ['birthday is_not_set', { field: 'birthday', op: 'is_not_set' }, ['bob']],
    ['joined_at before (brand day)', { field: 'joined_at', op: 'before', value: '2025-01-01' }, ['cat']],
    ['joined_at after (Shanghai day)', { field: 'joined_at', op: 'after', value: '2026-05-31' }, ['dan']],
    [
      'joined_at between one day',
      { field: 'joined_at', op: 'between', value: ['2025-01-01', '2025-01-01'] },
      ['ann'],
    ],
    [
      'joined_at between (dan is 1 June there)',
      { field: 'joined_at', op: 'between', value: ['2026-05-31', '2026-05-31'] },
      [],
    ],
    ['joined_at within_last_days 12', { field: 'joined_at', op: 'within_last_days', value: 12 }, ['dan']],
    [
      'joined_at within_last_days 13',
      { field: 'joined_at', op: 'within_last_days', value: 13 },
      ['bob', 'dan'],
    ],
    [
      'joined_at more_than_days_ago',
      { field: 'joined_at', op: 'more_than_days_ago', value: 365 },
      ['ann', 'cat'],
    ],
    ['utm_source eq', { field: 'utm_source', op: 'eq', value: 'red' }, ['ann']],
    ['utm_medium is_set', { field: 'utm_medium', op: 'is_set' }, ['ann']],
    ['utm_campaign contains', { field: 'utm_campaign', op: 'contains', value: 'spring' }, ['ann']],
    ['utm_campaign eq (case matters)', { field: 'utm_campaign', op: 'eq', value: 'spring-sale' }, []],
    ['reachable', { field: 'reachable', op: 'eq', value: true }, ['ann', 'cat', 'dan']],
    ['not reachable', { field: 'reachable', op: 'eq', value: false }, ['bob']],
    // orders
    ['order_count eq 0', { field: 'order_count', op: 'eq', value: 0 }, ['cat']],
    ['order_count gte', { field: 'order_count', op: 'gte', value: 2 }, ['ann']],
    ['order_count between', { field: 'order_count', op: 'between', value: [1, 1] }, ['bob', 'dan']],
    ['order_count neq', { field: 'order_count', op: 'neq', value: 1 }, ['ann', 'cat']],
    ['order_count in', { field: 'order_count', op: 'in', value: [0, 3] }, ['ann', 'cat']],
    ['paid_spend gt', { field: 'paid_spend', op: 'gt', value: 8_000 }, ['ann']],
    ['paid_spend lte', { field: 'paid_spend', op: 'lte', value: 8_000 }, ['bob', 'cat', 'dan']],
    ['paid_spend eq (net of refunds)', { field: 'paid_spend', op: 'eq', value: 55_000 }, ['ann']],
    [
      'orders in 30 days (boundary kept)',
      { field: 'orders_within_days', op: 'gte', value: 1, days: 30 },
      ['ann', 'dan'],
    ],
    ['orders in 29 days', { field: 'orders_within_days', op: 'gte', value: 1, days: 29 }, ['ann']],
    [
      'no paid orders in 7 days',
      { field: 'orders_within_days', op: 'eq', value: 0, days: 7 },
      ['bob', 'cat', 'dan'],
    ],
    ['spend in 365 days', { field: 'spend_within_days', op: 'gte', value: 30_000, days: 365 }, ['ann']],
    [
      'little spend in 365 days',
      { field: 'spend_within_days', op: 'lt', value: 5_000, days: 365 },
      ['cat', 'dan'],
    ],
    ['spend in 401 days', { field: 'spend_within_days', op: 'eq', value: 55_000, days: 401 }, ['ann']],
    // a window that starts on a member's first order holds all of them (the lifetime figures);
    // one a day shorter leaves it out (the orders themselves)
    [
      'spend in 400 days (first order on the boundary)',
      { field: 'spend_within_days', op: 'eq', value: 55_000, days: 400 },
      ['ann'],
    ],
    [
      'spend in 399 days (first order just outside)',
      { field: 'spend_within_days', op: 'eq', value: 30_000, days: 399 },
      ['ann'],
    ],
    ['orders in 400 days', { field: 'orders_within_days', op: 'eq', value: 3, days: 400 }, ['ann']],
    ['orders in 399 days', { field: 'orders_within_days', op: 'eq', value: 2, days: 399 }, ['ann']],
    [
      'spend in 30 days, lifetime exactly the bound',
      { field: 'spend_within_days', op: 'gte', value: 1_000, days: 30 },
      ['ann', 'dan'],
    ],
    [
      'spend in 30 days, above a lifetime',
      { field: 'spend_within_days', op: 'gt', value: 1_000, days: 30 },
      ['ann'],
    ],
    [
      'orders in 30 days between',
      { field: 'orders_within_days', op: 'between', value: [1, 1], days: 30 },
      ['ann', 'dan'],
    ],
    [
      'spend in 200 days (bob’s only counted order on the boundary)',
      { field: 'spend_within_days', op: 'gte', value: 8_000, days: 200 },
      ['ann', 'bob'],
    ],
    [
      'not spend in 200 days (members without orders match)',
      { not: { field: 'spend_within_days', op: 'gte', value: 8_000, days: 200 } },
      ['cat', 'dan'],
    ],
    ['days since last order lte', { field: 'days_since_last_order', op: 'lte', value: 5 }, ['ann']],
    ['days since last order eq', { field: 'days_since_last_order', op: 'eq', value: 5 }, ['ann']],
    ['days since last order eq (none)', { field: 'days_since_last_order', op: 'eq', value: 4 }, []],
    [
      'days since last order gte (boundary)',
      { field: 'days_since_last_order', op: 'gte', value: 30 },
      ['bob', 'dan'],
    ],
    ['days since last order gt', { field: 'days_since_last_order', op: 'gt', value: 30 }, ['bob']],
    ['days since last order lt', { field: 'days_since_last_order', op: 'lt', value: 30 }, ['ann']],
    [
      'days since last order between',
      { field: 'days_since_last_order', op: 'between', value: [30, 200] },
      ['bob', 'dan'],
    ],
    [
      'days since last order neq',
      { field: 'days_since_last_order', op: 'neq', value: 5 },
      ['bob', 'cat', 'dan'],
    ],
    ['days since first order gte', { field: 'days_since_first_order', op: 'gte', value: 400 }, ['ann']],
    ['days since first order lte', { field: 'days_since_first_order', op: 'lte', value: 30 }, ['dan']],
    ['has repurchased (counted orders only)', { field: 'has_repurchased', op: 'eq', value: true }, ['ann']],
    ['has not repurchased', { field: 'has_repurchased', op: 'eq', value: false }, ['bob', 'cat', 'dan']],
    // tags and tiers
    ['tags has_any', { field: 'tags', op: 'has_any', value: [tag.tea] }, ['ann', 'bob']],
    ['tags has_all', { field: 'tags', op: 'has_all', value: [tag.tea, tag.vip] }, ['ann']],
    [
      'tags has_all with a repeat',
      { field: 'tags', op: 'has_all', value: [tag.tea, tag.tea] },
      ['ann', 'bob'],
    ],
    ['tags has_none', { field: 'tags', op: 'has_none', value: [tag.tea] }, ['cat', 'dan']],
    ['tags has_any unused', { field: 'tags', op: 'has_any', value: [tag.unused] }, []],
    ['tags has_any another brand’s tag', { field: 'tags', op: 'has_any', value: [foreign.tag] }, []],
    [
      'tags has_all with another brand’s tag',
      { field: 'tags', op: 'has_all', value: [tag.tea, foreign.tag] },
      [],
    ],
    [
      'tags has_none another brand’s tag',
      { field: 'tags', op: 'has_none', value: [foreign.tag] },
      ['ann', 'bob', 'cat', 'dan'],
    ],
    ['tier in', { field: 'tier', op: 'in', value: [tier.gold] }, ['ann']],
    ['tier in two', { field: 'tier', op: 'in', value: [tier.silver, tier.member] }, ['bob', 'dan']],
    [
      'tier not_in (no tier matches)',
      { field: 'tier', op: 'not_in', value: [tier.gold] },
      ['bob', 'cat', 'dan'],
    ],
    ['tier rank_gte', { field: 'tier', op: 'rank_gte', value: 1 }, ['ann', 'bob']],
    ['tier rank_lte', { field: 'tier', op: 'rank_lte', value: 0 }, ['dan']],
    ['tier in another brand’s tier', { field: 'tier', op: 'in', value: [foreign.tier] }, []],
    // rfm
    ['rfm_r eq', { field: 'rfm_r', op: 'eq', value: 5 }, ['ann']],
    ['rfm_r lte', { field: 'rfm_r', op: 'lte', value: 3 }, ['bob', 'dan']],
    ['rfm_r between', { field: 'rfm_r', op: 'between', value: [1, 3] }, ['bob', 'dan']],
    ['rfm_m neq (no score matches)', { field: 'rfm_m', op: 'neq', value: 5 }, ['bob', 'cat', 'dan']],
    ['rfm_f in', { field: 'rfm_f', op: 'in', value: [1, 3] }, ['bob', 'dan']],
    ['rfm_f not_in', { field: 'rfm_f', op: 'not_in', value: [1] }, ['ann', 'cat', 'dan']],
    ['rfm_group in', { field: 'rfm_group', op: 'in', value: ['champions', 'lost'] }, ['ann', 'bob']],
    ['rfm_group neq', { field: 'rfm_group', op: 'neq', value: 'champions' }, ['bob', 'cat', 'dan']],
    // groups
    [
      'any',
      {
        any: [
          { field: 'tags', op: 'has_any', value: [tag.tea] },
          { field: 'city', op: 'is_not_set' },
        ],
      },
      ['ann', 'bob', 'cat'],
    ],
    ['not exists', { not: { field: 'tags', op: 'has_any', value: [tag.tea] } }, ['cat', 'dan']],
    ['not over NULL', { not: { field: 'city', op: 'eq', value: 'Shanghai' } }, ['bob', 'cat', 'dan']],
    ['empty all', { all: [] }, ['ann', 'bob', 'cat', 'dan']],
    ['not empty all', { not: { all: [] } }, []],
    [
      'nested',
      {
        all: [
          { field: 'source_channel', op: 'eq', value: 'wecom' },
          {
            not: {
              any: [
                { field: 'tier', op: 'rank_gte', value: 2 },
                { field: 'city', op: 'eq', value: 'Hangzhou' },
              ],
            },
          },
        ],
      },
      ['dan'],
    ],
  ];

  it.each(cases)('%s', async (_, rule, expected) => {
    expect(await match(rule)).toEqual(expected);
  });

  it('includes erased members only when asked (never merged tombstones)', async () => {
    expect(await match({ field: 'source_channel', op: 'eq', value: 'wecom' }, true)).toEqual([
      'ann',
      'dan',
      'erin',
    ]);
    expect(await match({ field: 'rfm_group', op: 'eq', value: 'promising' }, true)).toEqual(['erin']);
    expect(await match({ field: 'rfm_group', op: 'eq', value: 'promising' })).toEqual([]);
    expect(await match({ field: 'reachable', op: 'eq', value: false }, true)).toEqual(['bob', 'erin']);
  });

  it('keeps values that try SQL injection inert', async () => {
    expect(await match({ field: 'city', op: 'eq', value: EVIL })).toEqual(['dan']);
    expect(await match({ field: 'city', op: 'contains', value: `' OR '1'='1` })).toEqual([]);
    expect(
      await match({
        field: 'utm_source',
        op: 'in',
        value: [`red'; DELETE FROM members; --`, `') OR TRUE --`],
      }),
    ).toEqual([]);
    expect(await match({ field: 'city', op: 'starts_with', value: `x'); DROP` })).toEqual(['dan']);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM members WHERE brand_id = $1`, [brand]);
    expect(n).toBe(6);
  });

  it('refuses, with the path, ids that are not the brand’s', async () => {
    await expect(
      query.prepare(brand, {
        all: [
          { field: 'tags', op: 'has_any', value: [tag.tea, foreign.tag] },
          { field: 'tier', op: 'in', value: [foreign.tier] },
          { field: 'tier', op: 'rank_gte', value: 1 },
        ],
      }),
    ).rejects.toMatchObject({
      status: 400,
      code: 'SEGMENT_RULE_INVALID',
      errors: [
        { field: 'rule.all[0].value[1]', message: expect.stringContaining(foreign.tag) },
        { field: 'rule.all[1].value[0]', message: expect.stringContaining(foreign.tier) },
      ],
    });
  });

  it('compiles a field another lib registers', async () => {
    app.get(SegmentFieldRegistry).register({
      name: 'had_event',
      category: 'timeline',
      description: 'Has a timeline event of this type',
      ops: { eq: { kind: 'string' } },
      compile: (c, ctx) =>
        `EXISTS (SELECT 1 FROM member_events e WHERE e.member_id = ${ctx.member}.id AND e.brand_id = ${ctx.brand} AND e.type = ${ctx.bind(c.value, 'text')})`,
    });
    const ann = [...nameOf].find(([, n]) => n === 'ann')![0];
    await ds.query(
      `INSERT INTO member_events (brand_id, member_id, type) VALUES ($1, $2, 'coupon.redeemed')`,
      [brand, ann],
    );
    expect(
      await match({
        all: [
          { field: 'had_event', op: 'eq', value: 'coupon.redeemed' },
          { field: 'reachable', op: 'eq', value: true },
        ],
      }),
    ).toEqual(['ann']);
    expect(await match({ not: { field: 'had_event', op: 'eq', value: 'coupon.redeemed' } })).toEqual([
      'bob',
      'cat',
      'dan',
    ]);
  });
});
