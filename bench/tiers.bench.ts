import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { loadEnvironment, PlatformModule, runMigrations } from '@siyu/platform';
import {
  ReevaluateOutcome,
  TIER_CHANGED,
  TierEvaluationService,
  TierEvaluationSummary,
  TiersModule,
} from '@siyu/tiers';
import type { PoolClient } from 'pg';
import { DataSource } from 'typeorm';
import { Bench, machineInfo, numberFlag, progress, ratio, round, stringFlag } from './support';

@Module({ imports: [PlatformModule, TiersModule] })
class TiersBenchModule {}

const ORDERS_PER_MEMBER = 5;
const BRAND_NAME = (members: number) => `tiers-bench-${members}`;
/** Member / Silver / Gold / Black on spend (minor units): 0, ¥300, ¥1,000, ¥2,000. */
const LADDER = [
  { name: 'Member', threshold: 0 },
  { name: 'Silver', threshold: 30_000 },
  { name: 'Gold', threshold: 100_000 },
  { name: 'Black', threshold: 200_000 },
];
const COUNTED = `o.status IN ('paid', 'partially_refunded')`;

const seconds = (ms: number) => round(ms / 1000, 2);

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  progress(`${label}…`);
  const started = performance.now();
  const result = await fn();
  const ms = performance.now() - started;
  progress(`${label}: ${seconds(ms)} s`);
  return { ms, result };
}

/**
 * The brand, its members (aggregates maintained as commerce would) and their orders, in SQL
 * (generate_series): made once per size and reused by later runs.
 */
async function seed(ds: DataSource, members: number): Promise<{ id: string; fresh: boolean }> {
  const name = BRAND_NAME(members);
  const [existing] = await ds.query(
    `SELECT b.id, (SELECT count(*) FROM members m WHERE m.brand_id = b.id)::int AS members,
            (SELECT count(*) FROM orders o WHERE o.brand_id = b.id)::int AS orders
       FROM brands b WHERE b.name = $1`,
    [name],
  );
  if (existing?.members === members && existing.orders === members * ORDERS_PER_MEMBER) {
    progress(`reusing brand ${existing.id} (${members} members, ${existing.orders} orders)`);
    return { id: existing.id, fresh: false };
  }
  if (existing) {
    progress(`dropping an incomplete seed of ${name}`);
    await ds.query(`DELETE FROM brands WHERE id = $1`, [existing.id]);
  }
  const [{ id }] = await ds.query(
    `INSERT INTO brands (name, time_zone, currency) VALUES ($1, 'Asia/Shanghai', 'CNY') RETURNING id`,
    [name],
  );
  await timed(`seeding ${members} members`, () =>
    ds.query(
      `INSERT INTO members (brand_id, source_channel, joined_at, nickname)
       SELECT $1, 'import', now() - (g % 900) * interval '1 day', 'bench ' || g FROM generate_series(1, $2) g`,
      [id, members],
    ),
  );
  // ~5 orders each over the last two years (about half inside a 365-day window), ¥10–¥600 each,
  // one in twenty partially refunded and one in fifty cancelled.
  await timed(`seeding ${members * ORDERS_PER_MEMBER} orders`, () =>
    ds.query(
      `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor, refunded_minor, placed_at)
       SELECT $1, m.id, 'bench', m.id::text || '-' || k,
              CASE WHEN h % 50 = 0 THEN 'cancelled' WHEN h % 20 = 1 THEN 'partially_refunded' ELSE 'paid' END,
              'CNY', 1000 + (h % 59000),
              CASE WHEN h % 20 = 1 THEN (1000 + (h % 59000)) / 4 ELSE 0 END,
              now() - make_interval(mins => ((h >> 8) % (730 * 24 * 60))::int)
         FROM members m CROSS JOIN generate_series(1, ${ORDERS_PER_MEMBER}) k
         CROSS JOIN LATERAL (SELECT abs(hashtextextended(m.id::text || k, 7)) AS h) x
        WHERE m.brand_id = $1`,
      [id],
    ),
  );
  await timed('ANALYZE', () => ds.query(`ANALYZE members; ANALYZE orders`));
  return { id, fresh: true };
}

/** The members' order aggregates recomputed from the orders (what commerce maintains). */
async function resetAggregates(ds: DataSource, brandId: string): Promise<void> {
  await ds.query(
    `UPDATE members m SET order_count = a.n, paid_spend_minor = a.spend, first_order_at = a.first_at, last_order_at = a.last_at
       FROM (SELECT o.member_id, count(*) FILTER (WHERE ${COUNTED})::int AS n,
                    COALESCE(sum(o.amount_minor - o.refunded_minor) FILTER (WHERE ${COUNTED}), 0) AS spend,
                    min(o.placed_at) FILTER (WHERE ${COUNTED}) AS first_at,
                    max(o.placed_at) FILTER (WHERE ${COUNTED}) AS last_at
               FROM orders o WHERE o.brand_id = $1 GROUP BY o.member_id) a
      WHERE m.id = a.member_id AND m.brand_id = $1
        AND (m.order_count, m.paid_spend_minor) IS DISTINCT FROM (a.n, a.spend)`,
    [brandId],
  );
}

/** Forgets every tier of the brand (not timed), so each run starts from the same state. */
async function resetTiers(ds: DataSource, brandId: string): Promise<void> {
  await ds.query(`DELETE FROM member_events WHERE brand_id = $1 AND type = 'tier.changed'`, [brandId]);
  await ds.query(`DELETE FROM tier_changes WHERE brand_id = $1`, [brandId]);
  await ds.query(`DELETE FROM member_tiers WHERE brand_id = $1`, [brandId]);
  await ds.query(`DELETE FROM tier_evaluations WHERE brand_id = $1`, [brandId]);
  await ds.query(`DELETE FROM tier_ladders WHERE brand_id = $1`, [brandId]);
  await ds.query(`DELETE FROM tiers WHERE brand_id = $1`, [brandId]);
  await ds.query(
    `INSERT INTO tier_ladders (brand_id, basis, window_days, grace_days, reevaluation, reevaluation_time)
     VALUES ($1, 'paid_spend', NULL, 30, 'monthly', '03:00')`,
    [brandId],
  );
  for (const [rank, t] of LADDER.entries())
    await ds.query(`INSERT INTO tiers (brand_id, name, rank, threshold) VALUES ($1, $2, $3, $4)`, [
      brandId,
      t.name,
      rank,
      t.threshold,
    ]);
}

async function vacuum(ds: DataSource): Promise<void> {
  await ds.query(`VACUUM ANALYZE member_tiers`);
  await ds.query(`VACUUM ANALYZE tier_changes`);
  await ds.query(`VACUUM ANALYZE member_events`);
  await ds.query(`VACUUM ANALYZE members`);
}

/** A hand-written statement of the same decision, timed and rolled back: the floor to compare to. */
async function baseline(ds: DataSource, label: string, sql: string, params: unknown[]): Promise<number> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    const started = performance.now();
    await runner.query(sql, params);
    const ms = performance.now() - started;
    await runner.rollbackTransaction();
    progress(`baseline ${label}: ${seconds(ms)} s`);
    return ms;
  } finally {
    await runner.release();
  }
}

/**
 * A re-evaluation as the job runs it (one transaction). With `--explain`, on a connection of its
 * own with `auto_explain` sending every statement's plan over `explainMs` (EXPLAIN ANALYZE, BUFFERS,
 * WAL, trigger times) to the client as a notice, printed to stderr.
 */
async function reevaluate(
  ds: DataSource,
  evaluation: TierEvaluationService,
  brandId: string,
  at: Date,
  explainMs: number | null,
): Promise<ReevaluateOutcome> {
  if (explainMs === null) return evaluation.reevaluate(brandId, at, { trigger: 'manual' });
  const runner = ds.createQueryRunner();
  await runner.connect();
  const client = (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
  const print = (n: { message?: string }) => progress(n.message ?? '');
  client.on('notice', print);
  try {
    await runner.query(`LOAD 'auto_explain'`);
    await runner.query(
      `SET auto_explain.log_min_duration = ${Math.round(explainMs)}; SET auto_explain.log_analyze = on;
       SET auto_explain.log_buffers = on; SET auto_explain.log_wal = on; SET auto_explain.log_triggers = on;
       SET auto_explain.log_level = notice`,
    );
    await runner.startTransaction();
    try {
      const outcome = await evaluation.reevaluateIn(runner.manager, brandId, at, { trigger: 'manual' });
      await runner.commitTransaction();
      return outcome;
    } catch (err) {
      await runner.rollbackTransaction();
      throw err;
    }
  } finally {
    client.off('notice', print);
    await runner.query(`RESET auto_explain.log_min_duration`);
    await runner.release();
  }
}

/**
 * Holds the shared bench lock (`flock PATH`) while `fn` runs, when a path is given: an A/B series
 * takes it per pair, not for the whole series, so others get their turn between pairs.
 */
async function withBenchLock<T>(path: string | null, fn: () => Promise<T>): Promise<T> {
  if (path === null) return fn();
  const holder = spawn('flock', [path, 'sh', '-c', 'echo locked; cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    holder.stdout.once('data', () => resolve());
    holder.once('error', reject);
    holder.once('exit', (code) => reject(new Error(`flock exited (${code})`)));
  });
  try {
    return await fn();
  } finally {
    holder.stdin.end();
  }
}

/** One side of an A/B: how the service runs and what the transaction changes first (rolled back). */
interface Variant {
  name: string;
  batchSize?: number;
  /** Statements run in the timed run's transaction before it (untimed), rolled back with it. */
  setup?: string[];
}

/**
 * tier_changes' keys, set inside the run's transaction (rolled back with it) whatever the migrations
 * left: two keys (brand_id → brands, member_id → members, as before `TierChangesMemberKey`) or one
 * composite key (brand_id, member_id) → members (brand_id, id). NOT VALID: the rows already there
 * are not re-checked, the rows the run writes are.
 */
const tierChangesKeys = (composite: boolean) => [
  `ALTER TABLE tier_changes DROP CONSTRAINT IF EXISTS "FK_7a3fa03a62874698b4a7ef7a9a6",
     DROP CONSTRAINT IF EXISTS "FK_df53cf81536a781a0d3f2f9b76d",
     DROP CONSTRAINT IF EXISTS "FK_1c93897bff03626793c672aa44b"`,
  composite
    ? `ALTER TABLE tier_changes ADD CONSTRAINT ab_member_key FOREIGN KEY (brand_id, member_id)
         REFERENCES members (brand_id, id) ON DELETE CASCADE NOT VALID`
    : `ALTER TABLE tier_changes
         ADD CONSTRAINT ab_brand_key FOREIGN KEY (brand_id) REFERENCES brands (id) ON DELETE CASCADE NOT VALID,
         ADD CONSTRAINT ab_member_key FOREIGN KEY (member_id) REFERENCES members (id) ON DELETE CASCADE NOT VALID`,
];

/** The A/B series. */
const AB_SERIES: Record<string, [Variant, Variant]> = {
  /** tier_changes with two foreign keys (brand, member) against one composite key. */
  fk: [
    { name: 'two keys', setup: tierChangesKeys(false) },
    { name: 'one key', setup: tierChangesKeys(true) },
  ],
  /** Members per write statement: 50,000 against 200,000. */
  batch: [
    { name: '50k', batchSize: 50_000 },
    { name: '200k', batchSize: 200_000 },
  ],
};

/**
 * `--ab <series>`: the two variants of a series interleaved in this process (A B, then B A, …,
 * `--pairs` pairs), on the first assignment of every member and on the downgrades after grace.
 * Each run is one re-evaluation in a transaction that is timed and rolled back, then `VACUUM
 * ANALYZE`, so every run starts from the same rows. The grace-over runs start from a committed first
 * assignment and rolling 365-day run (no lifetime step: the members' aggregates are not touched,
 * so no recompute is needed before or after).
 */
async function abSeries(
  ds: DataSource,
  evaluation: TierEvaluationService,
  brandId: string,
  series: [Variant, Variant],
  pairs: number,
  which: string[],
  lockPath: string | null,
  explainMs: number | null,
) {
  const at = new Date();
  const day = 86_400_000;
  const rollingAt = new Date(at.getTime() + 2 * day);
  const graceAt = new Date(rollingAt.getTime() + 31 * day);
  const results: Record<string, Record<string, Array<Record<string, number>>>> = {};
  const once = async (label: string, v: Variant, runAt: Date) => {
    const runner = ds.createQueryRunner();
    await runner.connect();
    const defaultBatch = evaluation.batchSize;
    const client = (runner as unknown as { databaseConnection: PoolClient }).databaseConnection;
    const print = (n: { message?: string }) => progress(n.message ?? '');
    if (explainMs !== null) {
      client.on('notice', print);
      await runner.query(`LOAD 'auto_explain'`);
      await runner.query(
        `SET auto_explain.log_min_duration = ${Math.round(explainMs)}; SET auto_explain.log_analyze = on;
         SET auto_explain.log_buffers = on; SET auto_explain.log_wal = on; SET auto_explain.log_triggers = on;
         SET auto_explain.log_level = notice`,
      );
    }
    try {
      await runner.startTransaction();
      for (const sql of v.setup ?? []) await runner.query(sql);
      evaluation.batchSize = v.batchSize ?? defaultBatch;
      const started = performance.now();
      const out = await evaluation.reevaluateIn(runner.manager, brandId, runAt, { trigger: 'manual' });
      const ms = performance.now() - started;
      await runner.rollbackTransaction();
      const s = out as TierEvaluationSummary;
      progress(`${label} [${v.name}]: ${seconds(ms)} s (${JSON.stringify(summary(s))})`);
      ((results[label] ??= {})[v.name] ??= []).push({ seconds: seconds(ms), changes: s.changes });
    } finally {
      evaluation.batchSize = defaultBatch;
      if (explainMs !== null) {
        client.off('notice', print);
        await runner.query(`RESET auto_explain.log_min_duration`);
      }
      await runner.release();
    }
    await vacuum(ds);
  };
  const interleaved = async (label: string, runAt: Date) => {
    for (let i = 0; i < pairs; i++) {
      const [a, b] = i % 2 === 0 ? series : [series[1], series[0]];
      await withBenchLock(lockPath, async () => {
        await once(label, a, runAt);
        await once(label, b, runAt);
      });
    }
  };
  if (which.includes('initial')) await interleaved('initialLifetime', at);
  if (which.includes('grace')) {
    await timed('committing the first assignment and the rolling 365-day run', async () => {
      await evaluation.reevaluate(brandId, at, { trigger: 'manual' });
      await ds.query(`UPDATE tier_ladders SET window_days = 365 WHERE brand_id = $1`, [brandId]);
      await evaluation.reevaluate(brandId, rollingAt, { trigger: 'manual' });
      await vacuum(ds);
    });
    await interleaved('rolling365GraceOver', graceAt);
  }
  return results;
}

const tierCase = (value: string) =>
  `CASE ${[...LADDER]
    .reverse()
    .map(
      (t) =>
        `WHEN ${value} >= ${t.threshold} THEN (SELECT id FROM tiers WHERE brand_id = $1 AND name = '${t.name}')`,
    )
    .join(' ')} END`;

function summary(s: TierEvaluationSummary) {
  return {
    assigned: s.assigned,
    upgraded: s.upgraded,
    downgraded: s.downgraded,
    graceStarted: s.graceStarted,
    graceCleared: s.graceCleared,
    changes: s.changes,
  };
}

/**
 * A full re-evaluation of 1,000,000 members through TierEvaluationService (the scheduled job's
 * code path, one transaction): the first run that gives everyone a tier, a lifetime re-run after
 * a fifth of the members' spend moved, a rolling 365-day run over 5,000,000 orders (grace starts
 * for those below) and the same 31 days later (their grace is over: downgrades). Beside
 * each, a bare hand-written UPDATE … FROM (SELECT … GROUP BY) of the same tiers (no grace, no
 * history, no timeline), timed in the same run and rolled back.
 */
const bench: Bench = {
  description:
    'full tier re-evaluation of 1M members (lifetime and rolling 365 days) vs a bare UPDATE … FROM',
  async run(args) {
    const members = numberFlag(args, 'members', 1_000_000);
    const explainMs = args.includes('--explain') ? numberFlag(args, 'explain-ms', 1_000) : null;
    const listen = args.includes('--listen');
    const env = loadEnvironment();
    progress(`running migrations on ${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}`);
    await runMigrations(env, (line) => progress(line));
    const app = await NestFactory.createApplicationContext(TiersBenchModule, { logger: ['error', 'warn'] });
    try {
      const ds = app.get(DataSource);
      const evaluation = app.get(TierEvaluationService);
      // With a listener, each run's `tier.changed` events are read back and emitted after its commit
      // (inside the timed call, as in the worker, where the coupons lib listens).
      let events = 0;
      if (listen) app.get(EventEmitter2).on(TIER_CHANGED, () => events++);
      const { id: brandId, fresh } = await seed(ds, members);
      const ab = stringFlag(args, 'ab') ?? null;
      // `--ab` never changes the aggregates and `--skip-recompute` is for data known to be unchanged
      // (see README); a fresh seed always needs them.
      if (fresh || (ab === null && !args.includes('--skip-recompute')))
        await timed('recomputing aggregates from orders', () => resetAggregates(ds, brandId));
      await timed('resetting tiers', () => resetTiers(ds, brandId));
      await timed('VACUUM ANALYZE', () => vacuum(ds));
      if (ab !== null) {
        const series = AB_SERIES[ab];
        if (!series) throw new Error(`--ab: one of ${Object.keys(AB_SERIES).join(', ')}`);
        const pairs = numberFlag(args, 'pairs', 2);
        const which = (stringFlag(args, 'runs') ?? 'initial,grace').split(',');
        return {
          bench: 'tiers',
          ab,
          members,
          pairs,
          runs: await abSeries(
            ds,
            evaluation,
            brandId,
            series,
            pairs,
            which,
            stringFlag(args, 'flock') ?? null,
            explainMs,
          ),
          at: new Date().toISOString(),
        };
      }
      const at = new Date();
      const day = 86_400_000;

      // 1. Everyone gets a tier for the first time (1M member_tiers, tier_changes and timeline rows).
      const initialBaseline = await baseline(
        ds,
        'initial INSERT … SELECT',
        `INSERT INTO member_tiers (member_id, brand_id, tier_id, since, evaluated_at)
         SELECT m.id, m.brand_id, ${tierCase('m.paid_spend_minor')}, now(), now()
           FROM members m WHERE m.brand_id = $1 AND m.merged_into IS NULL`,
        [brandId],
      );
      const initial = await timed('re-evaluation, first run (lifetime)', () =>
        reevaluate(ds, evaluation, brandId, at, explainMs),
      );
      await timed('VACUUM ANALYZE', () => vacuum(ds));

      // 2. A tenth of the members spent more, a tenth got refunds: lifetime re-evaluation a day later.
      await ds.query(
        `UPDATE members SET paid_spend_minor = CASE WHEN abs(hashtext(id::text)) % 10 = 0 THEN paid_spend_minor * 3 / 2
                                                    ELSE paid_spend_minor * 2 / 3 END
          WHERE brand_id = $1 AND abs(hashtext(id::text)) % 10 IN (0, 1)`,
        [brandId],
      );
      const lifetimeBaseline = await baseline(
        ds,
        'lifetime UPDATE … FROM',
        `UPDATE member_tiers mt SET tier_id = x.tier_id, evaluated_at = now()
           FROM (SELECT m.id, ${tierCase('m.paid_spend_minor')} AS tier_id
                   FROM members m WHERE m.brand_id = $1 AND m.merged_into IS NULL) x
          WHERE mt.member_id = x.id AND mt.tier_id <> x.tier_id`,
        [brandId],
      );
      const lifetime = await timed('re-evaluation, lifetime', () =>
        reevaluate(ds, evaluation, brandId, new Date(at.getTime() + day), explainMs),
      );
      await timed('VACUUM ANALYZE', () => vacuum(ds));

      // 3. The same ladder on a rolling 365-day window: the orders are summed per member.
      await ds.query(`UPDATE tier_ladders SET window_days = 365 WHERE brand_id = $1`, [brandId]);
      const rollingAt = new Date(at.getTime() + 2 * day);
      const windowStart = new Date(rollingAt.getTime() - 365 * day);
      const rollingBaseline = await baseline(
        ds,
        'rolling 365 UPDATE … FROM (SELECT … GROUP BY)',
        `UPDATE member_tiers mt SET tier_id = x.tier_id, evaluated_at = now()
           FROM (SELECT m.id, ${tierCase('COALESCE(w.spend, 0)')} AS tier_id
                   FROM members m
                   LEFT JOIN (SELECT o.member_id, sum(o.amount_minor - o.refunded_minor) AS spend
                                FROM orders o
                               WHERE o.brand_id = $1 AND o.placed_at >= $2 AND ${COUNTED}
                               GROUP BY o.member_id) w ON w.member_id = m.id
                  WHERE m.brand_id = $1 AND m.merged_into IS NULL) x
          WHERE mt.member_id = x.id AND mt.tier_id <> x.tier_id`,
        [brandId, windowStart],
      );
      const rolling = await timed('re-evaluation, rolling 365 days', () =>
        reevaluate(ds, evaluation, brandId, rollingAt, explainMs),
      );
      await timed('VACUUM ANALYZE', () => vacuum(ds));

      // 4. 31 days later the 30-day grace is over for everyone found below: the downgrades.
      const graceAt = new Date(rollingAt.getTime() + 31 * day);
      const graceBaseline = await baseline(
        ds,
        'rolling 365 UPDATE … FROM, 31 days later',
        `UPDATE member_tiers mt SET tier_id = x.tier_id, evaluated_at = now()
           FROM (SELECT m.id, ${tierCase('COALESCE(w.spend, 0)')} AS tier_id
                   FROM members m
                   LEFT JOIN (SELECT o.member_id, sum(o.amount_minor - o.refunded_minor) AS spend
                                FROM orders o
                               WHERE o.brand_id = $1 AND o.placed_at >= $2 AND ${COUNTED}
                               GROUP BY o.member_id) w ON w.member_id = m.id
                  WHERE m.brand_id = $1 AND m.merged_into IS NULL) x
          WHERE mt.member_id = x.id AND mt.tier_id <> x.tier_id`,
        [brandId, new Date(graceAt.getTime() - 365 * day)],
      );
      const downgrades = await timed('re-evaluation, rolling 365 days, grace over', () =>
        reevaluate(ds, evaluation, brandId, graceAt, explainMs),
      );

      const distribution = await ds.query(
        `SELECT t.name, count(mt.member_id)::int AS members FROM tiers t
           LEFT JOIN member_tiers mt ON mt.tier_id = t.id WHERE t.brand_id = $1 GROUP BY t.name, t.rank ORDER BY t.rank`,
        [brandId],
      );
      const [sizes] = await ds.query(
        `SELECT (SELECT count(*) FROM orders WHERE brand_id = $1)::int AS orders,
                (SELECT count(*) FROM orders WHERE brand_id = $1 AND placed_at >= $2)::int AS orders_in_window`,
        [brandId, windowStart],
      );
      const run = (r: { ms: number; result: unknown }, base: number) => ({
        seconds: seconds(r.ms),
        baselineSeconds: seconds(base),
        ratio: ratio(r.ms, base),
        ...summary(r.result as TierEvaluationSummary),
      });
      return {
        bench: 'tiers',
        machine: machineInfo(),
        members,
        orders: sizes.orders,
        ordersInWindow: sizes.orders_in_window,
        ladder: LADDER,
        targetSeconds: 20,
        initialLifetime: run(initial, initialBaseline),
        lifetime: run(lifetime, lifetimeBaseline),
        rolling365: run(rolling, rollingBaseline),
        rolling365GraceOver: run(downgrades, graceBaseline),
        ...(listen ? { eventsEmitted: events } : {}),
        distributionAfterRolling: Object.fromEntries(
          distribution.map((d: { name: string; members: number }) => [d.name, d.members]),
        ),
        at: new Date().toISOString(),
      };
    } finally {
      await app.close();
    }
  },
};

export default bench;
