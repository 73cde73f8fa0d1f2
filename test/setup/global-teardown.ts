import { withAdmin } from './test-databases';

export default async function globalTeardown(): Promise<void> {
  const run = process.env.SIYU_TEST_RUN;
  if (!run || process.env.SIYU_TEST_TORN_DOWN) return;
  process.env.SIYU_TEST_TORN_DOWN = '1';
  await withAdmin(async (c) => {
    const rows = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `siyu_t_${run}_%`,
    ]);
    for (const { datname } of rows.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
