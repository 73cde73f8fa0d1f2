import { DateTime } from 'luxon';

export interface LocalSchedule {
  /** The instant to send, UTC. */
  at: Date;
  /** The local wall-clock time that will be shown, ISO without offset (`2026-03-08T03:30`). */
  local: string;
  /** Set when the entered time does not exist or exists twice on that day in the zone. */
  adjustment: 'skipped_forward' | 'ambiguous_earlier' | null;
}

/**
 * A local date-time entered by an operator (`YYYY-MM-DDTHH:mm`, optional `:ss`) in `timeZone`, as
 * an instant. On a daylight-saving switch day:
 * - a time in the spring-forward gap does not exist: it moves forward by the gap (02:30 in
 *   America/Los_Angeles on 2026-03-08 is sent at 03:30 PDT), reported as `skipped_forward`;
 * - a time in the fall-back hour exists twice: the first (earlier) one is taken, reported as
 *   `ambiguous_earlier`.
 * Returns null when the text is not such a date-time.
 */
export function localToInstant(text: string, timeZone: string): LocalSchedule | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return null;
  const wall = DateTime.fromISO(text, { zone: 'UTC' });
  if (!wall.isValid) return null;
  const parts = {
    year: wall.year,
    month: wall.month,
    day: wall.day,
    hour: wall.hour,
    minute: wall.minute,
    second: wall.second,
  };
  // Luxon moves a time in a gap forward; of a time that exists twice it may take either offset.
  let resolved = DateTime.fromObject(parts, { zone: timeZone });
  if (!resolved.isValid) return null;
  const sameWall = (d: DateTime) => d.hour === parts.hour && d.minute === parts.minute && d.day === parts.day;
  let adjustment: LocalSchedule['adjustment'] = null;
  if (!sameWall(resolved)) adjustment = 'skipped_forward';
  else {
    const hourEarlier = resolved.minus({ hours: 1 });
    const hourLater = resolved.plus({ hours: 1 });
    if (sameWall(hourEarlier) && hourEarlier.offset !== resolved.offset) {
      resolved = hourEarlier;
      adjustment = 'ambiguous_earlier';
    } else if (sameWall(hourLater) && hourLater.offset !== resolved.offset) adjustment = 'ambiguous_earlier';
  }
  return {
    at: resolved.toUTC().toJSDate(),
    local: resolved.toFormat("yyyy-MM-dd'T'HH:mm:ss"),
    adjustment,
  };
}

/** The instant shown in a zone, as the local wall-clock text. */
export function instantToLocal(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

/**
 * Quiet hours (brand-local `HH:MM[:SS]` start and end; a window may cross midnight, as 22:00–08:00
 * does). Returns when the window that contains `at` ends, or null when `at` is outside any window
 * (or there are no quiet hours, or start equals end).
 */
export function quietHoursEnd(
  at: Date,
  timeZone: string,
  start: string | null,
  end: string | null,
): Date | null {
  if (!start || !end) return null;
  const toMin = (t: string) => {
    const [h, m, s] = t.split(':').map(Number);
    return h * 60 + m + (s ?? 0) / 60;
  };
  const s = toMin(start);
  const e = toMin(end);
  if (s === e) return null;
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  const now = local.hour * 60 + local.minute + local.second / 60 + local.millisecond / 60_000;
  const inside = s < e ? now >= s && now < e : now >= s || now < e;
  if (!inside) return null;
  const [eh, em, es] = end.split(':').map(Number);
  let endAt = local.set({ hour: eh, minute: em, second: es ?? 0, millisecond: 0 });
  if (endAt <= local) endAt = endAt.plus({ days: 1 });
  return endAt.toUTC().toJSDate();
}

/** Start of the natural day containing `at` in `timeZone` (WeCom counts its broadcast limits per China day). */
export function startOfLocalDay(at: Date, timeZone: string): Date {
  return DateTime.fromJSDate(at, { zone: timeZone }).startOf('day').toUTC().toJSDate();
}

/** When a member-time-zone campaign reaches the members of one zone. */
export interface ZoneSchedule {
  timeZone: string;
  /** The instant, UTC: the local time in this zone, or the end of quiet hours there. */
  at: Date;
  adjustment: LocalSchedule['adjustment'];
  /** The local time fell inside the brand's quiet hours (read in this zone): moved to their end. */
  heldByQuietHours: boolean;
}

/**
 * A local date-time read in each of `zones` (a campaign sent at each member's own local time), with
 * the daylight-saving rules of `localToInstant`; one that falls inside the brand's quiet hours in
 * that zone moves to their end there (unless `quiet` is null). Zones that are not IANA names are
 * left out. Ordered by instant.
 */
export function zoneSchedules(
  local: string,
  zones: Iterable<string>,
  quiet: { start: string | null; end: string | null } | null,
): ZoneSchedule[] {
  const out: ZoneSchedule[] = [];
  for (const timeZone of new Set(zones)) {
    if (!DateTime.local().setZone(timeZone).isValid) continue;
    const s = localToInstant(local, timeZone);
    if (!s) continue;
    const end = quiet ? quietHoursEnd(s.at, timeZone, quiet.start, quiet.end) : null;
    out.push({ timeZone, at: end ?? s.at, adjustment: s.adjustment, heldByQuietHours: end !== null });
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime() || a.timeZone.localeCompare(b.timeZone));
}
