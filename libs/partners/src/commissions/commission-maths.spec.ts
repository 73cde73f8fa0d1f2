import { applyBp } from '../partners-core.constants';

describe('applyBp: amount × bp / 10 000, half up on the integer product', () => {
  it.each([
    [0n, 900, 0n],
    [5n, 900, 0n], // 0.45
    [6n, 900, 1n], // 0.54
    [49n, 900, 4n], // 4.41
    [50n, 900, 5n], // 4.5 exactly: up
    [12_800n, 900, 1_152n],
    [1n, 5_000, 1n], // 0.5 exactly: up
    [1n, 4_999, 0n],
    [999_999_999_999_999n, 10_000, 999_999_999_999_999n],
    [999_999_999_999_999n, 2_500, 250_000_000_000_000n], // 249 999 999 999 999.75
  ])('%s at %s bp → %s', (amount, bp, expected) => {
    expect(applyBp(amount, bp)).toBe(expected);
  });

  it('never loses more than half a minor unit per commission', () => {
    for (let amount = 0n; amount < 2_000n; amount += 7n)
      for (const bp of [1, 333, 900, 1_600, 2_500, 9_999]) {
        const exact = Number(amount) * (bp / 10_000);
        expect(Math.abs(Number(applyBp(amount, bp)) - exact)).toBeLessThanOrEqual(0.5);
      }
  });
});
