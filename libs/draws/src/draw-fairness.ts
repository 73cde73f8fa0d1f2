import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The provably fair scheme, kept free of I/O so that it is the one place results come from.
 *
 * - Seed: 32 bytes from the CSPRNG, made when the draw is published (before it opens).
 * - Commitment: SHA-256(seed), lowercase hex, published from then on (disclosure, verify).
 * - Roll of an entry: HMAC-SHA256(key = seed, message = the entry id as lowercase UUID text, UTF-8).
 *   The 32-byte MAC read as one unsigned big-endian 256-bit integer, modulo the total weight W,
 *   gives r in [0, W). Modulo bias is at most W / 2^256 (W ≤ 5·10^10 here, so < 2^-220): nothing
 *   a test or an attacker could ever see, and no rejection loop for verifiers to get wrong.
 * - Table: the prizes in `position` order, then the fallback (its weight may be 0); the entry draws
 *   the first slot whose running total of weights exceeds r. The table is fixed when the draw is
 *   published, so every roll can be recomputed from (seed, entry id, table) alone.
 * - Stock: when the slot drawn is a prize whose stock is gone, the entry gets the fallback
 *   (`out_of_stock`); the roll itself never changes, which is why an exhausted prize's share falls
 *   to the fallback.
 */
export const SEED_BYTES = 32;

export function newSeed(): Buffer {
  return randomBytes(SEED_BYTES);
}

export function commitmentOf(seed: Buffer): string {
  return createHash('sha256').update(seed).digest('hex');
}

export interface RollResult {
  /** The MAC, hex. */
  mac: string;
  /** MAC mod total weight. */
  r: bigint;
  /** Index into `weights` (the last index is the fallback when the caller appended it). */
  slot: number;
}

/** Rolls entry `entryId` on `weights` (prizes in position order, then the fallback). */
export function roll(seed: Buffer, entryId: string, weights: readonly number[]): RollResult {
  const mac = createHmac('sha256', seed).update(entryId.toLowerCase(), 'utf8').digest('hex');
  const total = weights.reduce((s, w) => s + BigInt(w), 0n);
  if (total <= 0n) throw new Error('a draw table needs a positive total weight');
  const r = BigInt(`0x${mac}`) % total;
  let acc = 0n;
  for (let i = 0; i < weights.length; i++) {
    acc += BigInt(weights[i]);
    if (r < acc) return { mac, r, slot: i };
  }
  throw new Error('unreachable: r < total');
}
