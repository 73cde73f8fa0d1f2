import { randomInt } from 'node:crypto';
import { CODE_ALPHABET, LINK_CODE_LENGTH } from './conversions.constants';

/** A short code from the CSPRNG (`crypto.randomInt` is uniform over the alphabet, no modulo bias). */
export function randomLinkCode(length = LINK_CODE_LENGTH): string {
  let out = '';
  for (let i = 0; i < length; i++) out += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return out;
}

export const randomLinkCodes = (n: number): string[] => Array.from({ length: n }, () => randomLinkCode());
