import { cronPattern, graceEnd, nextSlot, previousSlot, windowStart } from './tier-time';

const d = (iso: string) => new Date(iso);

describe('tier time rules (brand time zone)', () => {
  describe('windowStart', () => {
    it('is null for a lifetime ladder', () => {
      expect(windowStart(d('2026-04-15T12:00:00Z'), 'Asia/Shanghai', null)).toBeNull();
    });

    it('opens at brand-local midnight; the evaluation day counts as day 1', () => {
      // 1 day: today only, from local midnight
      expect(windowStart(d('2026-04-15T12:00:00Z'), 'Asia/Shanghai', 1)).toEqual(d('2026-04-14T16:00:00Z'));
      // 00:30 on the 15th in Shanghai is still the 14th in UTC: the local date decides
      expect(windowStart(d('2026-04-14T16:30:00Z'), 'Asia/Shanghai', 30)).toEqual(d('2026-03-16T16:00:00Z'));
      // 23:30 on the 14th in Los Angeles is already the 15th in UTC
      expect(windowStart(d('2026-04-15T06:30:00Z'), 'America/Los_Angeles', 30)).toEqual(
        d('2026-03-16T07:00:00Z'),
      );
    });

    it('keeps local midnight across a DST change (Los Angeles springs forward on 8 March 2026)', () => {
      // evaluated in PDT (UTC-7), the window opens on a PST day (UTC-8)
      expect(windowStart(d('2026-03-20T19:00:00Z'), 'America/Los_Angeles', 30)).toEqual(
        d('2026-02-19T08:00:00Z'),
      );
    });
  });

  describe('graceEnd', () => {
    it('is brand-local midnight grace days after the day the member fell below', () => {
      expect(graceEnd(d('2026-03-01T15:30:00Z'), 'Asia/Shanghai', 7)).toEqual(d('2026-03-07T16:00:00Z'));
      // 16:30 UTC on 1 March is already 2 March in Shanghai
      expect(graceEnd(d('2026-03-01T16:30:00Z'), 'Asia/Shanghai', 7)).toEqual(d('2026-03-08T16:00:00Z'));
      expect(graceEnd(d('2026-03-01T07:30:00Z'), 'America/Los_Angeles', 7)).toEqual(
        d('2026-03-07T08:00:00Z'),
      );
      // across the DST change the local midnight moves to 07:00 UTC
      expect(graceEnd(d('2026-03-05T20:00:00Z'), 'America/Los_Angeles', 7)).toEqual(
        d('2026-03-12T07:00:00Z'),
      );
    });

    it('with grace 0 ends at the start of the same local day', () => {
      expect(graceEnd(d('2026-03-01T15:30:00Z'), 'Asia/Shanghai', 0)).toEqual(d('2026-02-28T16:00:00Z'));
    });
  });

  it('cronPattern: daily, weekly on Mondays, monthly on the 1st', () => {
    expect(cronPattern('daily', '03:00')).toBe('0 3 * * *');
    expect(cronPattern('weekly', '00:15')).toBe('15 0 * * 1');
    expect(cronPattern('monthly', '23:45')).toBe('45 23 1 * *');
  });

  describe('slots', () => {
    it('daily at 03:00 Shanghai (19:00 UTC the day before)', () => {
      expect(previousSlot(d('2026-03-10T18:59:00Z'), 'Asia/Shanghai', 'daily', '03:00')).toEqual(
        d('2026-03-09T19:00:00Z'),
      );
      expect(previousSlot(d('2026-03-10T19:00:00Z'), 'Asia/Shanghai', 'daily', '03:00')).toEqual(
        d('2026-03-10T19:00:00Z'),
      );
      expect(nextSlot(d('2026-03-10T19:00:00Z'), 'Asia/Shanghai', 'daily', '03:00')).toEqual(
        d('2026-03-11T19:00:00Z'),
      );
      expect(nextSlot(d('2026-03-10T18:59:00Z'), 'Asia/Shanghai', 'daily', '03:00')).toEqual(
        d('2026-03-10T19:00:00Z'),
      );
    });

    it('weekly on Mondays in Los Angeles, across the DST change', () => {
      // Monday 2 March 2026 03:00 PST = 11:00 UTC; Monday 9 March 03:00 PDT = 10:00 UTC
      expect(nextSlot(d('2026-03-05T00:00:00Z'), 'America/Los_Angeles', 'weekly', '03:00')).toEqual(
        d('2026-03-09T10:00:00Z'),
      );
      expect(previousSlot(d('2026-03-09T09:59:00Z'), 'America/Los_Angeles', 'weekly', '03:00')).toEqual(
        d('2026-03-02T11:00:00Z'),
      );
    });

    it('monthly on the 1st', () => {
      expect(nextSlot(d('2026-01-31T12:00:00Z'), 'Asia/Shanghai', 'monthly', '03:00')).toEqual(
        d('2026-01-31T19:00:00Z'),
      );
      expect(nextSlot(d('2026-01-31T20:00:00Z'), 'Asia/Shanghai', 'monthly', '03:00')).toEqual(
        d('2026-02-28T19:00:00Z'),
      );
      expect(previousSlot(d('2026-01-31T20:00:00Z'), 'Asia/Shanghai', 'monthly', '03:00')).toEqual(
        d('2026-01-31T19:00:00Z'),
      );
      expect(previousSlot(d('2026-01-15T00:00:00Z'), 'Asia/Shanghai', 'monthly', '03:00')).toEqual(
        d('2025-12-31T19:00:00Z'),
      );
    });
  });
});
