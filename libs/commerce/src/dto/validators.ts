import { isISO8601, registerDecorator, ValidationOptions } from 'class-validator';
import { MAX_AMOUNT_MINOR } from '../commerce.constants';

/** Text Postgres can store: no NUL characters (`each` for arrays of strings). */
export function HasNoNul(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'hasNoNul',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: `${String(propertyName)} must not contain NUL characters`, ...options },
      validator: { validate: (v: unknown) => typeof v !== 'string' || !v.includes('\u0000') },
    });
}

/** Printable ASCII without spaces, 1–128 characters: the shape of stores' order and refund ids. */
export const EXTERNAL_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/**
 * An amount in minor units as the API accepts it: a JSON integer (exact only up to 2^53, which the
 * cap is below) or a string of digits, between `min` and MAX_AMOUNT_MINOR. Floats, exponents,
 * signs and anything larger are refused, so an amount is never rounded on its way in.
 */
export function parseMinorUnits(v: unknown, min = 0n): bigint | null {
  let n: bigint;
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) return null;
    n = BigInt(v);
  } else if (typeof v === 'string') {
    if (!/^\d{1,19}$/.test(v)) return null;
    n = BigInt(v);
  } else {
    return null;
  }
  return n >= min && n <= MAX_AMOUNT_MINOR ? n : null;
}

/** `12800` or `"12800"`: integer minor units (cents, fen), `min` (default 0) to 10^15 - 1. */
export function IsMinorUnits(opts: { min?: bigint } = {}, options?: ValidationOptions): PropertyDecorator {
  const min = opts.min ?? 0n;
  return (target, propertyName) =>
    registerDecorator({
      name: 'isMinorUnits',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an integer amount in minor units (a JSON integer or a string of digits) from ${min} to ${MAX_AMOUNT_MINOR}`,
        ...options,
      },
      validator: { validate: (v: unknown) => parseMinorUnits(v, min) !== null },
    });
}

const OFFSET = /(Z|[+-]\d{2}(:?\d{2})?)$/i;
const EARLIEST = Date.UTC(2000, 0, 1);
/** Clock skew a store's "now" may have over ours. */
const FUTURE_SLACK_MS = 24 * 3_600_000;

export function isInstant(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 40) return false;
  if (!isISO8601(v, { strict: true, strictSeparator: true }) || !OFFSET.test(v) || !v.includes('T'))
    return false;
  const t = Date.parse(v);
  return Number.isFinite(t) && t >= EARLIEST && t <= Date.now() + FUTURE_SLACK_MS;
}

/** An ISO 8601 date-time with its UTC offset (`2025-06-18T20:15:00+08:00`), 2000 to now. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be an ISO 8601 date-time with an offset (2025-06-18T20:15:00+08:00), from 2000 until now`,
        ...options,
      },
      validator: { validate: isInstant },
    });
}
