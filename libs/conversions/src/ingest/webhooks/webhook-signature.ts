import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a generic delivery's timestamp may be from our clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/**
 * The generic webhook's signature: hex HMAC-SHA256, keyed by the source's secret, over
 * `<timestamp>.<raw body>` (the timestamp header's value, a dot, the exact bytes sent), so a
 * captured body cannot be replayed later under a fresh timestamp.
 */
export function genericSignature(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** Shopify's X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body, keyed by the app's secret. */
export function shopifySignature(secret: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/** Constant-time comparison of two signatures as bytes; a length mismatch is simply false. */
export function signaturesEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The generic header value: `sha256=<hex>` or the bare hex; anything else is no signature. */
export function parseGenericSignatureHeader(value: string | undefined): string | null {
  if (!value) return null;
  const hex = value.trim().replace(/^sha256=/i, '');
  return /^[0-9a-f]{64}$/i.test(hex) ? hex.toLowerCase() : null;
}

/** A unix timestamp in seconds within the tolerance of `now`; false for anything else. */
export function timestampFresh(value: string | undefined, nowMs: number): boolean {
  if (!value || !/^\d{1,12}$/.test(value)) return false;
  return Math.abs(nowMs / 1000 - Number(value)) <= SIGNATURE_TOLERANCE_SECONDS;
}
