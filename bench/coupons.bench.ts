import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  CouponBatchesService,
  CouponRedemptionService,
  CouponsModule,
  CouponTemplatesService,
  randomCodeLines,
} from '@siyu/coupons';
import { Actor, loadEnvironment, PlatformModule, runMigrations } from '@siyu/platform';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource } from 'typeorm';
import { Bench, machineInfo, numberFlag, progress, ratio, round, stringFlag } from './support';

@Module({ imports: [PlatformModule, CouponsModule] })
class CouponsBenchModule {}

const CLIENTS = 64;
const TARGET_CODES_PER_SEC = 100_000;

interface LoadResult {
  ops: number;
  refused: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `clients` loops, each taking the next item until `seconds` have passed; latency of every call. */
async function load(
  seconds: number,
  clients: number,
  items: number,
  op: (i: number) => Promise<boolean>,
): Promise<LoadResult> {
  let next = 0;
  let refused = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline && next < items) {
        const i = next++;
        const t0 = performance.now();
        const ok = await op(i);
        latencies.push(performance.now() - t0);
        if (!ok) refused++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ops: latencies.length,
    refused,
    seconds: round(elapsed, 2),
    opsPerSec: round(latencies.length / elapsed, 1),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
  };
}

/**
 * Coupons: (1) 1,000,000 bearer codes generated as a batch (CSPRNG bytes with rejection sampling →
 * COPY into a staging table → INSERT … SELECT … ON CONFLICT DO NOTHING into coupons with its unique
 * key, 100,000 per committed chunk), beside a bare `INSERT … SELECT md5(random()) … ON CONFLICT DO
 * NOTHING` of as many codes into a table with only a primary key, and the pipeline's first half alone
 * (codes drawn and COPYed into a temp table); (2) redemption throughput and latency under 64 concurrent
 * clients through CouponRedemptionService (the POST /v1/coupons/redeem path without HTTP: ledger
 * row, conditional updates, audit, one transaction each), without and with a money budget (then
 * every redemption passes the template's row in turn), beside a bare conditional
 * `UPDATE … WHERE redeemed < 1 RETURNING` loop from 64 clients on the same Postgres.
 */
/** `n` codes drawn (randomCodeLines) and COPYed into a temp table: the pipeline's first half alone. */
async function copyToStageOnly(ds: DataSource, n: number): Promise<number> {
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    const client = (qr as unknown as { databaseConnection: PoolClient }).databaseConnection;
    await client.query(`CREATE TEMP TABLE coupons_bench_stage (code text)`);
    const t0 = performance.now();
    let left = n;
    const blocks = new Readable({
      read() {
        if (left === 0) return void this.push(null);
        const k = Math.min(50_000, left);
        left -= k;
        this.push(randomCodeLines('BN', 10, k));
      },
    });
    await pipeline(blocks, client.query(copyFrom(`COPY coupons_bench_stage (code) FROM STDIN`)));
    const sec = (performance.now() - t0) / 1000;
    await client.query(`DROP TABLE coupons_bench_stage`);
    return sec;
  } finally {
    await qr.release();
  }
}

const bench: Bench = {
  description: '1M codes generated (COPY) and redemptions under 64 clients vs bare INSERT/UPDATE … RETURNING',
  async run(args) {
    const codes = numberFlag(args, 'codes', 1_000_000);
    const seconds = numberFlag(args, 'seconds', 15);
    // `--only generate`: the generation phase alone (re-measuring it without the redemption runs).
    const only = stringFlag(args, 'only');
    if (only !== undefined && only !== 'generate') throw new Error(`--only takes "generate", got "${only}"`);
    process.env.DATABASE_POOL_SIZE = String(CLIENTS + 6); // one connection per client (bench only)
    const env = loadEnvironment();
    progress(`running migrations on ${env.DATABASE_URL.replace(/\/\/[^@]*@/, '//')}`);
    await runMigrations(env, (line) => progress(line));
    const app = await NestFactory.createApplicationContext(CouponsBenchModule, { logger: ['error', 'warn'] });
    try {
      const ds = app.get(DataSource);
      const templates = app.get(CouponTemplatesService);
      const batches = app.get(CouponBatchesService);
      const redemption = app.get(CouponRedemptionService);

      progress('dropping earlier bench brands');
      await ds.query(`DELETE FROM brands WHERE name LIKE 'coupons-bench-%'`);
      const [{ id: brandId }] = await ds.query(
        `INSERT INTO brands (name, time_zone, currency) VALUES ($1, 'Asia/Shanghai', 'CNY') RETURNING id`,
        [`coupons-bench-${Date.now()}`],
      );
      const actor: Actor = { brandId, actorType: 'system', actorId: null, requestId: null };
      const tpl = await templates.create(actor, {
        name: 'bench',
        kind: 'fixed_amount',
        amountOffMinor: 500,
        codePrefix: 'BN',
        codeLength: 10,
      });
      await templates.transition(actor, tpl.id, 'activate');

      // 1. Generation.
      const loadAtStart = loadavg().map((l) => round(l, 2));
      progress('CSPRNG alone (randomCodeLines: bulk random bytes, rejection sampling)…');
      let t0 = performance.now();
      randomCodeLines('BN', 10, codes);
      const nodeOnlySec = (performance.now() - t0) / 1000;
      progress(`generating ${codes} codes through the batch…`);
      t0 = performance.now();
      const queued = await batches.generate(actor, tpl.id, { count: codes, label: 'bench' });
      const done = await batches.run(queued.id, async (d, r) => progress(`  ${d}/${r}`));
      const genSec = (performance.now() - t0) / 1000;
      const [{ n: stored }] = await ds.query(
        `SELECT count(DISTINCT code)::int AS n FROM coupons WHERE template_id = $1`,
        [tpl.id],
      );
      progress(`generated ${done.done} (${stored} distinct) in ${round(genSec, 2)} s`);
      await ds.query(`DROP TABLE IF EXISTS coupons_bench_codes`);
      await ds.query(`CREATE UNLOGGED TABLE coupons_bench_codes (code text PRIMARY KEY)`);
      t0 = performance.now();
      await ds.query(
        `INSERT INTO coupons_bench_codes SELECT 'BN' || substr(md5(random()::text), 1, 10) FROM generate_series(1, $1)
         ON CONFLICT DO NOTHING`,
        [codes],
      );
      const bareGenSec = (performance.now() - t0) / 1000;
      await ds.query(`DROP TABLE coupons_bench_codes`);
      progress(`bare INSERT … SELECT of ${codes} codes: ${round(bareGenSec, 2)} s`);
      progress(`where the time goes: the codes drawn and COPYed into a temp table alone…`);
      const stageSec = await copyToStageOnly(ds, codes);
      progress(`CSPRNG + COPY into a temp table: ${round(stageSec, 2)} s`);
      await ds.query(`VACUUM ANALYZE coupons`);
      const loadAfterGenerate = loadavg().map((l) => round(l, 2));

      const generate = {
        codes,
        distinct: stored,
        seconds: round(genSec, 2),
        codesPerSec: Math.round(codes / genSec),
        target: TARGET_CODES_PER_SEC,
        met: codes / genSec >= TARGET_CODES_PER_SEC,
        csprngOnlyCodesPerSec: Math.round(codes / nodeOnlySec),
        bareInsertSelectCodesPerSec: Math.round(codes / bareGenSec),
        // The first half of the pipeline alone: lines drawn and COPYed into a temp table (no
        // WAL, no index); the rest of `seconds` is the INSERT … SELECT into coupons and commits.
        copyToStageOnlyCodesPerSec: Math.round(codes / stageSec),
        ratioToBare: ratio(bareGenSec, genSec),
      };
      if (only === 'generate') {
        await ds.query(`DELETE FROM brands WHERE id = $1`, [brandId]);
        const loadavgs = { atStart: loadAtStart, afterGenerate: loadAfterGenerate };
        return { bench: 'coupons', machine: machineInfo(), loadavg: loadavgs, generate };
      }

      // 2. Redemption.
      const pool: Array<{ code: string }> = await ds.query(
        `SELECT code FROM coupons WHERE template_id = $1 ORDER BY id LIMIT 300000`,
        [tpl.id],
      );
      let offset = 0;
      const redeemRun = async (label: string) => {
        progress(`${label}: ${CLIENTS} clients for ${seconds} s…`);
        const base = offset;
        const r = await load(seconds, CLIENTS, pool.length - base, async (i) => {
          try {
            await redemption.redeemByOperator(actor, {
              code: pool[base + i].code,
              cartAmountMinor: 10_000n,
              orderRef: `bench-${base + i}`,
            });
            return true;
          } catch {
            return false;
          }
        });
        offset += r.ops;
        progress(`${label}: ${JSON.stringify(r)}`);
        return r;
      };
      const free = await redeemRun('redeem (no money budget)');
      await templates.update(actor, tpl.id, { budgetMoneyMinor: 999_999_999_999 });
      const budgeted = await redeemRun('redeem (money budget)');

      await ds.query(`DROP TABLE IF EXISTS coupons_bench_bare`);
      await ds.query(
        `CREATE TABLE coupons_bench_bare (id bigint PRIMARY KEY, redeemed int NOT NULL DEFAULT 0)`,
      );
      await ds.query(`INSERT INTO coupons_bench_bare (id) SELECT g FROM generate_series(1, 300000) g`);
      await ds.query(`VACUUM ANALYZE coupons_bench_bare`);
      progress(`bare conditional UPDATE … RETURNING: ${CLIENTS} clients for ${seconds} s…`);
      const bare = await load(seconds, CLIENTS, 300_000, async (i) => {
        const [rows]: [unknown[], number] = await ds.query(
          `UPDATE coupons_bench_bare SET redeemed = redeemed + 1 WHERE id = $1 AND redeemed < 1 RETURNING id`,
          [i + 1],
        );
        return rows.length === 1;
      });
      progress(`bare: ${JSON.stringify(bare)}`);
      await ds.query(`DROP TABLE coupons_bench_bare`);
      await ds.query(`DELETE FROM brands WHERE id = $1`, [brandId]);

      return {
        bench: 'coupons',
        machine: machineInfo(),
        loadavg: {
          atStart: loadAtStart,
          afterGenerate: loadAfterGenerate,
          atEnd: loadavg().map((l) => round(l, 2)),
        },
        generate,
        redeem: { clients: CLIENTS, ...free },
        redeemWithMoneyBudget: { clients: CLIENTS, ...budgeted },
        bareConditionalUpdate: { clients: CLIENTS, ...bare },
        ratio: {
          redeemToBare: ratio(free.opsPerSec, bare.opsPerSec),
          budgetedToBare: ratio(budgeted.opsPerSec, bare.opsPerSec),
          p99RedeemToBare: ratio(free.p99Ms, bare.p99Ms),
        },
      };
    } finally {
      await app.close();
    }
  },
};

export default bench;
