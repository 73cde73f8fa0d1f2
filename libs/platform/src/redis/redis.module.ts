import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import IORedis, { Redis, RedisOptions } from 'ioredis';
import { AppConfig } from '../config/app-config';

export const REDIS = Symbol('REDIS');

export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    ...extra,
  };
}

@Injectable()
class RedisCloser implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}
  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** One shared ioredis connection for small things (rate limits, caches, health). */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        const client = new IORedis(redisOptions(config.get('REDIS_URL'), { maxRetriesPerRequest: 2 }));
        // ioredis reconnects by itself; log the outage (at most every 10 s) instead of crashing.
        const logger = new Logger('Redis');
        let last = 0;
        client.on('error', (err: Error) => {
          if (Date.now() - last < 10_000) return;
          last = Date.now();
          logger.warn(`redis unavailable: ${err.message}`);
        });
        return client;
      },
    },
    RedisCloser,
  ],
  exports: [REDIS],
})
export class PlatformRedisModule {}
