import { randomUUID } from 'node:crypto';
import { OrderAggregatesService } from '@siyu/commerce';
import { rfmGroupOf, RFM_GROUPS } from '@siyu/segments';
import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { createBrand, createOperator, TestBrand, TestOperator } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';

/**
 * The reports on a generated brand (America/Los_Angeles, so local days and months are not UTC's),
 * checked against figures computed here in TypeScript from the generated rows: no SQL of the
 * reports is reused. Orders are written set-wise in SQL; the commerce lib's own recompute sets the
 * members' aggregates and repurchase flags, as it does for every order the API records.
 */

const ZONE = 'America/Los_Angeles';
const DAY_MS = 86_400_000;
const CHANNELS = ['wecom', 'douyin', 'xiaohongshu'] as const;
const STATUSES = ['paid', 'paid', 'paid', 'partially_refunded', 'refunded', 'cancelled'] as const;
const counts = (s: string) => s === 'paid' || s === 'partially_refunded';

interface Member {
  id: string;
  channel: string;
  tier: string | null;
}
interface Order {
  memberId: string;
  placedAt: Date;
  status: string;
  amount: bigint;
  refunded: bigint;
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** `YYYY-MM` of an instant in the zone, through Intl (not luxon, not Postgres). */
const monthFmt = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit' });
const localMonth = (d: Date) => {
  const parts = monthFmt.formatToParts(d);
  return `${parts.find((p) => p.type === 'year')?.value}-${parts.find((p) => p.type === 'month')?.value}`;
};
const monthIndex = (ym: string) => Number(ym.slice(0, 4)) * 12 + Number(ym.slice(5, 7)) - 1;
const monthLabel = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;

/** percentile_cont: linear interpolation between the closest ranks. */
function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function bucketCounts(days: number[], edges: Array<[number, number | null]>) {
  return edges.map(([lo, hi]) => ({
    days: hi === null ? `${lo}+` : `${lo}-${hi}`,
    members: days.filter((d) => Math.floor(d) >= lo && (hi === null || Math.floor(d) <= hi)).length,
  }));
}
const GAP_EDGES: Array<[number, number | null]> = [
  [0, 7],
  [8, 30],
  [31, 60],
  [61, 90],
  [91, 180],
  [181, 365],
  [366, null],
];
const RECENCY_EDGES: Array<[number, number | null]> = [
  [0, 30],
  [31, 60],
  [61, 90],
  [91, 180],
  [181, 365],
  [366, null],
];

const ratio4 = (num: number, den: number) => (den === 0 ? 0 : Math.round((num / den) * 10_000) / 10_000);
const closeTo01 = (actual: number | null, expected: number | null) => {
  if (expected === null) return expect(actual).toBeNull();
  expect(Math.abs((actual as number) - expected)).toBeLessThanOrEqual(0.0501);
};

/** The independent repurchase figures of [start, end) over `members`. */
function expectedRepurchase(members: Member[], orders: Order[], start: Date, end: Date, asOf: Date) {
  const mine = new Set(members.map((m) => m.id));
  const counted = orders
    .filter((o) => mine.has(o.memberId) && counts(o.status))
    .sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime());
  const inRange = (o: Order) => o.placedAt >= start && o.placedAt < end;
  const perMember = new Map<string, Order[]>();
  for (const o of counted) perMember.set(o.memberId, [...(perMember.get(o.memberId) ?? []), o]);
  const rate = (subset: Member[]) => {
    let buyers = 0;
    let repeat = 0;
    for (const m of subset) {
      const n = (perMember.get(m.id) ?? []).filter(inRange).length;
      if (n >= 1) buyers++;
      if (n >= 2) repeat++;
    }
    return { buyers, repeatBuyers: repeat, rate: ratio4(repeat, buyers) };
  };
  const gaps: number[] = [];
  const recency: number[] = [];
  for (const list of perMember.values()) {
    if (list.length >= 2 && inRange(list[1]))
      gaps.push((list[1].placedAt.getTime() - list[0].placedAt.getTime()) / DAY_MS);
    const before = list.filter((o) => o.placedAt < asOf);
    if (before.length > 0)
      recency.push((asOf.getTime() - before[before.length - 1].placedAt.getTime()) / DAY_MS);
  }
  return { rate, gaps, recency };
}

describe('analytics (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let brand: TestBrand;
  let other: TestBrand;
  let marketer: TestOperator;
  let cm: TestOperator;
  const members: Member[] = [];
  const orders: Order[] = [];
  const tiers: Record<string, string> = {};
  const as = (who: { token: string }) => ({ authorization: `Bearer ${who.token}` });
  const get = (path: string, who: { token: string } = marketer) => t.http().get(path).set(as(who));

  // The range of most checks: brand-local days 2025-03-01 … 2025-12-31 (PST both ends).
  const FROM = '2025-03-01';
  const TO = '2025-12-31';
  const START = new Date('2025-03-01T08:00:00Z');
  const END = new Date('2026-01-01T08:00:00Z');

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    brand = await createBrand(t.app, { timeZone: ZONE });
    other = await createBrand(t.app, { timeZone: 'UTC' });
    [marketer, cm] = await Promise.all([
      createOperator(t.app, brand, 'marketer'),
      createOperator(t.app, brand, 'community_manager'),
    ]);
    for (const [name, rank] of [
      ['Silver', 1],
      ['Gold', 2],
    ] as const) {
      const [row] = await ds.query(
        `INSERT INTO tiers (brand_id, name, rank, threshold) VALUES ($1, $2, $3, $4) RETURNING id`,
        [brand.id, name, rank, rank * 10_000],
      );
      tiers[name] = row.id;
    }

    // 80 members; 0–6 orders each over Nov 2024 … Oct 2026, of every status.
    const random = rng(6_2025);
    const names = Array.from({ length: 80 }, (_, i) => `gen-${i}`);
    const channels = names.map((_, i) => CHANNELS[i % CHANNELS.length]);
    const rows: Array<{ id: string; nickname: string }> = await ds.query(
      `INSERT INTO members (brand_id, nickname, source_channel)
       SELECT $1, n, c FROM unnest($2::text[], $3::text[]) AS u(n, c) RETURNING id, nickname`,
      [brand.id, names, channels],
    );
    const idOf = new Map(rows.map((r) => [r.nickname, r.id]));
    names.forEach((n, i) =>
      members.push({
        id: idOf.get(n) as string,
        channel: channels[i],
        tier: [null, 'Silver', 'Gold'][i % 3],
      }),
    );
    await ds.query(
      `INSERT INTO member_tiers (member_id, brand_id, tier_id, since, evaluated_at)
       SELECT m, $1, t, now(), now() FROM unnest($2::uuid[], $3::uuid[]) AS u(m, t)`,
      [
        brand.id,
        members.filter((m) => m.tier).map((m) => m.id),
        members.filter((m) => m.tier).map((m) => tiers[m.tier as string]),
      ],
    );
    const t0 = Date.parse('2024-11-01T00:00:00Z');
    const span = Date.parse('2026-10-31T00:00:00Z') - t0;
    for (const m of members) {
      const n = Math.floor(random() * 7);
      for (let k = 0; k < n; k++) {
        const status = STATUSES[Math.floor(random() * STATUSES.length)];
        const amount = BigInt(1_000 + Math.floor(random() * 50_000));
        orders.push({
          memberId: m.id,
          // whole seconds plus a per-order millisecond offset: no two orders share an instant
          placedAt: new Date(
            t0 + Math.floor(random() * span) - (Math.floor(random() * span) % 1000) + orders.length,
          ),
          status,
          amount,
          refunded: status === 'refunded' ? amount : status === 'partially_refunded' ? amount / 3n : 0n,
        });
      }
    }
    // Boundary orders of one member around the range's local midnights (PST is UTC−8).
    const edge = members[0].id;
    for (const at of [
      '2025-03-01T07:59:59.000Z', // 2025-02-28 23:59:59 local: before the range
      '2025-03-01T08:00:00.000Z', // 2025-03-01 00:00 local: the first instant in it
      '2026-01-01T07:59:59.000Z', // 2025-12-31 23:59:59 local: the last second in it
      '2026-01-01T08:00:00.000Z', // 2026-01-01 00:00 local: after it
    ])
      orders.push({ memberId: edge, placedAt: new Date(at), status: 'paid', amount: 5_000n, refunded: 0n });
    await insertOrders(brand.id, orders);
    await t.app.get(OrderAggregatesService).recomputeBrand(brand.id);

    // The other brand: one member, two orders in the range (must never show up in this brand).
    const [o] = await ds.query(
      `INSERT INTO members (brand_id, nickname, source_channel) VALUES ($1, 'other', 'wecom') RETURNING id`,
      [other.id],
    );
    await insertOrders(other.id, [
      {
        memberId: o.id,
        placedAt: new Date('2025-05-01T00:00:00Z'),
        status: 'paid',
        amount: 100n,
        refunded: 0n,
      },
      {
        memberId: o.id,
        placedAt: new Date('2025-06-01T00:00:00Z'),
        status: 'paid',
        amount: 100n,
        refunded: 0n,
      },
    ]);
    await t.app.get(OrderAggregatesService).recomputeBrand(other.id);
  });
  afterAll(() => t.close());

  async function insertOrders(brandId: string, list: Order[]): Promise<void> {
    await ds.query(
      `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor, refunded_minor, placed_at)
       SELECT $1, m, 'store', e, s, 'CNY', a, r, p
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::timestamptz[]) AS u(m, e, s, a, r, p)`,
      [
        brandId,
        list.map((o) => o.memberId),
        list.map(() => `T-${randomUUID()}`),
        list.map((o) => o.status),
        list.map((o) => o.amount.toString()),
        list.map((o) => o.refunded.toString()),
        list.map((o) => o.placedAt.toISOString()),
      ],
    );
  }

  it('repurchase: rate overall, by tier and by channel; first-to-second days; days since last order', async () => {
    const res = await get(`/v1/analytics/repurchase?from=${FROM}&to=${TO}`).expect(200);
    const body = res.body;
    expect(body.header).toMatchObject({ from: FROM, to: TO, timeZone: ZONE });
    expect(new Date(body.header.start)).toEqual(START);
    expect(new Date(body.header.end)).toEqual(END);

    const exp = expectedRepurchase(members, orders, START, END, END);
    expect(body.overall).toMatchObject(exp.rate(members));
    expect(body.overall.buyers).toBeGreaterThan(20); // the data set exercises the figure
    expect(body.overall.repeatBuyers).toBeGreaterThan(3);

    for (const tier of ['Silver', 'Gold']) {
      const fig = body.byTier.find((f: { key: string }) => f.key === tiers[tier]);
      expect(fig).toMatchObject({ label: tier, ...exp.rate(members.filter((m) => m.tier === tier)) });
    }
    expect(body.byTier.find((f: { key: string }) => f.key === 'none')).toMatchObject(
      exp.rate(members.filter((m) => m.tier === null)),
    );
    for (const c of CHANNELS)
      expect(body.bySourceChannel.find((f: { key: string }) => f.key === c)).toMatchObject(
        exp.rate(members.filter((m) => m.channel === c)),
      );

    expect(body.firstToSecondOrder.members).toBe(exp.gaps.length);
    expect(exp.gaps.length).toBeGreaterThan(3);
    closeTo01(body.firstToSecondOrder.medianDays, percentile(exp.gaps, 0.5));
    closeTo01(body.firstToSecondOrder.p75Days, percentile(exp.gaps, 0.75));
    expect(body.firstToSecondOrder.buckets).toEqual(bucketCounts(exp.gaps, GAP_EDGES));

    expect(body.daysSinceLastOrder.members).toBe(exp.recency.length);
    expect(new Date(body.daysSinceLastOrder.asOf)).toEqual(END);
    // The data exercises the members whose last counted order is at or after the as-of instant
    // (their last one before it is looked up in the orders, not read from members.last_order_at).
    const lateMembers = members.filter((m) => {
      const mine = orders.filter((o) => o.memberId === m.id && counts(o.status));
      return mine.some((o) => o.placedAt < END) && mine.some((o) => o.placedAt >= END);
    });
    expect(lateMembers.length).toBeGreaterThan(0);
    closeTo01(body.daysSinceLastOrder.medianDays, percentile(exp.recency, 0.5));
    closeTo01(body.daysSinceLastOrder.p75Days, percentile(exp.recency, 0.75));
    expect(body.daysSinceLastOrder.buckets).toEqual(bucketCounts(exp.recency, RECENCY_EDGES));
  });

  it('repurchase by segment: every figure over the segment’s current members only', async () => {
    const seg = await t
      .http()
      .post('/v1/segments')
      .set(as(brand.owner))
      .send({ name: 'douyin', rule: { all: [{ field: 'source_channel', op: 'eq', value: 'douyin' }] } })
      .expect(201);
    const res = await get(`/v1/analytics/repurchase?from=${FROM}&to=${TO}&segmentId=${seg.body.id}`).expect(
      200,
    );
    const douyin = members.filter((m) => m.channel === 'douyin');
    const exp = expectedRepurchase(douyin, orders, START, END, END);
    expect(res.body.header.segmentId).toBe(seg.body.id);
    expect(res.body.overall).toMatchObject(exp.rate(douyin));
    expect(res.body.bySourceChannel.map((f: { key: string }) => f.key)).toEqual(['douyin']);
    expect(res.body.firstToSecondOrder.members).toBe(exp.gaps.length);
    expect(res.body.daysSinceLastOrder.members).toBe(exp.recency.length);

    // another brand's segment is not found, for that brand's own reports too
    const foreign = await get(`/v1/analytics/repurchase?segmentId=${seg.body.id}`, other.owner).expect(404);
    expect(foreign.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(foreign.body.code).toBe('SEGMENT_NOT_FOUND');
  });

  it('cohorts: size by first-order month (brand time) and the share ordering in each later month', async () => {
    const res = await get(`/v1/analytics/cohorts?from=${FROM}&to=${TO}`).expect(200);
    const now = monthIndex(localMonth(new Date()));
    const byMember = new Map<string, Order[]>();
    for (const o of orders.filter((x) => counts(x.status)).sort((a, b) => +a.placedAt - +b.placedAt))
      byMember.set(o.memberId, [...(byMember.get(o.memberId) ?? []), o]);
    const expected: Array<{
      month: string;
      size: number;
      retention: Array<{ monthOffset: number; members: number }>;
    }> = [];
    for (let c = monthIndex('2025-03'); c <= monthIndex('2025-12'); c++) {
      const cohort = [...byMember.values()].filter(
        (list) =>
          list[0].placedAt >= START &&
          list[0].placedAt < END &&
          monthIndex(localMonth(list[0].placedAt)) === c,
      );
      const retention = [];
      for (let k = 0; c + k <= now; k++)
        retention.push({
          monthOffset: k,
          members: cohort.filter((list) => list.some((o) => monthIndex(localMonth(o.placedAt)) === c + k))
            .length,
        });
      expected.push({ month: monthLabel(c), size: cohort.length, retention });
    }
    const got = res.body.cohorts.map((c: { month: string; size: number; retention: object[] }) => ({
      month: c.month,
      size: c.size,
      retention: c.retention.map((r) => ({
        monthOffset: (r as { monthOffset: number }).monthOffset,
        members: (r as { members: number }).members,
      })),
    }));
    expect(got).toEqual(expected);
    expect(expected.reduce((s, c) => s + c.size, 0)).toBeGreaterThan(10);
    for (const c of res.body.cohorts)
      for (const r of c.retention) expect(r.share).toBe(ratio4(r.members, c.size));
  });

  it('RFM at a date and monthly: quintile scores and groups as of each instant, from the orders', async () => {
    const expectedAt = (asOf: Date) => {
      const agg = new Map<string, { id: string; last: number; f: number; m: bigint }>();
      for (const o of orders)
        if (counts(o.status) && o.placedAt < asOf) {
          const a = agg.get(o.memberId) ?? { id: o.memberId, last: 0, f: 0, m: 0n };
          a.last = Math.max(a.last, o.placedAt.getTime());
          a.f += 1;
          a.m += o.amount - o.refunded;
          agg.set(o.memberId, a);
        }
      const list = [...agg.values()];
      const cmpBig = (x: bigint, y: bigint) => (x < y ? -1 : x > y ? 1 : 0);
      const ntile = (sorted: typeof list) => {
        // Postgres ntile(5): the first n % 5 buckets hold one more row
        const score = new Map<string, number>();
        const n = sorted.length;
        let i = 0;
        for (let b = 1; b <= 5; b++) {
          const size = Math.floor(n / 5) + (b <= n % 5 ? 1 : 0);
          for (let j = 0; j < size; j++) score.set(sorted[i++].id, b);
        }
        return score;
      };
      const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      const r = ntile(
        [...list].sort((a, b) => a.last - b.last || a.f - b.f || cmpBig(a.m, b.m) || byId(a, b)),
      );
      const f = ntile(
        [...list].sort((a, b) => a.f - b.f || a.last - b.last || cmpBig(a.m, b.m) || byId(a, b)),
      );
      const m = ntile(
        [...list].sort((a, b) => cmpBig(a.m, b.m) || a.f - b.f || a.last - b.last || byId(a, b)),
      );
      const groups = Object.fromEntries(RFM_GROUPS.map((g) => [g, 0]));
      for (const a of list) groups[rfmGroupOf(r.get(a.id)!, f.get(a.id)!, m.get(a.id)!)]++;
      const band = (scores: Map<string, number>, value: (a: (typeof list)[number]) => bigint) =>
        [1, 2, 3, 4, 5].map((s) => {
          const vals = list.filter((a) => scores.get(a.id) === s).map(value);
          return {
            score: s,
            members: vals.length,
            min: vals.length ? vals.reduce((x, y) => (y < x ? y : x)).toString() : null,
            max: vals.length ? vals.reduce((x, y) => (y > x ? y : x)).toString() : null,
          };
        });
      return {
        scored: list.length,
        groups,
        recency: band(r, (a) => BigInt(Math.floor((asOf.getTime() - a.last) / DAY_MS))),
        frequency: band(f, (a) => BigInt(a.f)),
        monetary: band(m, (a) => a.m),
      };
    };
    const check = (snap: Record<string, unknown>, asOf: Date) => {
      const exp = expectedAt(asOf);
      expect(new Date(snap.asOf as string)).toEqual(asOf);
      expect(snap.scoredMembers).toBe(exp.scored);
      expect(
        Object.fromEntries(
          (snap.groups as Array<{ group: string; members: number }>).map((g) => [g.group, g.members]),
        ),
      ).toEqual(exp.groups);
      expect(snap.recency).toEqual(exp.recency);
      expect(snap.frequency).toEqual(exp.frequency);
      expect(snap.monetary).toEqual(exp.monetary);
    };

    const at = await get(`/v1/analytics/rfm?date=${TO}`).expect(200);
    expect(at.body.snapshots).toHaveLength(1);
    check(at.body.snapshots[0], END);
    expect(at.body.snapshots[0].scoredMembers).toBeGreaterThan(20);

    const monthly = await get(`/v1/analytics/rfm/monthly?from=2025-06-10&to=2025-08-20`).expect(200);
    expect(monthly.body.snapshots.map((s: { snapshot: string }) => s.snapshot)).toEqual([
      '2025-06',
      '2025-07',
      '2025-08',
    ]);
    // month ends in PDT (UTC−7); the last snapshot stops at the range's end
    check(monthly.body.snapshots[0], new Date('2025-07-01T07:00:00Z'));
    check(monthly.body.snapshots[1], new Date('2025-08-01T07:00:00Z'));
    check(monthly.body.snapshots[2], new Date('2025-08-21T07:00:00Z'));
  });

  it('date ranges are brand-local days: orders on each side of local midnight fall on their own side', async () => {
    const edge = members[0];
    const seg = await t
      .http()
      .post('/v1/segments')
      .set(as(brand.owner))
      .send({
        name: 'member 0 channel',
        rule: { all: [{ field: 'source_channel', op: 'eq', value: edge.channel }] },
      })
      .expect(201);
    // One local day on each side: only the boundary orders of member 0 fall on 2025-02-28 / 2025-03-01 local
    const day = async (d: string) =>
      (await get(`/v1/analytics/repurchase?from=${d}&to=${d}&segmentId=${seg.body.id}`).expect(200)).body;
    const onDay = (d: string) => {
      const s = new Date(`${d}T00:00:00-08:00`);
      const e = new Date(s.getTime() + DAY_MS);
      return expectedRepurchase(
        members.filter((m) => m.channel === edge.channel),
        orders,
        s,
        e,
        e,
      ).rate(members.filter((m) => m.channel === edge.channel));
    };
    for (const d of ['2025-02-28', '2025-03-01', '2025-12-31', '2026-01-01']) {
      const body = await day(d);
      expect(body.overall).toMatchObject(onDay(d));
      expect(body.overall.buyers).toBeGreaterThanOrEqual(1); // member 0's boundary order is there
    }
    const mar1 = await day('2025-03-01');
    expect(new Date(mar1.header.start)).toEqual(new Date('2025-03-01T08:00:00Z'));
    expect(new Date(mar1.header.end)).toEqual(new Date('2025-03-02T08:00:00Z'));
  });

  it('tier movement: upgrades, downgrades and entries per brand-local month', async () => {
    const change = (from: string | null, to: string, at: string) =>
      ds.query(
        `INSERT INTO tier_changes (brand_id, member_id, from_tier_id, to_tier_id, reason, at) VALUES ($1, $2, $3, $4, 'order', $5)`,
        [brand.id, members[1].id, from ? tiers[from] : null, tiers[to], at],
      );
    await change(null, 'Silver', '2025-04-10T12:00:00Z');
    await change('Silver', 'Gold', '2025-05-01T06:59:59Z'); // 2025-04-30 23:59:59 PDT: April
    await change('Silver', 'Gold', '2025-05-01T07:00:00Z'); // 2025-05-01 00:00 PDT: May
    await change('Gold', 'Silver', '2025-05-20T12:00:00Z');
    const res = await get(`/v1/analytics/tier-movement?from=2025-04-01&to=2025-06-30`).expect(200);
    expect(
      res.body.months.map((m: Record<string, number>) => [m.month, m.entries, m.upgrades, m.downgrades]),
    ).toEqual([
      ['2025-04', 1, 1, 0],
      ['2025-05', 0, 1, 1],
      ['2025-06', 0, 0, 0],
    ]);
    expect(res.body.months[1].transitions).toContainEqual({
      direction: 'downgrade',
      from: { id: tiers.Gold, name: 'Gold' },
      to: { id: tiers.Silver, name: 'Silver' },
      changes: 1,
    });
  });

  it('group chats: members at the end, active buyers and GMV of orders placed while in the group', async () => {
    const [g] = await ds.query(
      `INSERT INTO community_groups (brand_id, chat_id, name) VALUES ($1, $2, 'Tea lovers') RETURNING id`,
      [brand.id, `wr-${randomUUID()}`],
    );
    // members 0–9 join on 2025-04-01; 0–4 leave on 2025-09-01; one outsider never linked
    const joined = new Date('2025-04-01T00:00:00Z');
    const left = new Date('2025-09-01T00:00:00Z');
    const stays = members.slice(0, 10).map((m, i) => ({ m, left: i < 5 ? left : null }));
    await ds.query(
      `INSERT INTO community_group_members (brand_id, group_id, userid, member_type, member_id, joined_at, left_at)
       SELECT $1, $2, 'wm-' || m, 'external', m, $3, l FROM unnest($4::uuid[], $5::timestamptz[]) AS u(m, l)`,
      [brand.id, g.id, joined, stays.map((s) => s.m.id), stays.map((s) => s.left)],
    );
    await ds.query(
      `INSERT INTO community_group_members (brand_id, group_id, userid, member_type, joined_at) VALUES ($1, $2, 'wm-x', 'external', $3)`,
      [brand.id, g.id, joined],
    );
    const res = await get(`/v1/analytics/group-chats?from=${FROM}&to=${TO}`, cm).expect(200);
    const fig = res.body.groups.find((x: { groupId: string }) => x.groupId === g.id);
    const hits = orders.filter((o) => {
      const s = stays.find((x) => x.m.id === o.memberId);
      return (
        s &&
        counts(o.status) &&
        o.placedAt >= START &&
        o.placedAt < END &&
        o.placedAt >= joined &&
        (s.left === null || o.placedAt < s.left)
      );
    });
    expect(fig).toMatchObject({
      name: 'Tea lovers',
      members: 6,
      joined: 11,
      activeBuyers: new Set(hits.map((o) => o.memberId)).size,
      orders: hits.length,
      gmvMinor: hits.reduce((s, o) => s + o.amount, 0n).toString(),
      netMinor: hits.reduce((s, o) => s + o.amount - o.refunded, 0n).toString(),
    });
    expect(hits.length).toBeGreaterThan(0);
  });

  it('CSV exports stream the same figures as the JSON answers', async () => {
    const json = (await get(`/v1/analytics/repurchase?from=${FROM}&to=${TO}`).expect(200)).body;
    const res = await get(`/v1/analytics/repurchase/export?from=${FROM}&to=${TO}`).expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    const rows: Array<Record<string, string>> = parse(res.text, { columns: true });
    const cell = (section: string, dimension: string, key: string, metric: string) =>
      rows.find(
        (r) => r.section === section && r.dimension === dimension && r.key === key && r.metric === metric,
      )?.value;
    expect(Number(cell('repurchase_rate', 'all', 'all', 'buyers'))).toBe(json.overall.buyers);
    expect(Number(cell('repurchase_rate', 'all', 'all', 'rate'))).toBe(json.overall.rate);
    expect(Number(cell('repurchase_rate', 'tier', tiers.Gold, 'repeat_buyers'))).toBe(
      json.byTier.find((f: { key: string }) => f.key === tiers.Gold).repeatBuyers,
    );
    expect(Number(cell('first_to_second_order', 'all', 'all', 'median_days'))).toBe(
      json.firstToSecondOrder.medianDays,
    );

    const cj = (await get(`/v1/analytics/cohorts?from=${FROM}&to=${TO}`).expect(200)).body;
    const cc = await get(`/v1/analytics/cohorts/export?from=${FROM}&to=${TO}`).expect(200);
    const crow: Array<Record<string, string>> = parse(cc.text, { columns: true });
    expect(crow).toEqual(
      cj.cohorts.flatMap((c: { month: string; size: number; retention: Array<Record<string, number>> }) =>
        c.retention.map((r) => ({
          cohort_month: c.month,
          cohort_size: String(c.size),
          month_offset: String(r.monthOffset),
          members: String(r.members),
          share: r.share.toFixed(4),
        })),
      ),
    );
    for (const path of [
      'rfm/export',
      'rfm/monthly/export?from=2025-01-01&to=2025-03-31',
      'tier-movement/export',
    ])
      expect((await get(`/v1/analytics/${path}`).expect(200)).headers['content-type']).toMatch(/^text\/csv/);
    expect((await get(`/v1/analytics/group-chats/export`, cm).expect(200)).text).toMatch(
      /^group_id,chat_id,name/,
    );
  });

  it('is sealed per brand: another brand sees only its own orders', async () => {
    const res = await get(`/v1/analytics/repurchase?from=${FROM}&to=${TO}`, other.owner).expect(200);
    expect(res.body.overall).toMatchObject({ buyers: 1, repeatBuyers: 1, rate: 1 });
    const cohorts = await get(`/v1/analytics/cohorts?from=2025-05-01&to=2025-05-31`, other.owner).expect(200);
    expect(cohorts.body.cohorts[0]).toMatchObject({ month: '2025-05', size: 1 });
    const groups = await get(`/v1/analytics/group-chats`, other.owner).expect(200);
    expect(groups.body.groups).toEqual([]);
  });

  it('bad parameters answer 400 problem+json naming the field; roles are checked', async () => {
    const cases: Array<[string, string]> = [
      ['repurchase?from=2025-05-02&to=2025-05-01', 'from'],
      ['repurchase?segmentId=not-a-uuid', 'segmentId'],
      ['cohorts?from=2025-02-30', 'from'],
      ['cohorts?to=yesterday', 'to'],
      ['rfm?date=2025-13-01', 'date'],
      ['rfm/monthly?from=2020-01-01&to=2025-01-01', 'from'],
      ['group-chats?limit=0', 'limit'],
      ['tier-movement?from=1990-01-01&to=2025-01-01', 'to'],
      ['repurchase?color=red', 'color'],
    ];
    for (const [path, field] of cases) {
      const res = await get(`/v1/analytics/${path}`).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await get(`/v1/analytics/repurchase?segmentId=${randomUUID()}`).expect(404);
    await get('/v1/analytics/repurchase', cm).expect(403);
    await t.http().get('/v1/analytics/cohorts').expect(401);
  });
});
