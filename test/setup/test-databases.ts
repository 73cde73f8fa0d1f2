import { Client } from 'pg';

/** Test databases live on the machine's Postgres; names carry the run id so runs never collide. */
export const ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function dbUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export const templateName = (run: string) => `siyu_t_${run}_template`;
export const workerDbName = (run: string, worker: string) => `siyu_t_${run}_w${worker}`;

export async function withAdmin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: ADMIN_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}
