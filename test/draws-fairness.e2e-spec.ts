import { createHash, createHmac } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { TestBrand } from './factories/brand.factory';
import type { TestApp } from './harness';

/**
 * The draw's promises under load, through the real app on a real port: stock never oversold with
 * 2,000 concurrent entries, the configured odds over 100,000 entries (chi-square), every result
 * recomputed from the revealed seed by this file's own code, and per-day limits in the brand's zone.
 */

type Slot = { slot: number; prizeId: string | null; weight: number; stock: number | null; fallback: boolean };
type VerifyEntry = {
  id: string;
  slot: number;
  outcome: 'won' | 'fallback';
  prizeId: string | null;
  fallbackReason: string | null;
};
interface VerifyPage {
  commitment: string;
  seed: string | null;
  table: { totalWeight: number; slots: Slot[] };
  entries: VerifyEntry[];
  nextCursor: string | null;
}

/** The verifier, written from the README's description and nothing of the lib. */
function recompute(seedHex: string, entryId: string, weights: number[]): number {
  const mac = createHmac('sha256', Buffer.from(seedHex, 'hex'))
    .update(entryId.toLowerCase(), 'utf8')
    .digest();
  const total = weights.reduce((s, w) => s + BigInt(w), 0n);
  let x = 0n;
  for (const byte of mac) x = (x << 8n) | BigInt(byte);
  let r = x % total;
  for (let i = 0; i < weights.length; i++) {
    if (r < BigInt(weights[i])) return i;
    r -= BigInt(weights[i]);
  }
  throw new Error('no slot');
}

describe('draws: stock, odds and verification under load (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let base: string;
  let f: typeof import('./factories/draw.factory');
  let createBrand: typeof import('./factories/brand.factory').createBrand;
  let brand: TestBrand;
  let entries: import('@siyu/draws').DrawEntriesService;

  beforeAll(async () => {
    process.env.DATABASE_POOL_SIZE = '20';
    const { createTestApp } = await import('./harness');
    t = await createTestApp();
    // a backlog for 2,000 connections arriving at once (the default 511 resets some)
    await t.app.listen({ port: 0, host: '127.0.0.1', backlog: 4096 });
    base = (await t.app.getUrl()).replace('[::1]', '127.0.0.1');
    ds = t.app.get((await import('typeorm')).DataSource);
    f = await import('./factories/draw.factory');
    ({ createBrand } = await import('./factories/brand.factory'));
    entries = t.app.get((await import('@siyu/draws')).DrawEntriesService);
    brand = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
  }, 120_000);
  afterAll(() => t?.close());

  const call = async (method: string, path: string, token: string, body?: object) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
  };

  async function publish(over: Record<string, unknown>): Promise<string> {
    const created = await call('POST', '/v1/draws', brand.owner.token, f.drawBody(over));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call('POST', `/v1/draws/${id}/publish`, brand.owner.token)).status).toBe(200);
    return id;
  }

  /** Every page of /verify, concatenated. */
  async function verifyAll(id: string): Promise<VerifyPage> {
    let cursor: string | null = null;
    let first: VerifyPage | null = null;
    const all: VerifyEntry[] = [];
    do {
      const q: string = `?limit=5000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await call('GET', `/v1/draws/${id}/verify${q}`, brand.owner.token);
      expect(page.status).toBe(200);
      const body = page.body as unknown as VerifyPage;
      first ??= body;
      all.push(...body.entries);
      cursor = body.nextCursor;
    } while (cursor);
    return { ...(first as VerifyPage), entries: all };
  }

  /** Recomputes every entry and checks what each got against the stock rule. */
  function checkAll(v: VerifyPage): { slotCounts: number[]; won: Map<string, number> } {
    expect(v.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(
      createHash('sha256')
        .update(Buffer.from(v.seed as string, 'hex'))
        .digest('hex'),
    ).toBe(v.commitment);
    const weights = v.table.slots.map((s) => s.weight);
    const fallbackSlot = v.table.slots.length - 1;
    const slotCounts = weights.map(() => 0);
    const won = new Map<string, number>();
    const outOfStock = new Map<string, number>();
    let mismatches = 0;
    for (const e of v.entries) {
      const slot = recompute(v.seed as string, e.id, weights);
      if (slot !== e.slot) mismatches++;
      slotCounts[slot]++;
      const s = v.table.slots[slot];
      if (slot === fallbackSlot) {
        if (e.outcome !== 'fallback' || e.fallbackReason !== 'drawn') mismatches++;
      } else if (e.outcome === 'won') {
        if (e.prizeId !== s.prizeId) mismatches++;
        won.set(s.prizeId as string, (won.get(s.prizeId as string) ?? 0) + 1);
      } else if (e.fallbackReason === 'out_of_stock') {
        outOfStock.set(s.prizeId as string, (outOfStock.get(s.prizeId as string) ?? 0) + 1);
      } else mismatches++;
    }
    expect(mismatches).toBe(0);
    // the stock rule: never more wins than stock, and an entry fell back for stock only once it was all gone
    for (const s of v.table.slots.filter((x) => !x.fallback)) {
      const w = won.get(s.prizeId as string) ?? 0;
      if (s.stock !== null) expect(w).toBeLessThanOrEqual(s.stock);
      if (outOfStock.has(s.prizeId as string)) expect(w).toBe(s.stock);
      if (s.stock === null) expect(outOfStock.has(s.prizeId as string)).toBe(false);
    }
    return { slotCounts, won };
  }

  it('10 units of stock and 2,000 concurrent entries: exactly the stock is awarded, never below zero', async () => {
    const id = await publish({
      fallbackWeight: 10,
      prizes: [
        { name: '手机', weight: 90, stock: 10, kind: 'physical', note: '顺丰寄出' },
        { name: '贴纸', weight: 1, kind: 'physical' },
      ],
    });
    const members = await f.insertMembers(t.app, brand, 400);
    const tokens = await Promise.all(members.slice(0, 200).map((m) => f.memberToken(t.app, brand, m)));
    // 2,000 entries at once: 1,000 by member tokens (200 members × 5), 1,000 by the operator for the others
    const requests = Array.from({ length: 2000 }, (_, i) =>
      i % 2 === 0
        ? call('POST', `/v1/draws/${id}/entries`, tokens[(i / 2) % 200], {})
        : call('POST', `/v1/draws/${id}/entries`, brand.owner.token, {
            memberId: members[200 + (((i - 1) / 2) % 200)],
          }),
    );
    const results = await Promise.all(requests);
    const statuses = results.reduce<Record<number, number>>(
      (acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }),
      {},
    );
    expect(statuses).toEqual({ 201: 2000 });
    const won = results.filter(
      (r) => r.body.outcome === 'won' && (r.body.prize as { name: string }).name === '手机',
    );
    const rolledPhone = results.filter((r) => r.body.slot === 0).length;
    expect(rolledPhone).toBeGreaterThan(10);
    expect(won).toHaveLength(10);
    const [{ remaining, min_seen }] = await ds.query(
      `SELECT p.remaining, (SELECT min(remaining) FROM draw_prizes WHERE draw_id = $1) AS min_seen
         FROM draw_prizes p WHERE p.draw_id = $1 AND p.position = 0`,
      [id],
    );
    expect(remaining).toBe(0);
    expect(min_seen).toBeGreaterThanOrEqual(0);
    const [{ n }] = await ds.query(
      `SELECT count(*)::int AS n FROM draw_entries WHERE draw_id = $1 AND outcome = 'won' AND slot = 0`,
      [id],
    );
    expect(n).toBe(10);
    const stats = await call('GET', `/v1/draws/${id}/stats`, brand.owner.token);
    expect(stats.body).toMatchObject({ entries: 2000, entrants: 400 });
    expect((stats.body.prizes as Array<Record<string, unknown>>)[0]).toMatchObject({
      remaining: 0,
      won: 10,
      outOfStock: rolledPhone - 10,
    });

    // closed: the seed is revealed and every result (stock fallbacks included) recomputes
    expect((await call('POST', `/v1/draws/${id}/close`, brand.owner.token)).status).toBe(200);
    const v = await verifyAll(id);
    expect(v.entries).toHaveLength(2000);
    expect(checkAll(v).won.get(v.table.slots[0].prizeId as string)).toBe(10);
  }, 300_000);

  it('100,000 entries with unlimited stock follow the configured odds (chi-square, p > 0.001), and every one verifies', async () => {
    const weights = [1, 5, 14, 30];
    const fallbackWeight = 50;
    const id = await publish({
      fallbackWeight,
      prizes: weights.map((w, i) => ({ name: `奖${i}`, weight: w, kind: 'physical' })),
    });
    const members = await f.insertMembers(t.app, brand, 1000);
    const caller = { brandId: brand.id, actorType: 'system' as const, actorId: null };
    // through the service (the code path of POST …/entries, minus HTTP), 20 at a time (the pool)
    const N = 100_000;
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next < N) {
          const i = next++;
          await entries.enter(caller, id, members[i % members.length]);
        }
      }),
    );
    expect((await call('POST', `/v1/draws/${id}/close`, brand.owner.token)).status).toBe(200);
    const v = await verifyAll(id);
    expect(v.entries).toHaveLength(N);
    const { slotCounts } = checkAll(v);

    // Pearson's chi-square against the table; 5 slots → 4 degrees of freedom, whose survival
    // function is exp(-x/2)·(1 + x/2).
    const all = [...weights, fallbackWeight];
    const total = all.reduce((s, w) => s + w, 0);
    const chi2 = all.reduce((s, w, i) => {
      const expected = (N * w) / total;
      return s + (slotCounts[i] - expected) ** 2 / expected;
    }, 0);
    const p = Math.exp(-chi2 / 2) * (1 + chi2 / 2);
    expect(p).toBeGreaterThan(0.001);
    // and the counts are where the odds put them, not merely "not too far" in aggregate
    expect(slotCounts.reduce((s, c) => s + c, 0)).toBe(N);
  }, 1_200_000);

  it("limits entries per day at midnight in the brand's time zone (America/Los_Angeles), and in total", async () => {
    const la = await createBrand(t.app, { timeZone: 'America/Los_Angeles' });
    const created = await call(
      'POST',
      '/v1/draws',
      la.owner.token,
      f.drawBody({
        startsAt: '2026-03-01T00:00:00-08:00',
        endsAt: new Date(Date.now() + 86_400_000).toISOString(),
        limitPerDay: 2,
        limitTotal: 5,
      }),
    );
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect((await call('POST', `/v1/draws/${id}/publish`, la.owner.token)).status).toBe(200);
    const [member] = await f.insertMembers(t.app, la, 1);
    const caller = { brandId: la.id, actorType: 'system' as const, actorId: null };
    const enter = (at: string) => entries.enter(caller, id, member, new Date(at));
    const refused = async (at: string, field: string) => {
      const err = await enter(at).then(
        () => null,
        (e: { code?: string; errors?: Array<{ field: string }> }) => e,
      );
      expect(err).toMatchObject({ code: 'DRAW_ENTRY_LIMIT', errors: [{ field }] });
    };

    // 7 March in Los Angeles: 10:00 (18:00 UTC) and 23:30 (07:30 UTC on the 8th): the day is full,
    // even at 12:00 LA, which is still the 7th in UTC with one entry there
    expect((await enter('2026-03-07T10:00:00-08:00')).localDay).toBe('2026-03-07');
    expect((await enter('2026-03-07T23:30:00-08:00')).localDay).toBe('2026-03-07');
    await refused('2026-03-07T12:00:00-08:00', 'limitPerDay');
    // 00:30 and 01:00 on the 8th in LA (08:30 and 09:00 UTC, the same UTC day as 23:30 above): a new day
    expect((await enter('2026-03-08T00:30:00-08:00')).localDay).toBe('2026-03-08');
    expect((await enter('2026-03-08T01:00:00-08:00')).localDay).toBe('2026-03-08');
    // after the spring-forward (PDT) that evening, still the 8th
    await refused('2026-03-08T20:00:00-07:00', 'limitPerDay');
    expect((await enter('2026-03-09T09:00:00-07:00')).localDay).toBe('2026-03-09');
    // five in all: the total limit
    await refused('2026-03-10T09:00:00-07:00', 'limitTotal');
    const rows = await ds.query(
      `SELECT period, n FROM draw_member_counts WHERE draw_id = $1 ORDER BY period`,
      [id],
    );
    expect(rows).toEqual([
      { period: '2026-03-07', n: 2 },
      { period: '2026-03-08', n: 2 },
      { period: '2026-03-09', n: 1 },
      { period: 'total', n: 5 },
    ]);
  });

  it('holds per-member limits under concurrency: 50 entries at once by one member with a limit of 3', async () => {
    const id = await publish({ limitPerDay: 3 });
    const [member] = await f.insertMembers(t.app, brand, 1);
    const token = await f.memberToken(t.app, brand, member);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => call('POST', `/v1/draws/${id}/entries`, token, {})),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(3);
    expect(results.filter((r) => r.status === 409 && r.body.code === 'DRAW_ENTRY_LIMIT')).toHaveLength(47);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM draw_entries WHERE draw_id = $1`, [id]);
    expect(n).toBe(3);
  });
});
