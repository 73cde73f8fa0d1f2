import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { loadEnvironment, runMigrations } from '@siyu/platform';
import autocannon from 'autocannon';
import { Client, Pool } from 'pg';
import {
  Bench,
  ChildApp,
  DIST_ROOT,
  machineInfo,
  numberFlag,
  progress,
  ratio,
  round,
  startDistApp,
} from './support';

const SIYU_LOG_LEVEL = 'warn';
const MEMBERS = 2_000;
const TOKENS = 500;
const STOCK = 5_000;

interface Measured {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

async function call<T>(
  api: ChildApp,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** A fresh brand through the CLI and its owner's access token. */
async function freshBrand(api: ChildApp): Promise<{ brandId: string; token: string }> {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const email = `bench-${suffix}@bench.siyu.test`;
  const password = `bench-${suffix}-password`;
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(DIST_ROOT, 'apps/cli/src/main.js'),
    'brand:create',
    '--name',
    `Draws bench ${suffix}`,
    '--owner-email',
    email,
    '--password',
    password,
  ]);
  const line = stdout.split('\n').find((l) => l.startsWith('{"brandId"'));
  if (!line) throw new Error(`brand:create printed no brand: ${stdout}`);
  const { brandId } = JSON.parse(line) as { brandId: string };
  const login = await call<{ accessToken: string }>(api, 'POST', '/v1/auth/login', undefined, {
    email,
    password,
  });
  return { brandId, token: login.accessToken };
}

/** autocannon over `path` (POST, empty JSON body), each request with the next member token. */
async function loadEntries(
  api: ChildApp,
  drawId: string,
  tokens: string[],
  o: { connections: number; durationSec: number; warmupSec: number },
): Promise<Measured> {
  let next = 0;
  const opts = {
    url: `${api.baseUrl}/v1/draws/${drawId}/entries`,
    connections: o.connections,
    requests: [
      {
        method: 'POST',
        setupRequest: (req: Record<string, unknown>) => ({
          ...req,
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${tokens[next++ % tokens.length]}`,
          },
          body: '{}',
        }),
      },
    ],
  };
  const run = (duration: number) =>
    autocannon({ ...opts, duration } as unknown as Parameters<typeof autocannon>[0]);
  if (o.warmupSec > 0) await run(o.warmupSec);
  const r = await run(o.durationSec);
  return {
    rps: round(r.requests.average, 1),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
}

/**
 * The floor under an entry: the same `connections` clients, through a pool as large as the API's,
 * each running BEGIN; a conditional `UPDATE … SET remaining = remaining - 1 WHERE remaining > 0
 * RETURNING` on one stock row; an INSERT of a result row; COMMIT — nothing else (no HTTP, no token,
 * no draw or member lookup, no roll, no counters).
 */
async function bareLoop(
  databaseUrl: string,
  poolSize: number,
  o: { connections: number; durationSec: number; warmupSec: number },
): Promise<Measured> {
  const setup = new Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query(`DROP TABLE IF EXISTS bench_draw_stock, bench_draw_results`);
  await setup.query(
    `CREATE TABLE bench_draw_stock (id int PRIMARY KEY, remaining int NOT NULL CHECK (remaining >= 0))`,
  );
  await setup.query(
    `CREATE TABLE bench_draw_results (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), won boolean NOT NULL, created_at timestamptz NOT NULL DEFAULT now())`,
  );
  await setup.query(`INSERT INTO bench_draw_stock VALUES (1, $1)`, [STOCK]);
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  const once = async () => {
    const c = await pool.connect();
    try {
      await c.query('BEGIN');
      const r = await c.query(
        `UPDATE bench_draw_stock SET remaining = remaining - 1 WHERE id = 1 AND remaining > 0 RETURNING remaining`,
      );
      await c.query(`INSERT INTO bench_draw_results (won) VALUES ($1)`, [r.rowCount === 1]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };
  const run = async (seconds: number) => {
    const latencies: number[] = [];
    const until = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (performance.now() < until) {
          const t0 = performance.now();
          await once();
          latencies.push(performance.now() - t0);
        }
      }),
    );
    return latencies;
  };
  try {
    if (o.warmupSec > 0) await run(o.warmupSec);
    const lat = await run(o.durationSec);
    lat.sort((a, b) => a - b);
    const pct = (p: number) =>
      round(lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? 0, 1);
    const [{ remaining }] = (await setup.query(`SELECT remaining FROM bench_draw_stock WHERE id = 1`))
      .rows as Array<{
      remaining: number;
    }>;
    if (remaining < 0) throw new Error('bare loop: stock went negative');
    return {
      rps: round(lat.length / o.durationSec, 1),
      p50Ms: pct(50),
      p99Ms: pct(99),
      requests: lat.length,
      errors: 0,
      timeouts: 0,
      non2xx: 0,
    };
  } finally {
    await pool.end();
    await setup.query(`DROP TABLE IF EXISTS bench_draw_stock, bench_draw_results`);
    await setup.end();
  }
}

/**
 * Draw entries through the real API (member tokens, 64 clients): a published draw with a stocked
 * prize that runs out during the run, three unlimited prizes and a fallback, per-member limits on
 * (so every entry moves its counters). Beside it, in the same run, a bare conditional-UPDATE loop
 * on the same Postgres with the same client count and pool size.
 */
const bench: Bench = {
  description:
    'draw entries/s and p50/p99 (64 clients, member tokens) vs a bare conditional UPDATE + INSERT loop',
  async run(args) {
    const load = {
      connections: numberFlag(args, 'connections', 64),
      durationSec: numberFlag(args, 'duration', 10),
      warmupSec: 2,
    };
    const env = loadEnvironment();
    progress('running migrations');
    await runMigrations(env, (line) => progress(line));

    progress(`bare loop: ${load.connections} clients, pool ${env.DATABASE_POOL_SIZE}`);
    const bare = await bareLoop(env.DATABASE_URL, env.DATABASE_POOL_SIZE, load);
    progress(`bare loop: ${bare.rps} tx/s, p50 ${bare.p50Ms} ms, p99 ${bare.p99Ms} ms`);

    progress('starting siyu-api');
    const api = await startDistApp({
      name: 'siyu-api',
      script: 'apps/api/src/main.js',
      env: { LOG_LEVEL: SIYU_LOG_LEVEL },
    });
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    let brandId: string | null = null;
    try {
      const brand = await freshBrand(api);
      brandId = brand.brandId;
      const members = (
        await db.query(
          `INSERT INTO members (brand_id, nickname, source_channel)
           SELECT $1, 'bench ' || i, 'wecom' FROM generate_series(1, $2) i RETURNING id`,
          [brandId, MEMBERS],
        )
      ).rows.map((r: { id: string }) => r.id);
      progress(`minting ${TOKENS} member tokens`);
      const tokens: string[] = [];
      for (const m of members.slice(0, TOKENS))
        tokens.push(
          (
            await call<{ token: string }>(api, 'POST', `/v1/members/${m}/tokens`, brand.token, {
              ttlSeconds: 3600,
            })
          ).token,
        );
      const now = Date.now();
      const draw = await call<{ id: string }>(api, 'POST', '/v1/draws', brand.token, {
        name: 'bench draw',
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        limitTotal: 10_000,
        limitPerDay: 1_000,
        fallbackWeight: 60,
        prizes: [
          { name: 'stocked', weight: 10, stock: STOCK, kind: 'physical' },
          { name: 'a', weight: 10, kind: 'physical' },
          { name: 'b', weight: 10, kind: 'physical' },
          { name: 'c', weight: 10, kind: 'physical' },
        ],
      });
      await call(api, 'POST', `/v1/draws/${draw.id}/publish`, brand.token);
      progress(
        `siyu: ${load.warmupSec} s warm-up, then ${load.durationSec} s at ${load.connections} connections`,
      );
      const siyu = await loadEntries(api, draw.id, tokens, load);
      progress(`siyu: ${siyu.rps} entries/s, p50 ${siyu.p50Ms} ms, p99 ${siyu.p99Ms} ms`);
      const stats = await call<{
        entries: number;
        winners: number;
        prizes: Array<{ stock: number | null; remaining: number | null; won: number; outOfStock: number }>;
      }>(api, 'GET', `/v1/draws/${draw.id}/stats`, brand.token);
      const stocked = stats.prizes[0];
      if ((stocked.remaining ?? 0) < 0 || stocked.won > STOCK) throw new Error('stock oversold');
      return {
        bench: 'draws',
        machine: machineInfo(),
        connections: load.connections,
        durationSec: load.durationSec,
        warmupSec: load.warmupSec,
        poolSize: env.DATABASE_POOL_SIZE,
        siyu: {
          logLevel: SIYU_LOG_LEVEL,
          ...siyu,
          entriesInDb: stats.entries,
          stockedPrize: {
            stock: STOCK,
            won: stocked.won,
            remaining: stocked.remaining,
            outOfStock: stocked.outOfStock,
          },
        },
        bareConditionalUpdate: bare,
        ratio: { rps: ratio(siyu.rps, bare.rps), p99: ratio(siyu.p99Ms, bare.p99Ms) },
        at: new Date().toISOString(),
      };
    } finally {
      if (brandId) await db.query(`DELETE FROM brands WHERE id = $1`, [brandId]).catch(() => undefined);
      await db.end();
      const exit = await api.stop();
      progress(`siyu-api stopped (${exit.signal ?? exit.code}) in ${exit.stopMs} ms`);
    }
  },
};

export default bench;
