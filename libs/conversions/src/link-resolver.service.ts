import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, REDIS } from '@siyu/platform';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { DataSource } from 'typeorm';
import type { Utm } from './conversions.constants';
import { withUtm } from './destination';

/** Where a code leads (UTM already appended), or that no such code exists. */
export type CodeTarget = { url: string } | { missing: true };

const LOCAL_ENTRIES = 100_000;
/** Links never change once made, so a found code can stay long; an unknown one is asked again soon. */
const LOCAL_TTL_MS = 10 * 60_000;
const MISSING_TTL_MS = 30_000;
const SHARED_TTL_SECONDS = 7 * 86_400;
const REDIS_TIMEOUT_MS = 100;

class LookupTimeout extends Error {}

/** `get` options for a fresh hit only (one object: lru-cache writes its status field into it). */
const FRESH_ONLY = { allowStale: false };

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LookupTimeout(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * code → destination for the redirect, in three tiers: an in-process LRU (no I/O on a hit), Redis
 * shared by every API process (filled on the first miss, kept a week), and Postgres with a short
 * timeout. An entry past its TTL is served stale while it is refreshed in the background, and
 * kept when the refresh fails, so known codes keep redirecting while Postgres is slow or down.
 */
@Injectable()
export class LinkResolver {
  private readonly logger = new Logger(LinkResolver.name);
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private readonly cache: LRUCache<string, CodeTarget>;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.prefix = `${config.get('QUEUE_PREFIX')}:link:`;
    this.timeoutMs = config.get('LINK_LOOKUP_TIMEOUT_MS');
    this.cache = new LRUCache<string, CodeTarget>({
      max: LOCAL_ENTRIES,
      ttl: LOCAL_TTL_MS,
      allowStale: true,
      // `cached` asks for fresh entries only; a stale one stays for `resolve` to serve and refresh.
      noDeleteOnStaleGet: true,
      noDeleteOnFetchRejection: true,
      allowStaleOnFetchRejection: true,
      fetchMethod: (code, _stale, { options }) => this.load(code, options),
    });
  }

  /**
   * Where `code` leads when the in-process cache has it fresh (no I/O, no promise: the redirect's
   * common case); undefined otherwise, and then `resolve` answers (stale-while-revalidate, Redis,
   * Postgres).
   */
  cached(code: string): CodeTarget | undefined {
    return this.cache.get(code, FRESH_ONLY);
  }

  /** Where `code` leads; rejects only when the code is not cached anywhere and Postgres did not answer. */
  async resolve(code: string): Promise<CodeTarget> {
    const t = await this.cache.fetch(code);
    if (!t) throw new LookupTimeout(`no answer for ${code}`);
    return t;
  }

  private async load(code: string, options: { ttl?: number }): Promise<CodeTarget> {
    const shared = await within(this.redis.get(this.prefix + code), REDIS_TIMEOUT_MS, 'redis').catch(
      () => null,
    );
    if (shared) return { url: shared };
    const rows: Array<{ destination: string; utm: Utm }> = await within(
      this.ds.query(
        `SELECT l.destination, l.utm FROM link_codes c JOIN tracked_links l ON l.id = c.link_id WHERE c.code = $1`,
        [code],
      ),
      this.timeoutMs,
      'postgres',
    );
    if (rows.length === 0) {
      options.ttl = MISSING_TTL_MS;
      return { missing: true };
    }
    const url = withUtm(rows[0].destination, rows[0].utm);
    this.redis
      .set(this.prefix + code, url, 'EX', SHARED_TTL_SECONDS)
      .catch((err: Error) => this.logger.warn(`link cache not shared: ${err.message}`));
    return { url };
  }
}
