import type { Type } from '@nestjs/common';
import type { TestApp } from '../harness';
import { SimProcess, startSimProcess } from './wecom-sim';

/**
 * Starts wecom-sim as a child process, then the whole API in-process with WECOM_BASE_URL and
 * WECHAT_BASE_URL pointing at it, so the app's own WeCom calls reach the simulator.
 *
 * Configuration is read and validated once, when the platform module is first imported. A spec
 * using this helper must therefore import nothing that loads `@siyu/*` (or the harness, or the
 * factories) before it runs: type imports are fine, values come from `await import(...)` after.
 * `modules` loads the extra modules (e.g. worker modules) the same way.
 */
export async function startAppWithSim(
  modules: () => Promise<Type<unknown>[]> = async () => [],
): Promise<{ sim: SimProcess; t: TestApp }> {
  const sim = await startSimProcess();
  // Jest gives each test file its own process.env, so this reaches no other file.
  process.env.WECOM_BASE_URL = sim.url;
  process.env.WECHAT_BASE_URL = sim.url;
  const { createTestApp } = await import('../harness');
  const { AppConfig } = await import('@siyu/platform');
  const t = await createTestApp(...(await modules()));
  if (t.app.get(AppConfig).get('WECOM_BASE_URL') !== sim.url) {
    await t.close();
    await sim.stop();
    throw new Error(
      'the platform config was loaded before startAppWithSim: import @siyu/* lazily in this spec',
    );
  }
  return { sim, t };
}
