import { createHash, createHmac } from 'node:crypto';
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
});
