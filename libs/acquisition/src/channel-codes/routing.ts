import type { RoutingConfig, ScheduleWindow } from './channel-codes.constants';

/** The brand-local weekday (ISO, 1 = Monday), minutes since midnight and date of an instant. */
export function localClock(at: Date, timeZone: string): { weekday: number; minutes: number; day: string } {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return {
    weekday,
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
    day: `${get('year')}-${get('month')}-${get('day')}`,
  };
}

export const hhmm = (s: string): number => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/** Whether a window is open at this brand-local weekday and minute (start included, end excluded). */
export function windowOpen(w: ScheduleWindow, weekday: number, minutes: number): boolean {
  return w.weekdays.includes(weekday) && minutes >= hhmm(w.start) && minutes < hhmm(w.end);
}

export interface RoutingInput {
  routing: RoutingConfig;
  /** The code's staff pool, in its configured order. */
  staff: string[];
  /** Adds today (brand-local day) per staff userid through this code. */
  addsToday: Map<string, number>;
  at: Date;
  timeZone: string;
}

export interface RoutingDecision {
  /** The userids the contact way's `user` list should hold. Never empty. */
  users: string[];
  /** True when nobody is eligible (all capped or off duty) and the code falls back. */
  saturated: boolean;
}

/**
 * Which staff the contact way holds now:
 * - `round_robin`: every staff member under the daily cap (WeCom hands a multi-person code's adds
 *   out in turn among the users it holds);
 * - `least_loaded`: of those under the cap, the ones with the fewest adds today (ties all kept, so
 *   WeCom rotates among them); the list moves as adds come in;
 * - `schedule`: the staff of the windows open now (brand-local weekday and hours), under the cap.
 * When nobody is eligible, the code keeps the pool's least-loaded member (a QR code cannot be left
 * without a user), flagged `saturated`.
 */
export function routeStaff(input: RoutingInput): RoutingDecision {
  const { routing, staff } = input;
  const adds = (u: string) => input.addsToday.get(u) ?? 0;
  const underCap = (u: string) => routing.dailyCap === null || adds(u) < routing.dailyCap;
  let eligible: string[];
  if (routing.rule === 'schedule') {
    const { weekday, minutes } = localClock(input.at, input.timeZone);
    const onDuty = new Set(
      routing.schedule.filter((w) => windowOpen(w, weekday, minutes)).flatMap((w) => w.staff),
    );
    eligible = staff.filter((u) => onDuty.has(u) && underCap(u));
  } else {
    eligible = staff.filter(underCap);
    if (routing.rule === 'least_loaded' && eligible.length > 0) {
      const least = Math.min(...eligible.map(adds));
      eligible = eligible.filter((u) => adds(u) === least);
    }
  }
  if (eligible.length > 0) return { users: eligible, saturated: false };
  const least = Math.min(...staff.map(adds));
  return { users: [staff.find((u) => adds(u) === least) as string], saturated: true };
}

export const sameUsers = (a: string[], b: string[]) =>
  a.length === b.length && [...a].sort().every((u, i) => u === [...b].sort()[i]);
