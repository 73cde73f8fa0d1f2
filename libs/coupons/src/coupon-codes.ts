import { randomInt } from 'node:crypto';
import { CODE_ALPHABET, MAX_CODE_LENGTH, MAX_CODE_SPACE_DENSITY, MIN_CODE_LENGTH } from './coupons.constants';

const ALPHABET = CODE_ALPHABET;
const N = ALPHABET.length;

/** One code: the brand's prefix and `length` characters drawn with crypto.randomInt (a CSPRNG). */
export function randomCode(prefix: string, length: number): string {
  let s = prefix;
  for (let i = 0; i < length; i++) s += ALPHABET[randomInt(N)];
  return s;
}

/** `count` codes (duplicates possible; the database's unique key finds them). */
export function randomCodes(prefix: string, length: number, count: number): string[] {
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) out[i] = randomCode(prefix, length);
  return out;
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
