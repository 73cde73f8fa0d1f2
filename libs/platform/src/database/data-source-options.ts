import { join } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { EnvironmentVariables } from '../config/environment';
import { SnakeNamingStrategy } from './snake-naming.strategy';

/** Where the compiled entities and migrations live, relative to this file in dist/. */
const root = join(__dirname, '..', '..', '..', '..');

/**
 * The one set of data-source options, used by the Nest app, the worker, the CLI and the
 * migration commands alike. Entities are discovered by file name so every lib contributes its own.
 */
export function dataSourceOptions(
  env: Pick<EnvironmentVariables, 'DATABASE_URL' | 'DATABASE_POOL_SIZE'>,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: env.DATABASE_URL,
    synchronize: false,
    migrationsRun: false,
    namingStrategy: new SnakeNamingStrategy(),
    entities: [join(root, 'libs', '*', 'src', '**', '*.entity.{js,ts}')],
    migrations: [join(root, 'migrations', '*.{js,ts}')],
    migrationsTableName: 'typeorm_migrations',
    extra: { max: env.DATABASE_POOL_SIZE, application_name: 'siyu' },
    uuidExtension: 'pgcrypto',
  } as DataSourceOptions;
}
