import { randomFillSync, randomInt } from 'node:crypto';
import { CODE_ALPHABET, MAX_CODE_LENGTH, MAX_CODE_SPACE_DENSITY, MIN_CODE_LENGTH } from './coupons.constants';

const ALPHABET = CODE_ALPHABET;
const N = ALPHABET.length;
const ALPHABET_BYTES = Buffer.from(ALPHABET, 'ascii');
/**
 * The largest multiple of 31 a byte can hold (8 × 31 = 248): a byte below it, taken mod 31, is
 * uniform over the alphabet; a byte at or above it would favour the first 8 characters, so it is
 * thrown away (rejection sampling, 8 of 256 bytes).
 */
const BYTE_LIMIT = Math.floor(256 / N) * N;
/** Random bytes drawn from the CSPRNG at a time (one call per ~60,000 characters, not one per character). */
const POOL_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** One code: the brand's prefix and `length` characters drawn with crypto.randomInt (a CSPRNG). */
export function randomCode(prefix: string, length: number): string {
  let s = prefix;
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(N)];
  return s;
}

/**
 * `count` codes, one per line (`\n` after each), written into one Buffer: the shape COPY reads.
 *
 * The characters come from `crypto.randomFillSync`, which is the CSPRNG `crypto.randomInt` itself
 * draws from (OpenSSL's RAND_bytes behind both); randomInt turns its bytes into a number below N
 * by rejection sampling, and so does this, per byte: a byte below 248 gives `byte % 31`, a byte of
 * 248 or more is dropped. So each character is uniform over the alphabet and independent of the
 * others, exactly as with randomInt(31) — only the bytes are asked for 64 KiB at a time instead of
 * through one call per character, and no string is made per code (a million codes: one Buffer).
 */
export function randomCodeLines(prefix: string, length: number, count: number): Buffer {
  const head = Buffer.from(prefix, 'ascii');
  const width = head.length + length + 1;
  const out = Buffer.allocUnsafe(count * width);
  const pool = Buffer.allocUnsafe(POOL_BYTES);
  let p = POOL_BYTES;
  let o = 0;
  for (let i = 0; i < count; i++) {
    head.copy(out, o);
    o += head.length;
    for (let k = 0; k < length;) {
      if (p === POOL_BYTES) {
        randomFillSync(pool);
        p = 0;
      }
      const b = pool[p++];
      if (b < BYTE_LIMIT) {
        out[o++] = ALPHABET_BYTES[b % N];
        k++;
      }
    }
    out[o++] = NEWLINE;
  }
  return out;
}

/** `count` codes as strings (duplicates possible; the database's unique key finds them). */
export function randomCodes(prefix: string, length: number, count: number): string[] {
  if (count === 0) return [];
  const lines = randomCodeLines(prefix, length, count).toString('ascii');
  return lines.slice(0, -1).split('\n');
}

/** How many different codes a length allows: 31^length. */
export const codeSpace = (length: number): number => N ** length;

export interface Feasibility {
  ok: boolean;
  /** (codes already there + codes asked for) / the code space. */
  density: number;
  /** Expected share of freshly drawn codes that collide with one already taken, at the end. */
  collisionRate: number;
  /** The shortest length that would hold them within MAX_CODE_SPACE_DENSITY. */
  minLength: number | null;
}

/**
 * Whether `count` more codes fit a template's code space (`existing` already use it): the codes may
 * fill at most MAX_CODE_SPACE_DENSITY of 31^length, so a guess rarely hits a real code and a drawn
 * code rarely collides (the last one collides with probability ≈ density). 1,000,000 codes of
 * length 4 (923,521 possible) are refused.
 */
export function feasibility(existing: number, count: number, length: number): Feasibility {
  const total = existing + count;
  const density = total / codeSpace(length);
  let minLength: number | null = null;
  for (let l = MIN_CODE_LENGTH; l <= MAX_CODE_LENGTH; l++)
    if (total / codeSpace(l) <= MAX_CODE_SPACE_DENSITY) {
      minLength = l;
      break;
    }
  return { ok: density <= MAX_CODE_SPACE_DENSITY, density, collisionRate: Math.min(1, density), minLength };
}

/** Codes as people type them: upper case, spaces and dashes between groups ignored. */
export function normaliseCode(raw: string): string {
  return raw.trim().toUpperCase().replace(/\s+/g, '');
}
