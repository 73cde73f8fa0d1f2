import { loadavg } from 'node:os';
import autocannon from 'autocannon';
import Fastify from 'fastify';
import IORedis from 'ioredis';
import { randomLinkCode } from '@siyu/conversions';
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
  if (o.warmupSec > 0) await autocannon({ ...base, duration: o.warmupSec } as unknown as AutocannonOptions);
  const r = await autocannon({ ...base, duration: o.durationSec } as unknown as AutocannonOptions);
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

/**
 * Starts `start`, then loads each of `targets` in turn (a label and the base URL it is reached at,
 * from the child's own base URL), so one process can be measured on more than one listener.
 */
async function measure(
  start: StartOptions,
  codes: string[],
  o: { connections: number; durationSec: number; warmupSec: number },
  targets: Array<[label: string, url: (childBase: string) => string]> = [[start.name, (b) => b]],
): Promise<RedirectLoad[]> {
  progress(`starting ${start.name}`);
  const app: ChildApp = await startDistApp(start);
  try {
    const out: RedirectLoad[] = [];
    for (const [label, url] of targets) {
      progress(`${label}: ${o.warmupSec} s warm-up, then ${o.durationSec} s at ${o.connections} connections`);
      const s = await load(url(app.baseUrl), codes, o);
      progress(`${label}: ${s.rps} req/s, p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms`);
      out.push(s);
    }
    return out;
  } finally {
    await app.stop();
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

      const [bare] = await measure(
        {
          name: 'bare-fastify',
          script: 'bench/redirect.bench.js',
          env: { REDIRECT_BARE: codes.join(',') },
          healthPath: '/health',
        },
        codes,
        o,
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
      let drained: { clicks: number; backlogAtEnd: number; drainSec: number };
      const uptimeDuring: number[] = [];
      const redirectPort = await freePort();
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
        ).finally(() => clearInterval(sampler));
        const backlogAtEnd = await redis.xlen(stream).catch(() => -1);
        worker ??= await startWorker();
        const t0 = Date.now();
        while ((await redis.xlen(stream)) > 0 && Date.now() - t0 < 120_000)
          await new Promise((r) => setTimeout(r, 250));
        drained = {
          clicks: (await clickCount(ds)) - clicksBefore,
          backlogAtEnd,
          drainSec: round((Date.now() - t0) / 1000, 1),
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
