import { createHash, createHmac, randomUUID } from 'node:crypto';
import { commitmentOf, newSeed, roll } from './draw-fairness';

describe('draw fairness', () => {
  it('commits to SHA-256 of the seed, and seeds are fresh 32-byte values', () => {
    const a = newSeed();
    const b = newSeed();
    expect(a).toHaveLength(32);
    expect(a.equals(b)).toBe(false);
    expect(commitmentOf(a)).toBe(createHash('sha256').update(a).digest('hex'));
  });

  it('maps the MAC as a 256-bit big-endian integer mod the total weight onto the slots', () => {
    const seed = Buffer.alloc(32, 7);
    const id = '0b3c8e0e-3f55-4a43-9f0b-6d3c1f0c2a11';
    const mac = createHmac('sha256', seed).update(id).digest();
    let n = 0n;
    for (const byte of mac) n = n * 256n + BigInt(byte);
    const weights = [1, 2, 3, 994];
    const r = n % 1000n;
    const expected = r < 1n ? 0 : r < 3n ? 1 : r < 6n ? 2 : 3;
    expect(roll(seed, id, weights)).toEqual({ mac: mac.toString('hex'), r, slot: expected });
    // the id is read as lowercase text
    expect(roll(seed, id.toUpperCase(), weights).slot).toBe(expected);
  });

  it('never lands on a zero-weight slot and refuses an empty table', () => {
    const seed = newSeed();
    for (let i = 0; i < 500; i++) expect(roll(seed, `id-${i}`, [5, 0, 5]).slot).not.toBe(1);
    expect(() => roll(seed, 'x', [0, 0])).toThrow();
  });
  it('100,000 entries (random entry ids, a fresh seed) follow the configured odds: chi-square p > 0.001', () => {
    // The odds of a draw with unlimited stock are those of this mapping alone: the e2e suite shows
    // that every result the service records is exactly roll(seed, entry id, table).
    const weights = [1, 5, 14, 30, 50];
    const total = weights.reduce((s, w) => s + w, 0);
    const seed = newSeed();
    const counts = weights.map(() => 0);
    const N = 100_000;
    for (let i = 0; i < N; i++) counts[roll(seed, randomUUID(), weights).slot]++;
    const chi2 = weights.reduce((s, w, i) => s + (counts[i] - (N * w) / total) ** 2 / ((N * w) / total), 0);
    // 5 slots, 4 degrees of freedom: the survival function is exp(-x/2)·(1 + x/2).
    expect(Math.exp(-chi2 / 2) * (1 + chi2 / 2)).toBeGreaterThan(0.001);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(N);
  });
});
