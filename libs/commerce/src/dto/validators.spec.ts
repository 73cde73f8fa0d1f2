import { isInstant, parseMinorUnits } from './validators';

describe('parseMinorUnits', () => {
  it('accepts JSON integers and digit strings, exactly', () => {
    expect(parseMinorUnits(0)).toBe(0n);
    expect(parseMinorUnits(12800)).toBe(12800n);
    expect(parseMinorUnits('12800')).toBe(12800n);
    expect(parseMinorUnits('007')).toBe(7n);
    expect(parseMinorUnits('999999999999999')).toBe(999_999_999_999_999n);
  });

  it('refuses floats, signs, exponents, unsafe numbers, anything past the cap, and other types', () => {
    for (const v of [
      12.5,
      -1,
      '-1',
      '+1',
      '1e3',
      1e21,
      '12.00',
      ' 12',
      '',
      NaN,
      Infinity,
      Number.MAX_SAFE_INTEGER + 2,
      '1000000000000000',
      '9223372036854775808',
      '99999999999999999999',
      true,
      null,
      undefined,
      {},
      [1],
    ])
      expect(parseMinorUnits(v)).toBeNull();
  });

  it('honours a minimum (refunds start at 1)', () => {
    expect(parseMinorUnits(0, 1n)).toBeNull();
    expect(parseMinorUnits('1', 1n)).toBe(1n);
  });
});

describe('isInstant', () => {
  it('accepts ISO 8601 date-times with an offset', () => {
    for (const v of ['2025-06-18T20:15:00+08:00', '2025-06-18T12:15:00Z', '2025-06-18T12:15:00.123-0700'])
      expect(isInstant(v)).toBe(true);
  });

  it('refuses dates without offset or time, impossible dates, the far past and the future', () => {
    for (const v of [
      '2025-06-18T20:15:00',
      '2025-06-18',
      '2025-02-30T10:00:00Z',
      '2025-06-18 20:15:00+08:00',
      '1999-12-31T23:59:59Z',
      new Date(Date.now() + 3 * 86_400_000).toISOString(),
      1750000000000,
      'yesterday',
    ])
      expect(isInstant(v)).toBe(false);
  });
});
