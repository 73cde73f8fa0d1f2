import { loadEnvironment } from '../config/app-config';
import { runMigrations } from './migrator';

/** `npm run migrate`: creates the database if needed and applies pending migrations. */
runMigrations(loadEnvironment(), (line) => console.log(line))
  .then((ran) =>
    console.log(ran.length === 0 ? 'migrations: up to date' : `migrations: applied ${ran.length}`),
  )
  .catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
