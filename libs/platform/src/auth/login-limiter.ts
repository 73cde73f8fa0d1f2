import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config';
import { REDIS } from '../redis/redis.module';
import { AuthException } from './auth.errors';

/**
 * Failed logins are limited per account and per IP (shared by every API process through Redis,
 * with an in-memory insurance limiter if Redis is down). A success clears the account's count.
 */
@Injectable()
export class LoginLimiter {
  private readonly byAccount: RateLimiterRedis;
  private readonly byIp: RateLimiterRedis;

  constructor(@Inject(REDIS) redis: Redis, config: AppConfig) {
    const duration = config.get('LOGIN_FAILURE_WINDOW_SECONDS');
    const prefix = `${config.get('QUEUE_PREFIX')}:login`;
    const make = (kind: string, points: number) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}:${kind}`,
        points,
        duration,
        blockDuration: duration,
        insuranceLimiter: new RateLimiterMemory({ points, duration, blockDuration: duration }),
      });
    this.byAccount = make('acct', config.get('LOGIN_MAX_FAILURES_PER_ACCOUNT'));
    this.byIp = make('ip', config.get('LOGIN_MAX_FAILURES_PER_IP'));
  }

  /** Throws 429 when either the account or the IP is already over its limit. */
  async assertAllowed(account: string, ip: string): Promise<void> {
    const [a, i] = await Promise.all([this.byAccount.get(account), this.byIp.get(ip)]);
    const blocked = [a && a.remainingPoints <= 0 ? a : null, i && i.remainingPoints <= 0 ? i : null].filter(
      (r): r is RateLimiterRes => r !== null,
    );
    if (blocked.length > 0) {
      throw AuthException.tooManyAttempts(Math.ceil(Math.max(...blocked.map((r) => r.msBeforeNext)) / 1000));
    }
  }

  async recordFailure(account: string, ip: string): Promise<void> {
    await Promise.all([
      this.byAccount.consume(account).catch(() => undefined),
      this.byIp.consume(ip).catch(() => undefined),
    ]);
  }

  async recordSuccess(account: string): Promise<void> {
    await this.byAccount.delete(account).catch(() => undefined);
  }
}
