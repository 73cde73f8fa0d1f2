import type { WecomCallbackEvent } from '@siyu/channels';

/** A non-empty trimmed string field (≤ 64 characters), or null. */
export function text(v: unknown, max = 64): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s !== '' && s.length <= max ? s : null;
}

export function int(v: unknown): number | null {
  const s = text(v);
  return s !== null && /^-?\d{1,15}$/.test(s) ? Number(s) : null;
}

/** When WeCom says the change happened (CreateTime, unix seconds); else when Siyu received it. */
export function eventTime(event: WecomCallbackEvent): Date {
  const t = int(event.fields.CreateTime);
  return t !== null && t > 0 ? new Date(t * 1000) : new Date(event.receivedAt);
}

/** MemChangeList's userids (`{ Item: [...] }`, a single Item, or comma-separated text). */
export function memChangeList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const items: unknown[] =
    typeof v === 'string'
      ? v.split(',')
      : Array.isArray(v)
        ? v
        : typeof v === 'object' && Array.isArray((v as { Item?: unknown }).Item)
          ? (v as { Item: unknown[] }).Item
          : typeof v === 'object' && typeof (v as { Item?: unknown }).Item === 'string'
            ? [(v as { Item: string }).Item]
            : [];
  return [...new Set(items.map((i) => text(i)).filter((s): s is string => s !== null))];
}

/** Customers' external_userids start with wm or wo (staff userids do not). */
export const isExternal = (userid: string) => /^w[mo]/.test(userid);
