import { templateName, withAdmin, workerDbName } from './test-databases';

beforeAll(async () => {
  const run = process.env.SIYU_TEST_RUN ?? 'adhoc';
  const name = workerDbName(run, process.env.JEST_WORKER_ID ?? '1');
  await withAdmin(async (c) => {
    const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount) return;
    await c
      .query(`CREATE DATABASE "${name}" TEMPLATE "${templateName(run)}"`)
      .catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err;
      });
  });
});
