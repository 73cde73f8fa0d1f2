import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadEnvironment, runMigrations } from '@siyu/platform';
import { Client } from 'pg';
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
  stringFlag,
} from './support';

const SIYU_LOG_LEVEL = 'warn';

/** One order of the generated stream: deterministic from its index, so the bare run gets the same rows. */
function orderAt(i: number, members: number, couponEvery: number) {
  // A fifth of the customers are not members: their orders are kept unmatched.
  const customer = i % Math.round(members * 1.25);
  const amount = 1_000 + ((i * 7_919) % 59_000);
  const day = i % 600; // 2025-01-01 to 2026-08: all in the past
  const placed = new Date(Date.UTC(2025, 0, 1) + day * 86_400_000 + (i % 86_400) * 1000);
  return {
    externalId: `B-${i}`,
    identities: { storeCustomerId: `bench-c-${customer}` },
    amountMinor: String(amount),
    currency: 'CNY',
    status: 'paid',
    placedAt: placed.toISOString(),
    items: [
      {
        sku: `SKU-${i % 500}`,
        quantity: 1 + (i % 3),
        unitPriceMinor: String(Math.floor(amount / (1 + (i % 3)))),
      },
    ],
    ...(couponEvery > 0 && i % couponEvery === 0 ? { couponCodes: [`BENCH-${i % 1000}`] } : {}),
    ...(i % 4 === 0 ? { linkCode: `lk${i % 10_000}` } : {}),
  };
}

function batchAt(b: number, size: number, total: number, members: number, couponEvery: number) {
  const from = b * size;
  const to = Math.min(total, from + size);
  return Array.from({ length: to - from }, (_, k) => orderAt(from + k, members, couponEvery));
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs `work(b)` for batches 0..n-1 with `concurrency` workers pulling the next batch. */
async function drive(n: number, concurrency: number, work: (b: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let b = next++; b < n; b = next++) await work(b);
    }),
  );
  return performance.now() - started;
}

/** CPU time (user + system) a process has used so far, in ms; null when it is gone or /proc is not there. */
function cpuMsOf(pid: number): number | null {
  try {
    // /proc/<pid>/stat: the fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = 100;

/**
 * CPU time the API process and its Postgres backends spent during the run (Linux /proc): less
 * sensitive to what else the machine runs than orders/s, so runs at different loads compare.
 * Backends are counted from when the sampler first sees them (every 100 ms) to the end, or to
 * their last sighting when the pool closed them (the API's pool opens and closes connections
 * during a run).
 */
function cpuAccount(apiPid: number) {
  const api0 = cpuMsOf(apiPid);
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  return {
    saw(pids: number[]) {
      for (const pid of pids) {
        const ms = cpuMsOf(pid);
        if (ms === null) continue;
        if (!first.has(pid)) first.set(pid, ms);
        last.set(pid, ms);
      }
    },
    stop(orders: number) {
      const api1 = cpuMsOf(apiPid);
      const apiMs = api0 === null || api1 === null ? null : api1 - api0;
      let postgresMs = 0;
      // A backend the pool closed during the run counts up to its last sighting.
      for (const [pid, ms] of first) postgresMs += (cpuMsOf(pid) ?? last.get(pid) ?? ms) - ms;
      const perThousand = (ms: number | null) => (ms === null ? null : round((ms * 1000) / orders, 1));
      return {
        apiMs: apiMs === null ? null : Math.round(apiMs),
        postgresMs: Math.round(postgresMs),
        backends: first.size,
        perThousandOrdersMs: {
          api: perThousand(apiMs),
          postgres: perThousand(postgresMs),
          total: perThousand(apiMs === null ? null : apiMs + postgresMs),
        },
      };
    },
  };
}

/**
 * Samples pg_stat_activity for the API's connections every 100 ms: how often they were running a
 * statement, idle inside a transaction (waiting on Node) or waiting on a lock.
 */
function samplePostgres(
  db: Client,
  onBackends: (pids: number[]) => void,
): { stop: () => Promise<Record<string, unknown>> } {
  const totals: Record<string, number> = { samples: 0, active: 0, idleInTransaction: 0, lockWaits: 0 };
  // What the active connections were running: a poor man's profile of the Postgres side.
  const statements = new Map<string, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await db.query<{ pid: number; state: string; wait: string | null; query: string }>(
        `SELECT pid, state, wait_event_type AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 90) AS query
           FROM pg_stat_activity WHERE application_name = 'siyu' AND datname = current_database() AND pid <> pg_backend_pid()`,
      );
      totals.samples++;
      onBackends(rows.map((r) => r.pid));
      for (const r of rows) {
        if (r.state === 'active') {
          totals.active++;
          statements.set(r.query, (statements.get(r.query) ?? 0) + 1);
        }
        if (r.state === 'idle in transaction') totals.idleInTransaction++;
        if (r.wait === 'Lock') totals.lockWaits++;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      const per = (k: string) => round(totals[k] / Math.max(1, totals.samples), 2);
      return {
        samples: totals.samples,
        avgActive: per('active'),
        avgIdleInTransaction: per('idleInTransaction'),
        avgLockWaits: per('lockWaits'),
        topActive: [...statements.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 12)
          .map(([query, n]) => ({ query, pct: round((n * 100) / Math.max(1, totals.active), 1) })),
      };
    },
  };
}

/** The tables whose growth changes the plans of a delivery's reads (orders by id, by key, items by order). */
const ANALYZED_TABLES = 'orders, order_items';

/**
 * autovacuum is off on the shared bench server, so nothing re-analyses the tables while a million
 * orders go in, and plans made for an empty orders table go on reading it whole. This stands in for
 * autovacuum's analyse with its default threshold (50 rows + 10 % of the table since the last one):
 * an ANALYZE of the tables whose statistics the delivery's plans read, from the bench's own connection, one at a time, never waited for
 * by a delivery. Its count and time are reported.
 */
function autoAnalyze(url: string) {
  const db = new Client({ connectionString: url });
  const ready = db.connect();
  let next = 50;
  let running: Promise<void> | null = null;
  let runs = 0;
  let ms = 0;
  return {
    recorded(done: number) {
      if (done < next || running) return;
      next = Math.round(done * 1.1) + 50;
      running = (async () => {
        await ready;
        const t0 = performance.now();
        await db.query(`ANALYZE ${ANALYZED_TABLES}`);
        ms += performance.now() - t0;
        runs++;
      })().finally(() => {
        running = null;
      });
    },
    async stop(): Promise<{ runs: number; totalMs: number }> {
      await running;
      await ready;
      await db.end();
      return { runs, totalMs: Math.round(ms) };
    },
  };
}

/** A fresh brand through the CLI and its owner's token. */
async function freshBrand(api: ChildApp): Promise<{ brandId: string; token: string }> {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const email = `bench-${suffix}@bench.siyu.test`;
  const password = `bench-${suffix}-password`;
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(DIST_ROOT, 'apps/cli/src/main.js'),
    'brand:create',
    '--name',
    `Orders ingest bench ${suffix}`,
    '--owner-email',
    email,
    '--password',
    password,
  ]);
  const line = stdout.split('\n').find((l) => l.startsWith('{"brandId"'));
  if (!line) throw new Error(`brand:create printed no brand: ${stdout}`);
  const { brandId } = JSON.parse(line) as { brandId: string };
  const res = await fetch(`${api.baseUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const { accessToken } = (await res.json()) as { accessToken: string };
  return { brandId, token: accessToken };
}

/** Members with store customer ids `bench-c-<n>`, in SQL (setup, not what is measured). */
async function seedMembers(db: Client, brandId: string, members: number): Promise<void> {
  await db.query(
    `WITH m AS (
       INSERT INTO members (brand_id, source_channel, joined_at, nickname)
       SELECT $1, 'import', now() - (g % 900) * interval '1 day', 'bench ' || g FROM generate_series(0, $2 - 1) g
       RETURNING id, nickname)
     INSERT INTO member_identities (brand_id, member_id, kind, value)
     SELECT $1, m.id, 'store_customer_id', 'bench-c-' || substr(m.nickname, 7) FROM m`,
    [brandId, members],
  );
  await db.query(`ANALYZE members; ANALYZE member_identities`);
}

/**
 * The bare baseline: the same batches as JSON, inserted with one INSERT … SELECT FROM
 * jsonb_to_recordset per batch into an orders-shaped table (unique key, no members, no hooks), at
 * the same concurrency.
 */
async function bareInsert(
  url: string,
  batches: number,
  size: number,
  total: number,
  members: number,
  concurrency: number,
  couponEvery: number,
) {
  const clients = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = new Client({ connectionString: url });
      await c.connect();
      return c;
    }),
  );
  try {
    await clients[0].query(`DROP TABLE IF EXISTS bench_bare_orders`);
    await clients[0].query(
      `CREATE UNLOGGED TABLE bench_bare_orders (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), source text NOT NULL,
         external_id text NOT NULL, customer text, amount_minor bigint NOT NULL, currency char(3) NOT NULL, status text NOT NULL,
         placed_at timestamptz NOT NULL, coupon_codes text[], link_code text, items jsonb,
         UNIQUE (source, external_id))`,
    );
    let free = [...clients];
    const ms = await drive(batches, concurrency, async (b) => {
      const c = free.pop() as Client;
      try {
        await c.query(
          `INSERT INTO bench_bare_orders (source, external_id, customer, amount_minor, currency, status, placed_at, coupon_codes, link_code, items)
           SELECT 'webhook', r."externalId", r.identities->>'storeCustomerId', r."amountMinor", r.currency, r.status, r."placedAt",
                  ARRAY(SELECT jsonb_array_elements_text(COALESCE(r."couponCodes", '[]'))), r."linkCode", r.items
             FROM jsonb_to_recordset($1::jsonb) AS r("externalId" text, identities jsonb, "amountMinor" bigint, currency text,
                  status text, "placedAt" timestamptz, "couponCodes" jsonb, "linkCode" text, items jsonb)
           ON CONFLICT (source, external_id) DO NOTHING`,
          [JSON.stringify(batchAt(b, size, total, members, couponEvery))],
        );
      } finally {
        free.push(c);
      }
    });
    const [{ n }] = (await clients[0].query(`SELECT count(*)::int AS n FROM bench_bare_orders`)).rows;
    if (n !== total) throw new Error(`bare insert wrote ${n} rows, expected ${total}`);
    await clients[0].query(`DROP TABLE bench_bare_orders`);
    free = [];
    return { ordersPerSec: round((total * 1000) / ms, 0), totalMs: Math.round(ms) };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

/**
 * 1,000,000 orders through the signed generic webhook (`POST /v1/webhooks/orders/:sourceId`, up to
 * 1,000 orders per delivery, HMAC-signed), each delivery recorded by commerce's OrdersService with
 * its full path (identity matching, member aggregates, repurchase flags, timeline, the hooks
 * registered in the API: tiers, coupons, …), beside a bare INSERT of the same rows in the same run.
 */
const bench: Bench = {
  description: 'orders/s through the signed generic order webhook (full commerce recording) vs a bare INSERT',
  async run(args) {
    const total = numberFlag(args, 'orders', 1_000_000);
    const size = numberFlag(args, 'batch', 1_000);
    const concurrency = numberFlag(args, 'concurrency', 4);
    const members = numberFlag(args, 'members', 200_000);
    // One order in N carries a coupon code that no coupon has (--no-coupons: none).
    const couponEvery = args.includes('--no-coupons') ? 0 : numberFlag(args, 'coupon-every', 20);
    const batches = Math.ceil(total / size);
    const env = loadEnvironment();
    progress('running migrations');
    await runMigrations(env, (line) => progress(line));
    const loadBefore = loadavg().map((l) => round(l, 2));

    progress(`bare INSERT of ${total} orders (${batches} batches of ${size}, ${concurrency} at a time)`);
    const bare = await bareInsert(env.DATABASE_URL, batches, size, total, members, concurrency, couponEvery);
    progress(`bare: ${bare.ordersPerSec} orders/s`);

    let api: ChildApp | undefined;
    let brandId: string | undefined;
    const db = new Client({ connectionString: env.DATABASE_URL });
    await db.connect();
    try {
      progress('starting the Siyu API');
      // --cpu-prof-dir <dir>: a V8 CPU profile of the API process, written when it stops.
      const profileDir = stringFlag(args, 'cpu-prof-dir');
      api = await startDistApp({
        name: 'siyu-api',
        script: 'apps/api/src/main.js',
        env: { LOG_LEVEL: SIYU_LOG_LEVEL },
        nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      });
      const brand = await freshBrand(api);
      brandId = brand.brandId;
      progress(`seeding ${members} members`);
      await seedMembers(db, brandId, members);
      const res = await fetch(`${api.baseUrl}/v1/order-sources`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${brand.token}` },
        body: JSON.stringify({ kind: 'generic', name: 'bench', slug: 'webhook' }),
      });
      const source = (await res.json()) as { id: string; secret: string };
      const url = `${api.baseUrl}/v1/webhooks/orders/${source.id}`;

      progress(`Siyu: ${total} orders through the webhook`);
      const analyzer = autoAnalyze(env.DATABASE_URL);
      const sampler = new Client({ connectionString: env.DATABASE_URL });
      await sampler.connect();
      const cpu = cpuAccount(api.pid);
      const pg = samplePostgres(sampler, (pids) => cpu.saw(pids));
      const latencies: number[] = [];
      let created = 0;
      let done = 0;
      const ms = await drive(batches, concurrency, async (b) => {
        const body = JSON.stringify({ orders: batchAt(b, size, total, members, couponEvery) });
        const ts = String(Math.floor(Date.now() / 1000));
        const sig = createHmac('sha256', source.secret).update(`${ts}.${body}`).digest('hex');
        const t0 = performance.now();
        const r = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-siyu-timestamp': ts,
            'x-siyu-signature': `sha256=${sig}`,
            'x-siyu-delivery': `bench-${b}`,
          },
          body,
        });
        const text = await r.text();
        latencies.push(performance.now() - t0);
        if (r.status !== 200) throw new Error(`delivery ${b} -> ${r.status}: ${text.slice(0, 500)}`);
        const out = JSON.parse(text) as { orders: Array<{ outcome: string }> };
        created += out.orders.filter((o) => o.outcome === 'created').length;
        done += out.orders.length;
        if (b % 50 === 0) progress(`${done} orders recorded`);
        analyzer.recorded(done);
      });
      const analyzed = await analyzer.stop();
      const loadAfter = loadavg().map((l) => round(l, 2));
      const postgres = await pg.stop();
      const cpuUsed = cpu.stop(total);
      await sampler.end();
      const ordersPerSec = round((total * 1000) / ms, 0);
      progress(`Siyu: ${ordersPerSec} orders/s`);
      const [counts] = (
        await db.query(
          `SELECT count(*)::int AS orders, count(*) FILTER (WHERE member_id IS NULL)::int AS unmatched,
                  count(*) FILTER (WHERE is_repurchase)::int AS repurchases
             FROM orders WHERE brand_id = $1`,
          [brandId],
        )
      ).rows;
      if (counts.orders !== total || created !== total)
        throw new Error(`recorded ${counts.orders} (created ${created}), expected ${total}`);
      latencies.sort((a, b) => a - b);
      return {
        bench: 'orders-ingest',
        machine: machineInfo(),
        load: { before: loadBefore, after: loadAfter },
        orders: total,
        batch: size,
        concurrency,
        members,
        couponEvery,
        siyu: {
          logLevel: SIYU_LOG_LEVEL,
          path: 'POST /v1/webhooks/orders/:sourceId (signed) → OrdersService.recordBatch',
          ordersPerSec,
          totalMs: Math.round(ms),
          deliveryP50Ms: Math.round(percentile(latencies, 50)),
          deliveryP99Ms: Math.round(percentile(latencies, 99)),
          ...counts,
        },
        postgresSampled: postgres,
        cpu: cpuUsed,
        autoAnalyze: analyzed,
        bareInsert: bare,
        ratio: { siyuToBare: ratio(ordersPerSec, bare.ordersPerSec) },
        targetOrdersPerSec: 5_000,
        targetMet: ordersPerSec >= 5_000,
        at: new Date().toISOString(),
      };
    } finally {
      if (api) {
        const exit = await api.stop(60_000);
        progress(`${api.name} stopped (${exit.signal ?? exit.code}) in ${exit.stopMs} ms`);
      }
      if (brandId && !args.includes('--keep')) {
        progress(`deleting the bench brand ${brandId} (--keep to keep it)`);
        await db.query(`DELETE FROM brands WHERE id = $1`, [brandId]);
        await db.query(
          `VACUUM (ANALYZE) orders, order_items, order_identity_claims, members, member_identities, member_events`,
        );
      }
      await db.end();
    }
  },
};

export default bench;
