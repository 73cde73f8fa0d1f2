import { DateTime } from 'luxon';
import { AnalyticsException } from './analytics.errors';

/** The longest date range a report takes (ten years of days). */
export const MAX_RANGE_DAYS = 3_660;

/**
 * A report's date range: brand-local calendar days `from` … `to`, both included, and the UTC
 * instants they start and end at (`start` inclusive, `end` exclusive: 00:00 of the day after `to`).
 */
export interface ReportRange {
  from: string;
  to: string;
  timeZone: string;
  start: Date;
  end: Date;
}

/** 00:00 of a brand-local day as an instant (DST-safe: luxon resolves the local midnight). */
export function startOfLocalDay(day: string, timeZone: string, plusDays = 0): Date {
  return DateTime.fromISO(day, { zone: timeZone }).startOf('day').plus({ days: plusDays }).toJSDate();
}

export function localDay(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISODate() as string;
}

/**
 * The range of `?from=&to=` in the brand's zone. Defaults: `to` is today (brand time), `from` the
 * same day a year earlier plus one, so the default is the last twelve months. 400 naming `from`
 * when it is after `to`, `to` when the range is longer than MAX_RANGE_DAYS.
 */
export function resolveRange(
  q: { from?: string; to?: string },
  timeZone: string,
  now = new Date(),
): ReportRange {
  const to = q.to ?? localDay(now, timeZone);
  const from =
    q.from ??
    (DateTime.fromISO(to, { zone: timeZone }).minus({ years: 1 }).plus({ days: 1 }).toISODate() as string);
  if (from > to) throw AnalyticsException.badParam('from', `from (${from}) must be on or before to (${to})`);
  const days = DateTime.fromISO(to).diff(DateTime.fromISO(from), 'days').days + 1;
  if (days > MAX_RANGE_DAYS)
    throw AnalyticsException.badParam('to', `the range may span at most ${MAX_RANGE_DAYS} days`);
  return {
    from,
    to,
    timeZone,
    start: startOfLocalDay(from, timeZone),
    end: startOfLocalDay(to, timeZone, 1),
  };
}

/**
 * Brand-local months as instants: `starts[i]` is 00:00 on the 1st of month i, `labels[i]` its
 * `YYYY-MM`. Months run from the one holding `first` to the one holding `last`, and one more bound
 * (the start of the month after) closes the last, so `width_bucket(t, starts)` = i + 1 for t in month i.
 */
export function localMonths(first: Date, last: Date, timeZone: string): { starts: Date[]; labels: string[] } {
  const starts: Date[] = [];
  const labels: string[] = [];
  let m = DateTime.fromJSDate(first, { zone: timeZone }).startOf('month');
  const stop = DateTime.fromJSDate(last, { zone: timeZone }).startOf('month');
  while (m <= stop) {
    starts.push(m.toJSDate());
    labels.push(m.toFormat('yyyy-MM'));
    m = m.plus({ months: 1 });
  }
  starts.push(m.toJSDate());
  labels.push(m.toFormat('yyyy-MM'));
  return { starts, labels };
}
