import { instantToLocal, localToInstant } from '@siyu/campaigns';
import { DateTime } from 'luxon';
import { DEFAULT_REPLAY_MINUTES, PlannableKind } from './live.constants';

/** One entry of a session's reminder plan, as the operator gives it. */
export interface PlanItem {
  kind: PlannableKind;
  /** before_start: minutes before the start; after_end: minutes after the end. */
  minutes?: number;
  /** The message; `{title}`, `{start}` (brand-local HH:mm), `{room}` are filled in. */
  text?: string;
}

export const DEFAULT_PLAN: readonly PlanItem[] = [
  { kind: 'day_before' },
  { kind: 'before_start', minutes: 60 },
  { kind: 'now_live' },
  { kind: 'after_end', minutes: DEFAULT_REPLAY_MINUTES },
];

const DEFAULT_TEXT: Record<PlannableKind, string> = {
  day_before: '明天 {start} 直播：{title}，记得来看 {room}',
  before_start: '{title} 即将开播（{start}），直播间 {room}',
  now_live: '我们正在直播：{title}，快来 {room}',
  after_end: '{title} 的回放来了：{room}',
};

export const CANCEL_TEXT = '很抱歉，{title}（{start}）的直播取消了';

/**
 * When a reminder is due. `day_before` is the same wall-clock time on the previous calendar day in
 * the brand's zone (so 23 h before a spring-forward start, 25 h before a fall-back one; a wall time
 * that does not exist that day moves forward as campaigns' schedules do); the others are exact
 * durations from the planned start or end.
 */
export function dueAt(item: PlanItem, start: Date, end: Date, zone: string): Date {
  switch (item.kind) {
    case 'day_before': {
      const local = DateTime.fromJSDate(start, { zone }).minus({ days: 1 });
      const text = local.toFormat("yyyy-MM-dd'T'HH:mm:ss");
      return (localToInstant(text, zone) as NonNullable<ReturnType<typeof localToInstant>>).at;
    }
    case 'before_start':
      return new Date(start.getTime() - (item.minutes ?? 60) * 60_000);
    case 'now_live':
      return start;
    case 'after_end':
      return new Date(end.getTime() + (item.minutes ?? DEFAULT_REPLAY_MINUTES) * 60_000);
  }
}

export interface SessionText {
  title: string;
  plannedStartAt: Date;
  roomUrl: string | null;
  finderId: string | null;
}

/** The reminder's text with the session's fields filled in. */
export function renderText(template: string, s: SessionText, zone: string): string {
  const start = instantToLocal(s.plannedStartAt, zone).slice(11, 16);
  return template
    .replaceAll('{title}', s.title)
    .replaceAll('{start}', start)
    .replaceAll('{room}', s.roomUrl ?? s.finderId ?? '');
}

export const defaultText = (kind: PlannableKind) => DEFAULT_TEXT[kind];
