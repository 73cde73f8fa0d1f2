import type { LimitPeriod } from '../config/sim-config';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The natural day or month `ms` falls in, at a fixed UTC offset, as one comparable number. */
export function periodKey(ms: number, period: LimitPeriod, utcOffsetHours: number): number {
  const local = ms + utcOffsetHours * HOUR;
  if (period === 'day') return Math.floor(local / DAY);
  const d = new Date(local);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/**
 * WeCom's cap on how many broadcasts one customer (or one customer group) receives per natural
 * day or month. `tryConsume` takes one unit if the recipient is under the limit.
 */
export class PeriodLimiter {
  private counts = new Map<string, { period: number; count: number }>();

  tryConsume(recipient: string, period: number, limit: number): boolean {
    let entry = this.counts.get(recipient);
    if (!entry || entry.period !== period) {
      entry = { period, count: 0 };
      this.counts.set(recipient, entry);
    }
    if (entry.count >= limit) return false;
    entry.count++;
    return true;
  }

  used(recipient: string, period: number): number {
    const entry = this.counts.get(recipient);
    return entry && entry.period === period ? entry.count : 0;
  }

  clear(): void {
    this.counts = new Map();
  }
}
