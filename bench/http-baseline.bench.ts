import { loadEnvironment, runMigrations } from '@siyu/platform';
import {
  Bench,
  ChildApp,
  LoadOptions,
  LoadSummary,
  machineInfo,
  numberFlag,
  progress,
  ratio,
  runLoad,
  startDistApp,
  StartOptions,
} from './support';

const SIYU_LOG_LEVEL = 'warn';

/** Starts a server, loads its /health, always stops it. */
async function measure(start: StartOptions, load: Omit<LoadOptions, 'url'>): Promise<LoadSummary> {
  progress(`starting ${start.name}`);
  const app: ChildApp = await startDistApp(start);
  try {
    progress(
      `${start.name}: ${load.warmupSec} s warm-up, then ${load.durationSec} s at ${load.connections} connections`,
    );
    const summary = await runLoad({ ...load, url: `${app.baseUrl}/health` });
    progress(`${start.name}: ${summary.rps} req/s, p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms`);
    return summary;
  } finally {
    const exit = await app.stop();
    progress(`${start.name} stopped (${exit.signal ?? exit.code}) in ${exit.stopMs} ms`);
  }
}

/**
 * `GET /health` on the real Siyu API (Postgres + Redis ping per request) against a bare Fastify
 * hello-world, both out-of-process and driven by the same autocannon settings in the same run.
 */
const bench: Bench = {
  description: 'req/s and p50/p99 of GET /health on the Siyu API vs a bare Fastify hello-world',
  async run(args) {
    const load = {
      connections: numberFlag(args, 'connections', 64),
      durationSec: numberFlag(args, 'duration', 10),
      warmupSec: 2,
    };
    progress('running migrations');
    await runMigrations(loadEnvironment(), (line) => progress(line));

    const bareFastify = await measure(
      { name: 'bare-fastify', script: 'bench/support/bare-fastify.js' },
      load,
    );
    const siyu = await measure(
      { name: 'siyu-api', script: 'apps/api/src/main.js', env: { LOG_LEVEL: SIYU_LOG_LEVEL } },
      load,
    );
    return {
      bench: 'http-baseline',
      machine: machineInfo(),
      connections: load.connections,
      durationSec: load.durationSec,
      warmupSec: load.warmupSec,
      siyu: { logLevel: SIYU_LOG_LEVEL, ...siyu },
      bareFastify,
      ratio: { rps: ratio(siyu.rps, bareFastify.rps), p99: ratio(siyu.p99Ms, bareFastify.p99Ms) },
      at: new Date().toISOString(),
    };
  },
};

export default bench;
