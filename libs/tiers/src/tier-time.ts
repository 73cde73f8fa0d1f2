import { DateTime } from 'luxon';
import { MONTHLY_REEVALUATION_DAY, TierReevaluation, WEEKLY_REEVALUATION_WEEKDAY } from './tiers.constants';

/**
 * Time rules of tiers, all in the brand's time zone (DESIGN invariant 8: stored in UTC, decided and
 * shown in the brand's zone). The SQL in tiers.repository.ts computes the same boundaries.
 */

const local = (at: Date, timeZone: string) => DateTime.fromJSDate(at, { zone: timeZone });

/**
 * Start of a rolling window of `windowDays` days evaluated at `at`: the brand-local midnight that
 * begins the window's first day, where the window is the last `windowDays` local calendar days
 * with the evaluation's own local date included. So a 365-day window evaluated any time on
 * 2026-03-10 (brand time) counts orders placed from 2025-03-11 00:00 brand time on; an order counts
 * on the local day it was placed and the `windowDays - 1` days after. `null` (lifetime) has no start.
 */
export function windowStart(at: Date, timeZone: string, windowDays: number | null): Date | null {
  if (windowDays === null) return null;
  return local(at, timeZone)
    .startOf('day')
    .minus({ days: windowDays - 1 })
    .toJSDate();
}

/**
 * When a member first found below their tier's threshold at `belowSince` may be downgraded: the
 * brand-local midnight `graceDays` local days after that day. A re-evaluation at or after it
 * downgrades them (grace 0: the same re-evaluation that finds them below).
 */
export function graceEnd(belowSince: Date, timeZone: string, graceDays: number): Date {
  return local(belowSince, timeZone).startOf('day').plus({ days: graceDays }).toJSDate();
}

/** The cron pattern of a ladder's re-evaluation (read with `tz` = the brand's zone). */
export function cronPattern(reevaluation: TierReevaluation, time: string): string {
  const [hour, minute] = time.split(':').map(Number);
  switch (reevaluation) {
    case 'daily':
      return `${minute} ${hour} * * *`;
    case 'weekly':
      return `${minute} ${hour} * * ${WEEKLY_REEVALUATION_WEEKDAY}`;
    case 'monthly':
      return `${minute} ${hour} ${MONTHLY_REEVALUATION_DAY} * *`;
  }
}

function slotOnOrBefore(at: DateTime, reevaluation: TierReevaluation, time: string): DateTime {
  const [hour, minute] = time.split(':').map(Number);
  let day = at.startOf('day');
  if (reevaluation === 'weekly')
    day = day.minus({ days: (day.weekday - WEEKLY_REEVALUATION_WEEKDAY + 7) % 7 });
  if (reevaluation === 'monthly') day = day.set({ day: MONTHLY_REEVALUATION_DAY });
  const slot = day.set({ hour, minute, second: 0, millisecond: 0 });
  if (slot <= at) return slot;
  const earlier =
    reevaluation === 'daily'
      ? day.minus({ days: 1 })
      : reevaluation === 'weekly'
        ? day.minus({ weeks: 1 })
        : day.minus({ months: 1 });
  return earlier.set({ hour, minute, second: 0, millisecond: 0 });
}

/** The latest scheduled re-evaluation time at or before `at`. */
export function previousSlot(at: Date, timeZone: string, reevaluation: TierReevaluation, time: string): Date {
  return slotOnOrBefore(local(at, timeZone), reevaluation, time).toJSDate();
}

/** The first scheduled re-evaluation time after `at`. */
export function nextSlot(at: Date, timeZone: string, reevaluation: TierReevaluation, time: string): Date {
  const zoned = local(at, timeZone);
  const ahead =
    reevaluation === 'daily'
      ? zoned.plus({ days: 1 })
      : reevaluation === 'weekly'
        ? zoned.plus({ weeks: 1 })
        : zoned.plus({ months: 1 }).endOf('month');
  let slot = slotOnOrBefore(ahead, reevaluation, time);
  // `ahead` may overshoot by a period (month ends): step back while the previous slot is still ahead.
  for (;;) {
    const before = slotOnOrBefore(slot.minus({ milliseconds: 1 }), reevaluation, time);
    if (before <= zoned) break;
    slot = before;
  }
  return slot.toJSDate();
}
