import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '../config/environment';
import { dataSourceOptions } from './data-source-options';
import { ensureDatabase } from './ensure-database';

/** Advisory-lock key so two processes starting at once never run migrations together. */
const MIGRATION_LOCK = 7_401_883_221;

export async function runMigrations(
  env: Pick<EnvironmentVariables, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>,
  log: (line: string) => void = () => undefined,
): Promise<string[]> {
  await ensureDatabase(env.DATABASE_URL);
  const ds = new DataSource({ ...dataSourceOptions(env), extra: { max: 1 } } as never);
  await ds.initialize();
  try {
    await ds.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const ran = await ds.runMigrations({ transaction: 'each' });
    for (const m of ran) log(`migrated ${m.name}`);
    await ds.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    return ran.map((m) => m.name);
  } finally {
    await ds.destroy();
  }
}

/**
 * The statements a fresh `migration:generate` would write: empty when the entities and the
 * migrations agree. CI fails when it is not.
 */
export async function pendingSchemaChanges(
  env: Pick<EnvironmentVariables, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>,
): Promise<{ up: string[]; down: string[] }> {
  const ds = new DataSource({ ...dataSourceOptions(env), extra: { max: 1 } } as never);
  await ds.initialize();
  try {
    const sql = await ds.driver.createSchemaBuilder().log();
    return { up: sql.upQueries.map((q) => q.query), down: sql.downQueries.map((q) => q.query) };
  } finally {
    await ds.destroy();
  }
}
