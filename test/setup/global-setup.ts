import { randomBytes } from 'node:crypto';
import { runMigrations } from '../../libs/platform/src/database/migrator';
import { dbUrl, templateName, withAdmin } from './test-databases';

/**
 * Once per jest run: a template database with every migration applied. Each jest worker then
 * clones it (CREATE DATABASE … TEMPLATE …) in milliseconds instead of migrating again.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.SIYU_TEST_RUN) return; // the second project's setup in the same run
  const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  process.env.SIYU_TEST_RUN = run;
  await withAdmin(async (c) => {
    // Clear databases left by runs that were killed before their teardown (older than an hour).
    const stale = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE 'siyu\\_t\\_%'`,
    );
    const cutoff = Date.now() - 3_600_000;
    for (const { datname } of stale.rows) {
      const born = parseInt(datname.split('_')[2]?.slice(0, -4) ?? '', 36);
      if (Number.isFinite(born) && born < cutoff)
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
  await runMigrations({ DATABASE_URL: dbUrl(templateName(run)), DATABASE_POOL_SIZE: 1 });
}
