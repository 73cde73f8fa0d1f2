import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, REDIS } from '@siyu/platform';
import type { Job } from 'bullmq';
import { DelayedError } from 'bullmq';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

/** `points` per `durationSeconds`, per account, counted in Redis across every process. */
export interface RateLimit {
  points: number;
  durationSeconds: number;
}

export type RateDecision =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterMs: number; reason: 'limit' | 'blocked' | 'unavailable' };

const BLOCK_LONGER = `local cur = redis.call('pttl', KEYS[1])
if cur < tonumber(ARGV[1]) then redis.call('set', KEYS[1], '1', 'PX', ARGV[1]) end
return 1`;

/**
 * Per-account send limits that hold across many worker processes.
 *
 * Counting lives in Redis (rate-limiter-flexible's fixed windows: one atomic INCR + PEXPIRE per
 * acquire), so two workers, or twenty, share one budget per account. `block` records a server's
 * 45009 for the rest of its window: every process then refuses that account until the block ends.
 * It fails closed: when Redis cannot be asked, nothing is allowed (a retry a second later is
 * cheaper than breaking WeCom's limits).
 *
 * A processor that is refused defers its job with `deferJob` (moveToDelayed + DelayedError, not
 * counted as an attempt). We do not use `worker.rateLimit()` on shared queues: it pauses the whole
 * queue, i.e. every brand's account, when one account is over its limit.
 */
@Injectable()
export class ChannelRateLimiter {
  private readonly logger = new Logger(ChannelRateLimiter.name);
  private readonly limiters = new Map<string, RateLimiterRedis>();
  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.prefix = `${config.get('QUEUE_PREFIX')}:channels:rl`;
  }

  /** Takes `points` from the account's budget, or says how long to wait. Never throws. */
  async acquire(accountKey: string, limit: RateLimit, points = 1): Promise<RateDecision> {
    if (points > limit.points)
      throw new Error(`cannot take ${points} points from a budget of ${limit.points}`);
    try {
      const blocked = await this.redis.pttl(this.blockKey(accountKey));
      if (blocked > 0) return { allowed: false, retryAfterMs: blocked, reason: 'blocked' };
      const res = await this.limiter(limit).consume(accountKey, points);
      return { allowed: true, remaining: res.remainingPoints };
    } catch (err) {
      if (err instanceof RateLimiterRes)
        return { allowed: false, retryAfterMs: Math.max(1, err.msBeforeNext), reason: 'limit' };
      this.logger.warn({ err: (err as Error).message }, 'rate limiter unavailable; refusing');
      return { allowed: false, retryAfterMs: 1_000, reason: 'unavailable' };
    }
  }

  /** Refuses the account everywhere for `ms` (kept if a longer block is already in place). */
  async block(accountKey: string, ms: number): Promise<void> {
    await this.redis
      .eval(BLOCK_LONGER, 1, this.blockKey(accountKey), String(Math.max(1, Math.ceil(ms))))
      .catch((err: Error) => this.logger.warn({ err: err.message }, 'could not record a rate-limit block'));
  }

  /** The end of the account's current block, if any. */
  async blockedUntil(accountKey: string): Promise<Date | null> {
    const ms = await this.redis.pttl(this.blockKey(accountKey));
    return ms > 0 ? new Date(Date.now() + ms) : null;
  }

  private blockKey(accountKey: string): string {
    return `${this.prefix}:block:${accountKey}`;
  }

  private limiter(limit: RateLimit): RateLimiterRedis {
    const id = `${limit.points}-${limit.durationSeconds}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.prefix}:${id}`,
        points: limit.points,
        duration: limit.durationSeconds,
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }
}

/**
 * For processors: moves the job back to the delayed set until `retryAfterMs` has passed and ends
 * this run without counting an attempt. Other accounts' jobs on the same queue keep flowing.
 */
export async function deferJob(job: Job, token: string | undefined, retryAfterMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(retryAfterMs)), token);
  throw new DelayedError();
}
