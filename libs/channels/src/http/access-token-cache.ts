import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig, REDIS } from '@siyu/platform';
import type { Redis } from 'ioredis';
import { ChannelFailure, ChannelResult, fail, ok } from '../channel-errors';

/** Where a token comes from: a cache key (account + secret fingerprint) and the call that issues one. */
export interface TokenSource {
  /** e.g. `wecom-ww123-3fa2c1d0`: the account and a fingerprint of the secret it was issued for. */
  key: string;
  issue(): Promise<ChannelResult<{ token: string; expiresInSeconds: number }>>;
}

const COMPARE_AND_DELETE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long a process keeps a token it read from (or wrote to) Redis before reading it again. An OA
 * campaign calls once per recipient: without this, each call was a Redis round trip first. A token
 * the server refuses is forgotten at once (`invalidate`), so a token another process replaced costs
 * at most one refused call per process, which the client retries with the new one.
 */
export const TOKEN_MEMO_MS = 5_000;

/**
 * Access tokens shared by every process through Redis, refreshed by one caller at a time.
 *
 * A token is cached until shortly before its `expires_in` (a quarter of its life or five minutes,
 * whichever is shorter, is kept in hand). A miss takes a Redis lock (`SET NX PX`); the holder asks
 * the server and stores the token, the others poll the cache until it appears: N workers that find
 * the token gone make one gettoken call, not N (WeCom and WeChat limit gettoken, and a new OA
 * token invalidates the old one). Within one process, concurrent misses share one promise.
 * A token the server rejected (40014/42001) is deleted only if it is still the cached one, so a
 * late caller cannot throw away the token another process just fetched.
 */
@Injectable()
export class AccessTokenCache {
  private readonly logger = new Logger(AccessTokenCache.name);
  private readonly inflight = new Map<string, Promise<ChannelResult<string>>>();
  /** source key → the token and until when this process trusts it without asking Redis. */
  private readonly memo = new Map<string, { token: string; until: number }>();
  private readonly prefix: string;
  private readonly lockMs: number;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.prefix = `${config.get('QUEUE_PREFIX')}:channels:token`;
    this.lockMs = config.get('CHANNEL_HTTP_TIMEOUT_MS') + 2_000;
  }

  async get(source: TokenSource): Promise<ChannelResult<string>> {
    const memo = this.memo.get(source.key);
    if (memo && memo.until > Date.now()) return ok(memo.token);
    const cached = await this.read(source.key);
    if (cached) return ok(cached);
    let pending = this.inflight.get(source.key);
    if (!pending) {
      pending = this.refresh(source).finally(() => this.inflight.delete(source.key));
      this.inflight.set(source.key, pending);
    }
    return pending;
  }

  /** Forgets `stale` if it is still the cached token for this source. */
  async invalidate(source: TokenSource, stale: string): Promise<void> {
    if (this.memo.get(source.key)?.token === stale) this.memo.delete(source.key);
    await this.redis.eval(COMPARE_AND_DELETE, 1, this.cacheKey(source.key), stale).catch(() => undefined);
  }

  private cacheKey(key: string): string {
    return `${this.prefix}:${key}`;
  }

  /** The token Redis holds for `key` (memoised for up to TOKEN_MEMO_MS, never past its TTL). */
  private async read(key: string): Promise<string | null> {
    try {
      const replies = await this.redis.multi().get(this.cacheKey(key)).pttl(this.cacheKey(key)).exec();
      const token = replies?.[0]?.[1] as string | null | undefined;
      const ttl = Number(replies?.[1]?.[1] ?? 0);
      if (!token) return null;
      this.remember(key, token, ttl);
      return token;
    } catch {
      return null;
    }
  }

  private remember(key: string, token: string, ttlMs: number): void {
    if (ttlMs > 0) this.memo.set(key, { token, until: Date.now() + Math.min(TOKEN_MEMO_MS, ttlMs) });
  }

  private async refresh(source: TokenSource): Promise<ChannelResult<string>> {
    const key = this.cacheKey(source.key);
    const lock = `${key}:lock`;
    const me = randomBytes(8).toString('hex');
    const deadline = Date.now() + this.lockMs * 2;
    while (Date.now() < deadline) {
      let held: string | null;
      try {
        held = await this.redis.set(lock, me, 'PX', this.lockMs, 'NX');
      } catch (err) {
        // Redis is unavailable: fetch without sharing rather than stop sending.
        this.logger.warn({ err: (err as Error).message }, 'token cache unavailable; fetching directly');
        return this.issue(source, null);
      }
      if (held === 'OK') {
        try {
          const raced = await this.read(source.key);
          if (raced) return ok(raced);
          return await this.issue(source, key);
        } finally {
          await this.redis.eval(COMPARE_AND_DELETE, 1, lock, me).catch(() => undefined);
        }
      }
      await sleep(25 + Math.random() * 25);
      const now = await this.read(source.key);
      if (now) return ok(now);
    }
    return fail(this.timeout());
  }

  private async issue(source: TokenSource, key: string | null): Promise<ChannelResult<string>> {
    const issued = await source.issue();
    if (!issued.ok) return issued;
    const lifeMs = issued.value.expiresInSeconds * 1000;
    const ttl = Math.max(1, lifeMs - Math.min(300_000, Math.floor(lifeMs / 4)));
    if (key) {
      await this.redis.set(key, issued.value.token, 'PX', ttl).catch(() => undefined);
      this.remember(source.key, issued.value.token, ttl);
    }
    return ok(issued.value.token);
  }

  private timeout(): ChannelFailure {
    return {
      class: 'retryable',
      errcode: null,
      errmsg: 'timed out waiting for another process to refresh the access token',
      api: 'token',
    };
  }
}
