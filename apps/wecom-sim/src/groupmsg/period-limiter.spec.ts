import { PeriodLimiter, periodKey } from './period-limiter';

describe('periodKey', () => {
  it('changes the natural day at midnight China time (16:00 UTC), not at UTC midnight', () => {
    const before = Date.parse('2026-03-01T15:59:59.999Z');
    const after = Date.parse('2026-03-01T16:00:00.000Z');
    expect(periodKey(after, 'day', 8)).toBe(periodKey(before, 'day', 8) + 1);
    expect(periodKey(Date.parse('2026-03-01T23:59:59Z'), 'day', 8)).toBe(periodKey(after, 'day', 8));
    expect(periodKey(before, 'day', 0)).toBe(periodKey(after, 'day', 0));
  });

  it('changes the natural month at the first of the month in the offset zone', () => {
    const lastOfFeb = Date.parse('2026-02-28T15:59:59Z');
    const firstOfMar = Date.parse('2026-02-28T16:00:00Z'); // 2026-03-01 00:00 in UTC+8
    expect(periodKey(firstOfMar, 'month', 8)).toBe(periodKey(lastOfFeb, 'month', 8) + 1);
    expect(periodKey(Date.parse('2026-03-31T12:00:00Z'), 'month', 8)).toBe(periodKey(firstOfMar, 'month', 8));
  });
});

describe('PeriodLimiter', () => {
  it('lets a recipient through `limit` times per period, then refuses, and starts again next period', () => {
    const limiter = new PeriodLimiter();
    const results = Array.from({ length: 6 }, () => limiter.tryConsume('wm1', 100, 4));
    expect(results).toEqual([true, true, true, true, false, false]);
    expect(limiter.used('wm1', 100)).toBe(4);
    expect(limiter.tryConsume('wm2', 100, 4)).toBe(true);
    expect(limiter.tryConsume('wm1', 101, 4)).toBe(true);
    expect(limiter.used('wm1', 101)).toBe(1);
  });

  it('with a limit of 0 refuses everything', () => {
    expect(new PeriodLimiter().tryConsume('wm1', 1, 0)).toBe(false);
  });
});
