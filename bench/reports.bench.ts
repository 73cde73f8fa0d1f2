import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AnalyticsModule, AnalyticsService } from '@siyu/analytics';
import { rebuildOrderSequence } from '@siyu/commerce';
import { loadEnvironment, PlatformModule, readRawEnv, runMigrations, setRawEnv } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { Bench, machineInfo, numberFlag, progress, round } from './support';

const BRAND_NAME = 'Reports bench';
const TIME_ZONE = 'Asia/Shanghai';
/** The bench seeds its own database (named after the branch), once, and reuses it. */
const DATABASE_PREFIX = 'analytics_';
const COUNTED = `status IN ('paid', 'partially_refunded')`;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const stats = (ms: number[]) => {
  const s = [...ms].sort((a, b) => a - b);
  return {
    runs: s.length,
    p50Ms: round(percentile(s, 50), 1),
    maxMs: round(s[s.length - 1], 1),
    minMs: round(s[0], 1),
  };
};
const time = async <T>(fn: () => Promise<T>): Promise<[number, T]> => {
  const t0 = process.hrtime.bigint();
  const out = await fn();
  return [Number(process.hrtime.bigint() - t0) / 1e6, out];
};

@Module({ imports: [PlatformModule, AnalyticsModule] })
class BenchModule {}

/**
 * Seeds the brand in SQL: members from several channels, orders over the last two years skewed
 * towards a head of regulars (density ∝ x^-0.6), the repurchase flags and member aggregates as the
 * commerce lib computes them, and a tier ladder. Returns the brand id.
 */
async function seed(ds: DataSource, members: number, orders: number): Promise<string> {
  const [brand] = await ds.query(`INSERT INTO brands (name, time_zone) VALUES ($1, $2) RETURNING id`, [
    `${BRAND_NAME} (seeding)`,
    TIME_ZONE,
  ]);
  const b = brand.id as string;
  const memberId = (n: string) => `md5($1::text || ':' || ${n})::uuid`;
  for (let from = 1; from <= members; from += 250_000) {
    const to = Math.min(members, from + 250_000 - 1);
    await ds.query(
      `INSERT INTO members (id, brand_id, nickname, source_channel, joined_at, created_at)
       SELECT ${memberId('g')}, $1::uuid, 'Member ' || g,
              (ARRAY['wecom','wechat_oa','douyin','xiaohongshu','taobao','store','other'])[1 + (g::bigint * 2654435761 % 7)],
              now() - interval '800 days' + (g::bigint * 104729 % 700) * interval '1 day', now()
         FROM generate_series($2::int, $3::int) g`,
      [b, from, to],
    );
    progress(`members ${to.toLocaleString()} / ${members.toLocaleString()}`);
  }
  await ds.query(`CREATE TEMP TABLE bench_orders (LIKE orders INCLUDING DEFAULTS) ON COMMIT PRESERVE ROWS`);
  for (let from = 1; from <= orders; from += 1_000_000) {
    const to = Math.min(orders, from + 1_000_000 - 1);
    await ds.query(
      `INSERT INTO bench_orders (brand_id, member_id, source, external_id, status, currency, amount_minor, refunded_minor, placed_at)
       SELECT $1::uuid, ${memberId('(1 + floor($4::int * power(r1, 2.5)))::int')}, 'bench', 'o' || g, st, 'CNY', amt,
              CASE st WHEN 'refunded' THEN amt WHEN 'partially_refunded' THEN amt / 3 ELSE 0 END,
              now() - r3 * 730 * interval '1 day'
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
  progress('orders with their repurchase flags');
  // The commerce lib's rule: a member's counted orders by (placed_at, id), the second and later are repurchases.
  await ds.query(
    `INSERT INTO orders (id, brand_id, member_id, source, external_id, status, currency, amount_minor, refunded_minor, placed_at, is_repurchase)
     SELECT id, brand_id, member_id, source, external_id, status, currency, amount_minor, refunded_minor, placed_at,
            ${COUNTED} AND row_number() OVER (PARTITION BY member_id, ${COUNTED} ORDER BY placed_at, id) > 1
       FROM bench_orders`,
  );
  await ds.query(`DROP TABLE bench_orders`);
  progress('member aggregates');
  await ds.query(
    `UPDATE members m SET order_count = a.n, paid_spend_minor = a.spend, first_order_at = a.first, last_order_at = a.last
       FROM (SELECT member_id, count(*)::int AS n, sum(amount_minor - refunded_minor) AS spend,
                    min(placed_at) AS first, max(placed_at) AS last
               FROM orders WHERE brand_id = $1 AND ${COUNTED} GROUP BY member_id) a
      WHERE m.id = a.member_id`,
    [b],
  );
  progress('order sequence');
  // Orders were written straight to the table: their sequence is built as a repair would.
  await ds.transaction((m) => rebuildOrderSequence(m, b));
  progress('tiers');
  const tiers: Array<[string, number, number]> = [
    ['Member', 0, 0],
    ['Silver', 1, 50_000],
    ['Gold', 2, 200_000],
    ['Black', 3, 600_000],
  ];
  for (const [name, rank, threshold] of tiers)
    await ds.query(`INSERT INTO tiers (brand_id, name, rank, threshold) VALUES ($1, $2, $3, $4)`, [
      b,
      name,
      rank,
      threshold,
    ]);
  await ds.query(
    `INSERT INTO member_tiers (member_id, brand_id, tier_id, since, evaluated_at)
     SELECT m.id, $1, (SELECT t.id FROM tiers t WHERE t.brand_id = $1 AND t.threshold <= m.paid_spend_minor
                        ORDER BY t.rank DESC LIMIT 1), now(), now()
       FROM members m WHERE m.brand_id = $1`,
    [b],
  );
  progress('vacuum and analyze');
  await ds.query(`VACUUM (FULL, ANALYZE) members`);
  for (const table of ['orders', 'order_sequence', 'member_tiers', 'tiers'])
    await ds.query(`VACUUM ANALYZE ${table}`);
  await ds.query(`UPDATE brands SET name = $2 WHERE id = $1`, [b, `${BRAND_NAME} ${members}/${orders}`]);
  return b;
}

/** The headline repurchase figure as a person would write it: buyers and repeat buyers in the range. */
const BARE_REPURCHASE = `
SELECT count(*)::int AS buyers, count(*) FILTER (WHERE n >= 2)::int AS repeat_buyers
  FROM (SELECT member_id, count(*) AS n FROM orders
         WHERE brand_id = $1 AND member_id IS NOT NULL AND ${COUNTED} AND placed_at >= $2 AND placed_at < $3
         GROUP BY member_id) x`;

/** The cohort cells as a person would write them: date_trunc in the zone and count(DISTINCT). */
const BARE_COHORTS = `
SELECT to_char(date_trunc('month', m.first_order_at AT TIME ZONE $4), 'YYYY-MM') AS cohort,
       (extract(year FROM age(date_trunc('month', o.placed_at AT TIME ZONE $4), date_trunc('month', m.first_order_at AT TIME ZONE $4))) * 12
        + extract(month FROM age(date_trunc('month', o.placed_at AT TIME ZONE $4), date_trunc('month', m.first_order_at AT TIME ZONE $4))))::int AS k,
       count(DISTINCT m.id)::int AS members
  FROM members m JOIN orders o ON o.member_id = m.id AND o.brand_id = $1 AND o.${COUNTED}
 WHERE m.brand_id = $1 AND m.merged_into IS NULL AND m.first_order_at >= $2 AND m.first_order_at < $3
 GROUP BY 1, 2`;

/**
 * The `reports` bench: the repurchase and cohort reports (last twelve months, brand time) over a
 * brand of 1,000,000 members and 5,000,000 orders, each beside a hand-written bare SQL of its
 * headline figures, interleaved in the same run; the figures are checked equal.
 */
const bench: Bench = {
  description: 'repurchase and cohort reports on 1M members / 5M orders, vs hand-written bare SQL',
  async run(args) {
    const members = numberFlag(args, 'members', 1_000_000);
    const orders = numberFlag(args, 'orders', 5_000_000);
    const runs = numberFlag(args, 'runs', 5);
    const reseed = args.includes('--reseed');
    const explain = args.includes('--explain');
    if (!readRawEnv('LOG_LEVEL')) setRawEnv('LOG_LEVEL', 'warn');
    const env = loadEnvironment();
    const database = new URL(env.DATABASE_URL).pathname.slice(1);
    // A million members are not seeded into a shared database by accident.
    if (!database.startsWith(DATABASE_PREFIX))
      throw new Error(
        `run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/${DATABASE_PREFIX}reports_bench (got ${database})`,
      );

    progress(`running migrations on ${database}`);
    await runMigrations(env, (line) => progress(line));
    const app = await NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
    try {
      const ds = app.get(DataSource);
      const name = `${BRAND_NAME} ${members}/${orders}`;
      let [existing] = await ds.query(`SELECT id FROM brands WHERE name = $1`, [name]);
      if (existing && reseed) {
        progress('dropping the previous bench brand');
        await ds.query(`DELETE FROM brands WHERE id = $1`, [existing.id]);
        existing = undefined;
      }
      await ds.query(`DELETE FROM brands WHERE name = $1`, [`${BRAND_NAME} (seeding)`]);
      let seedSec: number | null = null;
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
      const analytics = app.get(AnalyticsService);
      const report = await analytics.repurchase(brandId, {});
      const { start, end } = report.header;
      const bareOpts = (sql: string, params: unknown[]) =>
        ds.transaction(async (m) => {
          await m.query(`SELECT set_config('jit', 'off', true), set_config('work_mem', '128MB', true)`);
          return m.query(sql, params);
        });
      const bareRepurchase = () => bareOpts(BARE_REPURCHASE, [brandId, start, end]);
      const bareCohorts = () => bareOpts(BARE_COHORTS, [brandId, start, end, TIME_ZONE]);

      if (explain) {
        for (const [label, sql, params] of [
          ['bare repurchase', BARE_REPURCHASE, [brandId, start, end]],
          ['bare cohorts', BARE_COHORTS, [brandId, start, end, TIME_ZONE]],
        ] as const) {
          const plan: Array<{ 'QUERY PLAN': string }> = await bareOpts(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, [
            ...params,
          ]);
          progress(`${label}:\n${plan.map((r) => r['QUERY PLAN']).join('\n')}`);
        }
      }

      progress('warm-up and cross-check');
      const [bareR] = (await bareRepurchase()) as Array<{ buyers: number; repeat_buyers: number }>;
      if (bareR.buyers !== report.overall.buyers || bareR.repeat_buyers !== report.overall.repeatBuyers)
        throw new Error(`repurchase ${JSON.stringify(report.overall)} ≠ bare ${JSON.stringify(bareR)}`);
      const cohorts = await analytics.cohorts(brandId, {});
      const bareC = (await bareCohorts()) as Array<{ cohort: string; k: number; members: number }>;
      const cells = new Map(bareC.map((c) => [`${c.cohort}/${c.k}`, c.members]));
      for (const c of cohorts.cohorts)
        for (const cell of c.retention)
          if ((cells.get(`${c.month}/${cell.monthOffset}`) ?? 0) !== cell.members)
            throw new Error(
              `cohort ${c.month} +${cell.monthOffset}: ${cell.members} ≠ bare ${cells.get(`${c.month}/${cell.monthOffset}`)}`,
            );

      const ms = {
        repurchase: [] as number[],
        bareRepurchase: [] as number[],
        cohorts: [] as number[],
        bareCohorts: [] as number[],
      };
      for (let i = 0; i < runs; i++) {
        // interleaved, so each pair sees the same cache and the same neighbours on the machine
        ms.repurchase.push((await time(() => analytics.repurchase(brandId, {})))[0]);
        ms.bareRepurchase.push((await time(bareRepurchase))[0]);
        ms.cohorts.push((await time(() => analytics.cohorts(brandId, {})))[0]);
        ms.bareCohorts.push((await time(bareCohorts))[0]);
        progress(
          `run ${i + 1}/${runs}: repurchase ${round(ms.repurchase[i], 0)} ms, cohorts ${round(ms.cohorts[i], 0)} ms`,
        );
      }
      const [{ n_members, n_orders }] = await ds.query(
        `SELECT (SELECT count(*) FROM members WHERE brand_id = $1)::int AS n_members,
                (SELECT count(*) FROM orders WHERE brand_id = $1)::int AS n_orders`,
        [brandId],
      );
      return {
        bench: 'reports',
        machine: machineInfo(),
        database,
        members: n_members,
        orders: n_orders,
        seedSec,
        range: { from: report.header.from, to: report.header.to, timeZone: TIME_ZONE },
        repurchase: {
          ...stats(ms.repurchase),
          buyers: report.overall.buyers,
          repeatBuyers: report.overall.repeatBuyers,
          rate: report.overall.rate,
          medianDaysToSecond: report.firstToSecondOrder.medianDays,
        },
        bareRepurchase: stats(ms.bareRepurchase),
        cohorts: { ...stats(ms.cohorts), cohorts: cohorts.cohorts.length },
        bareCohorts: stats(ms.bareCohorts),
        targetMs: 2000,
      };
    } finally {
      await app.close();
    }
  },
};

export default bench;
