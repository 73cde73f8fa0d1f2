import { Client } from 'pg';
import { timeOrderedUuidSql } from './time-ordered-uuid';

describe('timeOrderedUuidSql (int)', () => {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  const idsOf = async (counters: number) => {
    const { rows } = await client.query<{ id: string }>(
      `SELECT ${timeOrderedUuidSql('g.n')}::text AS id FROM generate_series(0, $1::int - 1) AS g(n) ORDER BY g.n`,
      [counters],
    );
    return rows.map((r) => r.id);
  };

  it('gives version 7 ids with the RFC variant, stamped with the statement time', async () => {
    const before = Date.now();
    const ids = await idsOf(50);
    const after = Date.now();
    for (const id of ids) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const ms = parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      expect(ms).toBeGreaterThanOrEqual(before - 1_000);
      expect(ms).toBeLessThanOrEqual(after + 1_000);
    }
  });

  it('ascends with the counter within a statement, across the 12-bit boundary, and after earlier statements', async () => {
    const first = await idsOf(9_000);
    expect([...first].sort()).toEqual(first);
    expect(new Set(first).size).toBe(first.length);
    await client.query('SELECT pg_sleep(0.005)'); // a later millisecond
    const second = await idsOf(10);
    expect(second.every((id) => id > first[first.length - 1])).toBe(true);
  });
});
