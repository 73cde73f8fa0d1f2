import { SimClient } from '../../apps/wecom-sim/src/testing/sim-client';
import { freePort, spawnApp, Spawned, waitFor } from './processes';

export interface SimProcess {
  url: string;
  client: SimClient;
  process: Spawned;
  stop: () => Promise<number | null>;
}

/**
 * Starts the built wecom-sim (dist/apps/wecom-sim/src/main.js) as a real child process on a free
 * loopback port and waits for its /health. Tests drive it through SimClient and /_sim routes.
 */
export async function startSimProcess(): Promise<SimProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnApp('wecom-sim', { WECOM_BASE_URL: url });
  await waitFor(
    async () => ((await fetch(`${url}/health`).catch(() => undefined))?.ok ? true : undefined),
    30_000,
    `wecom-sim on ${url} (output: ${proc.output()})`,
  );
  return { url, client: new SimClient(url), process: proc, stop: () => proc.stop() };
}
