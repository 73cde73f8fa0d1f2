import { CODE_ALPHABET } from './coupons.constants';
import {
  codeSpace,
  feasibility,
  normaliseCode,
  randomCode,
  randomCodeLines,
  randomCodes,
} from './coupon-codes';

describe('coupon codes', () => {
  it('use an alphabet without look-alikes, with the prefix and length asked for', () => {
    for (const c of ['0', 'O', '1', 'I', 'L']) expect(CODE_ALPHABET).not.toContain(c);
    expect(new Set(CODE_ALPHABET).size).toBe(CODE_ALPHABET.length);
    const codes = randomCodes('TEA', 8, 2_000);
    for (const code of codes) expect(code).toMatch(new RegExp(`^TEA[${CODE_ALPHABET}]{8}$`));
    // every character of the alphabet turns up (a generator stuck on a subset would fail)
    expect(new Set(codes.join('').slice(3)).size).toBeGreaterThan(CODE_ALPHABET.length - 2);
    expect(new Set(codes).size).toBeGreaterThan(1_990);
    expect(randomCode('', 4)).toHaveLength(4);
  });

  it('bulk lines: one code per line, and every character uniform over the alphabet (chi-square, p > 0.001)', () => {
    const n = 31_000;
    const lines = randomCodeLines('BN', 10, n);
    expect(lines.length).toBe(n * 13);
    const text = lines.toString('ascii');
    expect(text.endsWith('\n')).toBe(true);
    const codes = text.slice(0, -1).split('\n');
    expect(codes).toHaveLength(n);
    const counts = new Map<string, number>();
    const shape = new RegExp(`^BN[${CODE_ALPHABET}]{10}$`);
    expect(codes.filter((c) => !shape.test(c))).toEqual([]);
    for (const code of codes) for (const ch of code.slice(2)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    // 310,000 characters, 10,000 expected per letter; 30 degrees of freedom: the 0.999 quantile is
    // 59.70. A rejection step that kept bytes 248–255 would put ~3 % too many on the first 8 letters
    // (chi-square in the thousands).
    const expected = (n * 10) / CODE_ALPHABET.length;
    let chi = 0;
    for (const ch of CODE_ALPHABET) chi += ((counts.get(ch) ?? 0) - expected) ** 2 / expected;
    expect(chi).toBeLessThan(59.7);
  });

  it('refuse 1,000,000 codes of length 4 and name a length that fits', () => {
    const f = feasibility(0, 1_000_000, 4);
    expect(codeSpace(4)).toBe(923_521);
    expect(f.ok).toBe(false);
    expect(f.density).toBeGreaterThan(1);
    expect(f.minLength).toBe(6);
    expect(feasibility(0, 1_000_000, 6).ok).toBe(true);
    // codes already there count against the space
    expect(feasibility(8_000_000, 1_000_000, 6).ok).toBe(false);
  });

  it('normalise what a customer types', () => {
    expect(normaliseCode('  tea 7k9x ')).toBe('TEA7K9X');
  });
});
