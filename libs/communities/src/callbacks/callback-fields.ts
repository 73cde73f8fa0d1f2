import type { WecomCallbackEvent } from '@siyu/channels';

/** A non-empty trimmed string field, or null. */
export function text(v: unknown): string | null {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
}

/** An integer field (the XML keeps every value a string), or null. */
export function int(v: unknown): number | null {
  const s = text(v);
  return s !== null && /^-?\d{1,15}$/.test(s) ? Number(s) : null;
}

/** When WeCom says the change happened (CreateTime, unix seconds); else when Siyu received it. */
export function eventTime(event: WecomCallbackEvent): Date {
  const t = int(event.fields.CreateTime);
  return t !== null && t > 0 ? new Date(t * 1000) : new Date(event.receivedAt);
}

/**
 * MemChangeList's userids: `<MemChangeList><Item>a</Item><Item>b</Item></MemChangeList>` (parsed
 * as `{ Item: [...] }`), or the older comma-separated text. Null when absent or unreadable.
 */
export function memChangeList(v: unknown): string[] | null {
  if (v === undefined || v === null) return null;
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
  const ids = [...new Set(items.map(text).filter((s): s is string => s !== null && s.length <= 64))];
  return ids.length > 0 ? ids : null;
}
