import { ConflictException } from '@siyu/platform';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';

/**
 * Thrown when something this transaction read moved under it before it took its locks (a merge
 * moved the order's member, a member was merged away): the whole transaction is run again.
 */
export class RetryTransaction extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

const ATTEMPTS = 4;

const isDeadlock = (err: unknown) =>
  err instanceof QueryFailedError &&
  (err as QueryFailedError & { driverError?: { code?: string } }).driverError?.code === '40P01';

/**
 * Runs `fn` in the caller's transaction when one is given, else in one of its own, retried when it
 * asked for a retry or lost a deadlock. In the caller's transaction a retry is the caller's to make.
 */
export async function inTransaction<T>(
  ds: DataSource,
  manager: EntityManager | undefined,
  fn: (m: EntityManager) => Promise<T>,
): Promise<T> {
  if (manager) {
    try {
      return await fn(manager);
    } catch (err) {
      if (err instanceof RetryTransaction)
        throw new ConflictException('ORDER_CONCURRENT_CHANGE', `Retry: ${err.message}`);
      throw err;
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await ds.transaction(fn);
    } catch (err) {
      if (attempt >= ATTEMPTS || !(err instanceof RetryTransaction || isDeadlock(err))) {
        if (err instanceof RetryTransaction)
          throw new ConflictException('ORDER_CONCURRENT_CHANGE', `Retry: ${err.message}`);
        throw err;
      }
    }
  }
}

export interface LockedMember {
  id: string;
  erasedAt: Date | null;
  mergedInto: string | null;
}

/**
 * Row locks on members, in id order: every transaction that changes a member's orders takes them
 * first, so its aggregates are recomputed by one transaction at a time and nobody deadlocks.
 */
export async function lockMembers(
  m: EntityManager,
  brandId: string,
  ids: Iterable<string>,
): Promise<LockedMember[]> {
  const list = [...new Set(ids)].sort();
  if (list.length === 0) return [];
  const rows: Array<{ id: string; erased_at: Date | null; merged_into: string | null }> = await m.query(
    `SELECT id, erased_at, merged_into FROM members WHERE brand_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
    [brandId, list],
  );
  return rows.map((r) => ({ id: r.id, erasedAt: r.erased_at, mergedInto: r.merged_into }));
}
