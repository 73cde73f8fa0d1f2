import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadEnvironment, PlatformModule, readRawEnv, runMigrations, setRawEnv } from '@siyu/platform';
import { RfmService, SegmentQueryService, SegmentSnapshotsService, SegmentsModule } from '@siyu/segments';
import { DataSource } from 'typeorm';
import { Bench, machineInfo, numberFlag, progress, ratio, round } from './support';

const BRAND_NAME = 'Segments bench';
const TIERS = [
  { name: 'Member', rank: 0, threshold: 0 },
  { name: 'Silver', rank: 1, threshold: 50_000 },
  { name: 'Gold', rank: 2, threshold: 200_000 },
  { name: 'Black', rank: 3, threshold: 600_000 },
];
/** Tags and the share of members (per mille) that carry each. */
const TAGS: Array<[string, number]> = [
  ['tea-lover', 250],
  ['coffee', 120],
  ['vip-event', 30],
  ['new-parent', 60],
  ['gift-buyer', 90],
  ...Array.from({ length: 15 }, (_, i): [string, number] => [`interest-${i}`, 20 + i * 5]),
];

/** Cumulative shares (per cent) of the first-touch channels. */
const CHANNEL_SQL = `CASE
  WHEN h < 35 THEN 'wecom' WHEN h < 50 THEN 'wechat_oa' WHEN h < 70 THEN 'douyin'
  WHEN h < 80 THEN 'xiaohongshu' WHEN h < 88 THEN 'taobao' WHEN h < 95 THEN 'store' ELSE 'other' END`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    runs: s.length,
    p50Ms: round(percentile(s, 50), 1),
    p95Ms: round(percentile(s, 95), 1),
    minMs: round(s[0], 1),
  };
};
const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, out];
};

@Module({ imports: [PlatformModule, SegmentsModule] })
class BenchModule {}

/** Seeds the brand in SQL: members, orders (skewed), aggregates, tags, tiers. Returns its id. */
async function seed(ds: DataSource, members: number, orders: number): Promise<string> {
  const [brand] = await ds.query(
    `INSERT INTO brands (name, time_zone) VALUES ($1, 'Asia/Shanghai') RETURNING id`,
    [`${BRAND_NAME} (seeding)`],
  );
  const b = brand.id as string;
  const memberId = (n: string) => `md5($1::text || ':' || ${n})::uuid`;
  const chunk = 250_000;
  for (let from = 1; from <= members; from += chunk) {
    const to = Math.min(members, from + chunk - 1);
    await ds.query(
      `INSERT INTO members (id, brand_id, nickname, source_channel, city, birthday, consent_status, consent_at,
                            joined_at, utm_source, utm_campaign, erased_at, merged_into, created_at)
       SELECT ${memberId('g')}, $1::uuid, CASE WHEN g % 200 = 7 THEN NULL ELSE 'Member ' || g END, ${CHANNEL_SQL},
              (ARRAY['上海','杭州','北京','深圳','成都','广州','南京','苏州','武汉','西安'])[1 + (g % 10)],
              CASE WHEN g % 3 = 0 THEN NULL ELSE date '1965-01-01' + (g::bigint * 7919 % 16000)::int END,
              CASE WHEN h2 < 5 THEN 'opted_out' WHEN h2 < 85 THEN 'opted_in' END,
              CASE WHEN h2 < 85 THEN now() END,
              now() - (g::bigint * 104729 % 1000) * interval '1 day' - (g % 86400) * interval '1 second',
              CASE WHEN g % 4 = 0 THEN 'douyin' WHEN g % 4 = 1 THEN 'red' END,
              CASE WHEN g % 5 = 0 THEN 'spring-sale' END,
              CASE WHEN g % 200 = 7 THEN now() END,
              CASE WHEN g % 200 = 13 THEN ${memberId('(g - 1)')} END,
              now()
         FROM (SELECT g, (g::bigint * 2654435761) % 100 AS h, (g::bigint * 40503) % 100 AS h2 FROM generate_series($2::int, $3::int) g) s`,
      [b, from, to],
    );
    progress(`members ${to.toLocaleString()} / ${members.toLocaleString()}`);
  }
  // Orders: a member is drawn with density ∝ x^-0.6 (a long tail of one-time buyers, a head of
  // regulars: the top 1 % of members place ~16 % of orders); placed over the last two years.
  for (let from = 1; from <= orders; from += 1_000_000) {
    const to = Math.min(orders, from + 1_000_000 - 1);
    await ds.query(
      `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor, refunded_minor,
                           placed_at, is_repurchase)
       SELECT $1::uuid, ${memberId('(1 + floor($4::int * power(r1, 2.5)))::int')}, 'bench', 'o' || g, st, 'CNY', amt,
              CASE st WHEN 'refunded' THEN amt WHEN 'partially_refunded' THEN amt / 3 ELSE 0 END,
              now() - r3 * 730 * interval '1 day', false
         FROM (SELECT g, r1, r3,
                      CASE WHEN r2 < 0.90 THEN 'paid' WHEN r2 < 0.94 THEN 'partially_refunded'
                           WHEN r2 < 0.97 THEN 'refunded' ELSE 'cancelled' END AS st,
                      (1000 + exp(r4 * 5) * 1500)::bigint AS amt
                 FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4
                         FROM generate_series($2::int, $3::int) g) r) s`,
      [b, from, to, members],
    );
    progress(`orders ${to.toLocaleString()} / ${orders.toLocaleString()}`);
  }
  progress('member aggregates');
  await ds.query(
    `UPDATE members m SET order_count = a.n, paid_spend_minor = a.spend, first_order_at = a.first, last_order_at = a.last
       FROM (SELECT member_id, count(*)::int AS n, sum(amount_minor - refunded_minor) AS spend,
                    min(placed_at) AS first, max(placed_at) AS last
               FROM orders WHERE brand_id = $1 AND status IN ('paid', 'partially_refunded') GROUP BY member_id) a
      WHERE m.id = a.member_id AND m.merged_into IS NULL`,
    [b],
  );
  progress('tags and tiers');
  await ds.query(`INSERT INTO tags (brand_id, name) SELECT $1, unnest($2::text[])`, [
    b,
    TAGS.map((t) => t[0]),
  ]);
  await ds.query(
    `INSERT INTO member_tags (brand_id, member_id, tag_id)
     SELECT $1, m.id, t.id
       FROM members m
       JOIN tags t ON t.brand_id = $1
       JOIN unnest($2::text[], $3::int[]) AS s(name, share) ON s.name = t.name
      WHERE m.brand_id = $1 AND m.merged_into IS NULL
        AND abs(hashtext(m.id::text || t.name)) % 1000 < s.share`,
    [b, TAGS.map((t) => t[0]), TAGS.map((t) => t[1])],
  );
  for (const t of TIERS)
    await ds.query(`INSERT INTO tiers (brand_id, name, rank, threshold) VALUES ($1, $2, $3, $4)`, [
      b,
      t.name,
      t.rank,
      t.threshold,
    ]);
  await ds.query(
    `INSERT INTO member_tiers (member_id, brand_id, tier_id, since, evaluated_at)
     SELECT m.id, $1, (SELECT t.id FROM tiers t WHERE t.brand_id = $1 AND t.threshold <= m.paid_spend_minor
                        ORDER BY t.rank DESC LIMIT 1), now(), now()
       FROM members m WHERE m.brand_id = $1 AND m.merged_into IS NULL`,
    [b],
  );
  progress('vacuum and analyze');
  await ds.query(`VACUUM (FULL, ANALYZE) members`);
  for (const table of ['orders', 'member_tags', 'member_tiers', 'tags', 'tiers'])
    await ds.query(`VACUUM ANALYZE ${table}`);
  await ds.query(`UPDATE brands SET name = $2 WHERE id = $1`, [b, `${BRAND_NAME} ${members}/${orders}`]);
  return b;
}

/**
 * The `segments` bench: a brand of 1,000,000 members and 5,000,000 orders (seeded once in SQL and
 * reused), a 5-condition segment (tier, tag, source channel, spend in 365 days, days since last
 * order): count p50/p95 through the compiler against a hand-written query of the same rule,
 * interleaved in the same run, and snapshots into a campaign audience.
 */
const bench: Bench = {
  description:
    'count p50/p95 of a 5-condition segment on 1M members / 5M orders, vs hand-written SQL; snapshot time',
  async run(args) {
    const members = numberFlag(args, 'members', 1_000_000);
    const orders = numberFlag(args, 'orders', 5_000_000);
    const runs = numberFlag(args, 'runs', 15);
    const snapshots = numberFlag(args, 'snapshots', 5);
    const reseed = args.includes('--reseed');
    const explain = args.includes('--explain');
    const withRfm = !args.includes('--no-rfm');
    if (!readRawEnv('LOG_LEVEL')) setRawEnv('LOG_LEVEL', 'warn');

    progress('running migrations');
    await runMigrations(loadEnvironment(), (line) => progress(line));
    const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
    try {
      const ds = app.get(DataSource);
      let seedSec: number | null = null;
      const name = `${BRAND_NAME} ${members}/${orders}`;
      let [existing] = await ds.query(`SELECT id FROM brands WHERE name = $1`, [name]);
      if (existing && reseed) {
        progress('dropping the previous bench brand');
        await ds.query(`DELETE FROM brands WHERE id = $1`, [existing.id]);
        existing = undefined;
      }
      await ds.query(`DELETE FROM brands WHERE name = $1`, [`${BRAND_NAME} (seeding)`]);
      let brandId: string;
      if (existing) {
        brandId = existing.id;
        progress(`reusing the seeded brand ${brandId} (--reseed to rebuild it)`);
      } else {
        const [ms, id] = await time(() => seed(ds, members, orders));
        seedSec = round(ms / 1000, 1);
        brandId = id;
        progress(`seeded in ${seedSec} s`);
      }

      const ids = async (table: string, col: string, values: string[]) =>
        (
          (await ds.query(`SELECT id FROM ${table} WHERE brand_id = $1 AND ${col} = ANY($2) ORDER BY id`, [
            brandId,
            values,
          ])) as Array<{ id: string }>
        ).map((r) => r.id);
      const tierIds = await ids('tiers', 'name', ['Gold', 'Black']);
      const [teaTag] = await ids('tags', 'name', ['tea-lover']);
      const rule = {
        all: [
          { field: 'tier', op: 'in', value: tierIds },
          { field: 'tags', op: 'has_any', value: [teaTag] },
          { field: 'source_channel', op: 'in', value: ['wecom'] },
          { field: 'spend_within_days', op: 'gte', value: 100_000, days: 365 },
          { field: 'days_since_last_order', op: 'lte', value: 60 },
        ],
      };
      const query = app.get(SegmentQueryService);

      /**
       * The same rule as a person who knows the schema would write it: joins and EXISTS, the window
       * as a correlated sum that the counted-orders index answers (same scope, same semantics).
       * `sameOrder` also evaluates the window last, the way the compiler orders it (an OFFSET 0
       * fence), so the comparison isolates the cost of the generated SQL from that choice.
       */
      const handWritten = (now: Date, sameOrder: boolean) => {
        const narrow = `SELECT m.id FROM members m
                JOIN member_tiers mt ON mt.member_id = m.id AND mt.brand_id = $1
               WHERE m.brand_id = $1 AND m.merged_into IS NULL AND m.erased_at IS NULL
                 AND mt.tier_id = ANY($2::uuid[])
                 AND m.source_channel = 'wecom'
                 AND m.last_order_at > $4::timestamptz - interval '61 days'
                 AND EXISTS (SELECT 1 FROM member_tags t WHERE t.member_id = m.id AND t.tag_id = $3)`;
        const spend = `(SELECT COALESCE(sum(o.amount_minor - o.refunded_minor), 0) FROM orders o
                       WHERE o.member_id = m.id AND o.placed_at >= $4::timestamptz - interval '365 days'
                         AND o.status IN ('paid', 'partially_refunded')) >= 100000`;
        return {
          sql: sameOrder
            ? `SELECT count(*)::int AS n FROM (${narrow} OFFSET 0) m WHERE ${spend}`
            : `SELECT count(*)::int AS n FROM (${narrow} AND ${spend}) m`,
          params: [brandId, tierIds, teaTag, now],
        };
      };

      const compiledOnce = async () => {
        const p = await query.prepare(brandId, rule);
        return query.count(p);
      };
      // Same transaction shape and planner settings as the compiled count (read-only, no JIT).
      const handOnce = (sameOrder: boolean) => async () => {
        const h = handWritten(new Date(), sameOrder);
        const [row] = await query.bounded((m) => m.query(h.sql, h.params));
        return row.n as number;
      };

      if (explain) {
        const p = await query.prepare(brandId, rule);
        const params: unknown[] = [];
        const sql = `SELECT count(*) ${query.from(p, params)}`;
        const plan: Array<{ 'QUERY PLAN': string }> = await query.bounded((m) =>
          m.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, params),
        );
        progress(`compiled:\n${sql}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}`);
        const h = handWritten(new Date(), false);
        const hplan: Array<{ 'QUERY PLAN': string }> = await query.bounded((m) =>
          m.query(`EXPLAIN (ANALYZE, BUFFERS) ${h.sql}`, h.params),
        );
        progress(`hand-written:\n${hplan.map((r) => r['QUERY PLAN']).join('\n')}`);
      }

      progress('warm-up');
      const matched = await compiledOnce();
      for (const sameOrder of [false, true]) {
        const n = await handOnce(sameOrder)();
        if (n !== matched) throw new Error(`compiled count ${matched} ≠ hand-written ${n}`);
      }
      const compiledMs: number[] = [];
      const naturalMs: number[] = [];
      const sameOrderMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        // interleaved, so all three see the same cache and the same neighbours on the machine
        compiledMs.push((await time(compiledOnce))[0]);
        naturalMs.push((await time(handOnce(false)))[0]);
        sameOrderMs.push((await time(handOnce(true)))[0]);
      }
      const count = stats(compiledMs);
      const natural = stats(naturalMs);
      const sameOrder = stats(sameOrderMs);
      progress(
        `count: ${matched} members, compiled p50 ${count.p50Ms} ms, hand-written p50 ${natural.p50Ms} ms (same order ${sameOrder.p50Ms} ms)`,
      );

      // Snapshots: what a campaign does when it starts sending (its own transaction, committed).
      const snapshotService = app.get(SegmentSnapshotsService);
      const snapMs: number[] = [];
      let snapCount = 0;
      const [seg] = await ds.query(
        `INSERT INTO segments (brand_id, name, rule) VALUES ($1, $2, $3)
         ON CONFLICT (brand_id, name) DO UPDATE SET rule = EXCLUDED.rule RETURNING id`,
        [brandId, 'bench: 5 conditions', JSON.stringify(rule)],
      );
      for (let i = 0; i < snapshots; i++) {
        const [ms, snap] = await time(() =>
          ds.transaction((m) =>
            snapshotService.snapshot(m, brandId, { segmentId: seg.id }, { label: 'bench' }),
          ),
        );
        snapMs.push(ms);
        snapCount = snap.count;
      }
      await ds.query(`DELETE FROM segment_snapshots WHERE brand_id = $1 AND label = 'bench'`, [brandId]);
      const snapshot = { ...stats(snapMs), maxMs: round(Math.max(...snapMs), 1), members: snapCount };
      progress(`snapshot of ${snapCount} members: p50 ${snapshot.p50Ms} ms`);

      // The whole brand's RFM, as the nightly job runs it (rolled back: the bench leaves no scores).
      let rfmResult: { scoredMembers: number; sec: number } | null = null;
      if (withRfm) {
        const rfm = app.get(RfmService);
        let scored = 0;
        const [rfmMs] = await time(() =>
          ds
            .transaction(async (m) => {
              scored = (await rfm.recompute(m, brandId, 'manual')).scoredMembers;
              throw new RollBack();
            })
            .catch((err: unknown) => {
              if (!(err instanceof RollBack)) throw err;
            }),
        );
        rfmResult = { scoredMembers: scored, sec: round(rfmMs / 1000, 2) };
        progress(`RFM over ${scored} scored members: ${rfmResult.sec} s`);
      }

      const [{ n_members, n_orders }] = await ds.query(
        `SELECT (SELECT count(*) FROM members WHERE brand_id = $1)::int AS n_members,
                (SELECT count(*) FROM orders WHERE brand_id = $1)::int AS n_orders`,
        [brandId],
      );
      return {
        bench: 'segments',
        machine: machineInfo(),
        members: n_members,
        orders: n_orders,
        seedSec,
        rule: 'tier in [Gold, Black] AND tags has_any [tea-lover] AND source_channel in [wecom] AND spend_within_days(365) >= 100000 AND days_since_last_order <= 60',
        matched,
        count,
        handWritten: natural,
        handWrittenSameOrder: sameOrder,
        ratio: {
          p50: ratio(count.p50Ms, natural.p50Ms),
          p95: ratio(count.p95Ms, natural.p95Ms),
          p50SameOrder: ratio(count.p50Ms, sameOrder.p50Ms),
          p95SameOrder: ratio(count.p95Ms, sameOrder.p95Ms),
        },
        snapshot,
        rfm: rfmResult,
        targets: { countP50Ms: 300, snapshotMs: 3000, ratio: 1.5 },
        at: new Date().toISOString(),
      };
    } finally {
      await app.close();
    }
  },
};

class RollBack extends Error {}

export default bench;
