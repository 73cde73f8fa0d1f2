import 'reflect-metadata';
import { loadEnvironment } from '@siyu/platform';
import { startSim } from './sim-app';

/** Listens on WECOM_BASE_URL's host and port (default http://127.0.0.1:3900). */
async function main(): Promise<void> {
  const url = new URL(loadEnvironment().WECOM_BASE_URL);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  const sim = await startSim({ host: url.hostname.replace(/^\[|\]$/g, ''), port });
  sim.app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  console.log(`wecom-sim listening on ${sim.url}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
