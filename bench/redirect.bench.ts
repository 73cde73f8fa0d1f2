import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import IORedis from 'ioredis';
import { CLICK_GROUP, randomLinkCode } from '@siyu/conversions';
import {
  dataSourceOptions,
  ensureDatabase,
  loadEnvironment,
  readRawEnv,
  redisOptions,
  runMigrations,
} from '@siyu/platform';
import { DataSource } from 'typeorm';
import {
  Bench,
  ChildApp,
  freePort,
  machineInfo,
  numberFlag,
  progress,
  ratio,
  round,
  startDistApp,
  StartOptions,
  stringFlag,
} from './support';

/** autocannon's options as the shared declaration has them; `requests` (per-request setup) is passed through. */
type AutocannonOptions = Parameters<typeof autocannon>[0];

const CODES = 1_000;
const DESTINATION = 'https://shop.example.com/item/';
const BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47';

interface RedirectLoad {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
}

/**
 * Drives `GET /r/<code>` on `baseUrl` with autocannon, cycling through `codes`, each request from
 * a fresh client address (X-Forwarded-For from loopback is trusted), so every click is a new one
 * that the drainer must write. A discarded warm-up first (it also fills the redirect's cache).
 */
async function load(
  baseUrl: string,
  codes: string[],
  o: { connections: number; durationSec: number; warmupSec: number },
  around: { start?: () => void; end?: () => void } = {},
): Promise<RedirectLoad> {
  let i = 0;
  const requests = [
    {
      method: 'GET' as const,
      setupRequest: (req: { path?: string; headers?: Record<string, string> }) => {
        const n = i++;
        req.path = `/r/${codes[n % codes.length]}`;
        req.headers = {
          ...req.headers,
          'user-agent': BROWSER,
          'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
        };
        return req;
      },
    },
  ];
  const base = { url: baseUrl, connections: o.connections, requests };
  // Every code once before the warm-up, so the cache is full even when a loaded machine makes the
  // redirect's Postgres lookups slower than its 300 ms timeout (a 2 s warm-up alone then is not enough).
  await prime(baseUrl, codes);
  if (o.warmupSec > 0) await autocannon({ ...base, duration: o.warmupSec } as unknown as AutocannonOptions);
  around.start?.();
  const r = await autocannon({ ...base, duration: o.durationSec } as unknown as AutocannonOptions);
  around.end?.();
  return {
    rps: round(r.requests.average, 1),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes: Object.fromEntries(
      Object.entries(
        (r as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats,
      ).map(([k, v]) => [k, v.count]),
    ),
  };
}

/** Requests every code once (8 at a time), retrying a code until it redirects, for at most 60 s. */
async function prime(baseUrl: string, codes: string[]): Promise<void> {
  const until = Date.now() + 60_000;
  let next = 0;
  const one = async (code: string, n: number): Promise<void> => {
    for (;;) {
      const res = await fetch(`${baseUrl}/r/${code}`, {
        redirect: 'manual',
        headers: { 'user-agent': BROWSER, 'x-forwarded-for': `10.255.${(n >> 8) & 255}.${n & 255}` },
      }).catch(() => null);
      await res?.arrayBuffer();
      if (res?.status === 302 || Date.now() > until) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < codes.length) {
        const n = next++;
        await one(codes[n], n);
      }
    }),
  );
}

/**
 * Starts `start`, then loads each of `targets` in turn (a label and the base URL it is reached at,
 * from the child's own base URL), so one process can be measured on more than one listener.
 * `meter`, when given, is started and stopped around each measured phase (not the warm-up).
 */
async function measure(
  start: StartOptions,
  codes: string[],
  o: { connections: number; durationSec: number; warmupSec: number },
  targets: Array<[label: string, url: (childBase: string) => string]> = [[start.name, (b) => b]],
  meter?: (app: ChildApp) => CpuMeter,
): Promise<Array<RedirectLoad & { cpu?: Record<string, number> }>> {
  progress(`starting ${start.name}`);
  const app: ChildApp = await startDistApp(start);
  try {
    const out: Array<RedirectLoad & { cpu?: Record<string, number> }> = [];
    for (const [label, url] of targets) {
      progress(`${label}: ${o.warmupSec} s warm-up, then ${o.durationSec} s at ${o.connections} connections`);
      const m = meter?.(app);
      const s = await load(url(app.baseUrl), codes, o, { start: () => m?.start(), end: () => m?.end() });
      progress(`${label}: ${s.rps} req/s, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms`);
      out.push(m ? { ...s, cpu: m.perKiloRequests(s.requests) } : s);
    }
    return out;
  } finally {
    await app.stop();
  }
}

/** A process's CPU time so far (user + system), in clock ticks, from /proc; 0 once it is gone. */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime, stime (fields 14 and 15 of stat)
  } catch {
    return 0;
  }
}

/** Pids whose command line starts with `prefix` (Postgres backends show `postgres: user db …`). */
function pidsByCommand(match: (cmd: string) => boolean): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      if (match(readFileSync(`/proc/${d}/cmdline`, 'utf8'))) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds spent by groups of processes between `start` and `end` (a backend that exits in
 * between loses its share): where the two cores went during the measured run, per 1,000 requests.
 */
class CpuMeter {
  private readonly before = new Map<number, number>();
  private readonly spent: Record<string, number> = {};
  private groups: Record<string, number[]> = {};

  constructor(
    private readonly pids: () => Record<string, number[]>,
    private readonly onStart?: () => void,
  ) {}

  start(): void {
    this.onStart?.();
    this.groups = this.pids();
    for (const pids of Object.values(this.groups)) for (const p of pids) this.before.set(p, cpuTicks(p));
  }

  end(): void {
    // Processes that appeared meanwhile (a pool's new connection) count from their start.
    const now = this.pids();
    for (const [name, pids] of Object.entries(this.groups)) {
      const all = new Set([...pids, ...(now[name] ?? [])]);
      let ticks = 0;
      for (const p of all) ticks += Math.max(0, cpuTicks(p) - (this.before.get(p) ?? 0));
      this.spent[name] = ticks;
    }
  }

  /** CPU ms per 1,000 requests, per group (clock ticks are 10 ms). */
  perKiloRequests(requests: number): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this.spent).map(([k, ticks]) => [
        k,
        round((ticks * 10 * 1000) / Math.max(1, requests), 1),
      ]),
    );
  }
}

/** A brand, its allowlist and CODES links, written straight to the bench database. */
async function seed(ds: DataSource, codes: string[]): Promise<void> {
  const [{ id: brandId }] = await ds.query(
    `INSERT INTO brands (name) VALUES ('redirect bench') RETURNING id`,
  );
  await ds.query(
    `INSERT INTO conversion_settings (brand_id, allowed_domains) VALUES ($1, '{shop.example.com}')`,
    [brandId],
  );
  await ds.query(
    `WITH l AS (
       INSERT INTO tracked_links (brand_id, code, destination, utm)
       SELECT $1, c, $3 || n, '{"source":"wecom","medium":"group"}'::jsonb
         FROM unnest($2::text[]) WITH ORDINALITY AS x(c, n)
       RETURNING id, brand_id, code)
     INSERT INTO link_codes (code, brand_id, link_id) SELECT code, brand_id, id FROM l`,
    [brandId, codes, DESTINATION],
  );
}

/**
 * `GET /r/:code` on the real API (click logging on: every request is a human click from a new
 * address, buffered, streamed through Redis and drained into link_clicks by a worker running
 * beside it) against a bare Fastify handler redirecting from an in-memory map, same autocannon
 * settings, same run. Reports the ratio, the p99, and how many clicks reached Postgres.
 */
const bench: Bench = {
  description: 'req/s and p99 of GET /r/:code (click logging on) vs a bare Fastify redirect handler',
  async run(args) {
    const o = {
      connections: numberFlag(args, 'connections', 64),
      durationSec: numberFlag(args, 'duration', 10),
      warmupSec: 2,
    };
    const profileDir = stringFlag(args, 'cpu-prof');
    const apiPortToo = args.includes('--api-port-too');
    const drainAfter = args.includes('--drain-after');
    const env = loadEnvironment();
    await ensureDatabase(env.DATABASE_URL);
    progress('running migrations');
    await runMigrations(env, (line) => progress(line));
    const ds = await new DataSource(dataSourceOptions(env)).initialize();
    const redis = new IORedis(redisOptions(env.REDIS_URL));
    const stream = `${env.QUEUE_PREFIX}:link-clicks`;
    try {
      const codes = Array.from({ length: CODES }, () => randomLinkCode());
      await seed(ds, codes);
      const clicksBefore = await clickCount(ds);

      const dbName = new URL(env.DATABASE_URL).pathname.slice(1);
      const pgBackends = () =>
        pidsByCommand((cmd) => cmd.startsWith('postgres: ') && cmd.includes(` postgres ${dbName} `));
      const redisServer = () => pidsByCommand((cmd) => cmd.startsWith('redis-server'));
      const [bare] = await measure(
        {
          name: 'bare-fastify',
          script: 'bench/redirect.bench.js',
          env: { REDIRECT_BARE: codes.join(',') },
          healthPath: '/health',
        },
        codes,
        o,
        undefined,
        (app) => new CpuMeter(() => ({ server: [app.pid], loadGenerator: [process.pid] })),
      );
      const startWorker = () => {
        progress('starting the worker (click drainer)');
        return startDistApp({
          name: 'siyu-worker',
          script: 'apps/worker/src/main.js',
          env: { LOG_LEVEL: 'warn', CLICK_DRAIN_INTERVAL_MS: '250' },
          ready: async () => ((await redis.xinfo('GROUPS', stream).catch(() => [])) as unknown[]).length > 0,
        });
      };
      // --drain-after: the API still records every click and sends it to the Redis stream under load,
      // but the worker writing them to Postgres starts when the load stops (as when the worker and
      // Postgres run on other machines than the API), and the drain is timed then.
      let worker: ChildApp | null = drainAfter ? null : await startWorker();
      let siyu: RedirectLoad;
      let apiPort: RedirectLoad | null = null;
      let drained: {
        clicks: number;
        backlogAtEnd: number;
        drainSec: number;
        drainCpuMs: Record<string, Record<string, number>>;
      };
      const uptimeDuring: number[] = [];
      const redirectPort = await freePort();
      // The drain's whole cost (worker and its Postgres backends): from the listener's measured
      // window until the backlog is written (a drain that falls behind under load finishes after
      // the window), per 1,000 requests of the window; with --drain-after, from the worker's first
      // drain to the last, per 1,000 clicks.
      const drainMeter = new CpuMeter(() => ({
        worker: worker ? [worker.pid] : [],
        postgres: pgBackends(),
        redis: redisServer(),
      }));
      let drainMetered = false;
      try {
        const sampler = setInterval(() => uptimeDuring.push(loadAvg()), 2_000);
        // The headline is the redirect's own listener (REDIRECT_PORT); --api-port-too also loads
        // the same route on the API's port (Nest's adapter, hooks and middleware), for comparison.
        const targets: Array<[string, (b: string) => string]> = [
          ['siyu-redirect-listener', () => `http://127.0.0.1:${redirectPort}`],
        ];
        if (apiPortToo) targets.push(['siyu-api-port', (b) => b]);
        [siyu, apiPort = null] = await measure(
          {
            name: 'siyu-api',
            script: 'apps/api/src/main.js',
            env: { LOG_LEVEL: 'warn', REDIRECT_PORT: String(redirectPort) },
            // --cpu-prof <dir>: a V8 CPU profile of the API under load, for finding where it spends.
            nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
          },
          codes,
          o,
          targets,
          (app) =>
            new CpuMeter(
              () => ({
                api: [app.pid],
                worker: worker ? [worker.pid] : [],
                postgres: pgBackends(),
                redis: redisServer(),
                loadGenerator: [process.pid],
              }),
              () => {
                if (!drainAfter && !drainMetered) drainMeter.start();
                drainMetered = true;
              },
            ),
        ).finally(() => clearInterval(sampler));
        const backlogAtEnd = await redis.xlen(stream).catch(() => -1);
        // With --drain-after the worker is ready when its first drain has re-made the consumer group
        // (dropping the group loses nothing: its entries stay in the stream and are read from 0), so
        // the worker's start-up is not counted in the drain's CPU.
        if (!worker) await redis.xgroup('DESTROY', stream, CLICK_GROUP).catch(() => 0);
        worker ??= await startWorker();
        if (drainAfter) drainMeter.start();
        const t0 = Date.now();
        while ((await redis.xlen(stream)) > 0 && Date.now() - t0 < 120_000)
          await new Promise((r) => setTimeout(r, 100));
        drainMeter.end();
        const clicks = (await clickCount(ds)) - clicksBefore;
        drained = {
          clicks,
          backlogAtEnd,
          drainSec: round((Date.now() - t0) / 1000, 1),
          drainCpuMs: drainAfter
            ? { per1kClicks: drainMeter.perKiloRequests(clicks) }
            : { per1kRequests: drainMeter.perKiloRequests(siyu.requests) },
        };
      } finally {
        await worker?.stop();
      }
      return {
        bench: 'redirect',
        machine: machineInfo(),
        loadAvg1m: { during: uptimeDuring, atEnd: loadAvg() },
        connections: o.connections,
        durationSec: o.durationSec,
        warmupSec: o.warmupSec,
        codes: CODES,
        siyu: { listener: 'REDIRECT_PORT', ...siyu },
        ...(apiPort ? { siyuApiPort: apiPort, ratioApiPort: ratio(apiPort.rps, bare.rps) } : {}),
        bare,
        ratio: { rps: ratio(siyu.rps, bare.rps), p99: ratio(siyu.p99Ms, bare.p99Ms) },
        clickLogging: { workerDuringLoad: !drainAfter, ...drained },
        target: { rpsRatio: 0.5, p99Ms: 20, met: siyu.rps / bare.rps >= 0.5 && siyu.p99Ms <= 20 },
        at: new Date().toISOString(),
      };
    } finally {
      redis.disconnect();
      await ds.destroy();
    }
  },
};

async function clickCount(ds: DataSource): Promise<number> {
  const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM link_clicks`);
  return n;
}

/**
 * The baseline, run as a child from dist/ when REDIRECT_BARE holds the codes: Fastify with no
 * plugins and no logger, one route that 302s from an in-memory map (404 otherwise).
 */
async function bareRedirect(codes: string[]): Promise<void> {
  const targets = new Map(
    codes.map((c, n) => [c, `${DESTINATION}${n + 1}?utm_source=wecom&utm_medium=group`]),
  );
  const app = Fastify({ logger: false });
  app.get('/health', async () => ({ ok: true }));
  app.get<{ Params: { code: string } }>('/r/:code', (req, reply) => {
    const url = targets.get(req.params.code);
    if (!url) return reply.code(404).send('not found');
    return reply.code(302).header('location', url).send();
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.once(signal, () => void app.close().then(() => process.exit(0)));
  await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
}

const bareCodes = readRawEnv('REDIRECT_BARE');
if (require.main === module && bareCodes) {
  bareRedirect(bareCodes.split(',')).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}

export default bench;

/** The 1-minute load average, rounded (what `uptime` shows first). */
function loadAvg(): number {
  return round(loadavg()[0], 2);
}
