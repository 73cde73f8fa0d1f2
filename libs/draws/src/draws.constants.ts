/** What is stored: a draft, a published draw (committed seed, fixed table), or one closed early. */
export const DRAW_STATUSES = ['draft', 'published', 'closed'] as const;
export type DrawStatus = (typeof DRAW_STATUSES)[number];

/** What callers see: `published` splits into scheduled / open by the window; past its end it is closed. */
export const DRAW_STATES = ['draft', 'scheduled', 'open', 'closed'] as const;
export type DrawState = (typeof DRAW_STATES)[number];

export const PRIZE_KINDS = ['coupon', 'physical'] as const;
export type PrizeKind = (typeof PRIZE_KINDS)[number];

export const ENTRY_OUTCOMES = ['won', 'fallback'] as const;
export type EntryOutcome = (typeof ENTRY_OUTCOMES)[number];

/** Why an entry got the fallback: it drew it, the prize it drew had no stock left, or could not be issued. */
export const FALLBACK_REASONS = ['drawn', 'out_of_stock', 'prize_unavailable'] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

export const MAX_PRIZES = 50;
export const MAX_WEIGHT = 1_000_000_000;
export const MAX_STOCK = 100_000_000;
export const DEFAULT_FALLBACK_NAME = '谢谢参与';

export const sqlList = (xs: readonly string[]) => xs.map((x) => `'${x}'`).join(', ');
