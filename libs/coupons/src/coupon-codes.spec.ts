import { CODE_ALPHABET } from './coupons.constants';
import { codeSpace, feasibility, normaliseCode, randomCode, randomCodes } from './coupon-codes';

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
