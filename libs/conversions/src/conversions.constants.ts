/** Short codes: base62, from a CSPRNG. 62^10 ≈ 8.4e17, so a guessed code is almost never a real one. */
export const CODE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const LINK_CODE_LENGTH = 10;
/** What `GET /r/:code` accepts before it looks anything up (anything else is a 404 at once). */
export const CODE_PATTERN = /^[0-9A-Za-z]{8,16}$/;

export const UTM_KEYS = ['source', 'medium', 'campaign', 'term', 'content'] as const;
export type UtmKey = (typeof UTM_KEYS)[number];
export type Utm = Partial<Record<UtmKey, string>>;

/** Which rule attributed an order (see the README's Attribution section). */
export const ATTRIBUTION_RULES = ['coupon', 'link_code', 'last_click', 'none'] as const;
export type AttributionRule = (typeof ATTRIBUTION_RULES)[number];

export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 7;
export const MAX_ATTRIBUTION_WINDOW_DAYS = 90;
/** A repeated click from the same IP on the same code within this long is counted once. */
export const CLICK_DEDUPE_INTERVAL = '1 hour';

/** The Redis stream clicks travel on, from the API's redirect to the worker's drainer. */
export const CLICK_STREAM = 'link-clicks';
export const CLICK_GROUP = 'drainers';

export const sqlList = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
