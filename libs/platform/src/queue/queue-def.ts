import type { JobsOptions } from 'bullmq';

/** A queue declared with the type of its payload, so producers and processors agree. */
export interface QueueDef<T> {
  readonly name: string;
  readonly jobOptions?: JobsOptions;
  /** Phantom field carrying the payload type; never set. */
  readonly __payload?: T;
}

export type PayloadOf<Q> = Q extends QueueDef<infer T> ? T : never;

export function defineQueue<T>(name: string, jobOptions?: JobsOptions): QueueDef<T> {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`queue name "${name}" must be kebab-case`);
  return { name, jobOptions };
}

/**
 * Defaults for every job: retries with exponential backoff and jitter, completed jobs trimmed by
 * age and count, failed jobs kept for inspection for a week.
 */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 1_000, jitter: 0.5 },
  removeOnComplete: { age: 3_600, count: 5_000 },
  removeOnFail: { age: 7 * 24 * 3_600 },
};

/** BullMQ job ids may not contain ':'; ours are `<kind>-<id>`. */
export function jobId(...parts: Array<string | number>): string {
  const id = parts.join('-');
  if (id.includes(':')) throw new Error(`job id "${id}" must not contain ':'`);
  return id;
}
