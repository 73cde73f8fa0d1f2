import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { createHmac, createSecretKey, KeyObject } from 'node:crypto';
import { AppConfig, REDIS } from '@siyu/platform';
import type { Redis } from 'ioredis';
import { CLICK_STREAM } from './conversions.constants';

/**
 * A click as it travels: code, HMAC of the client address, epoch ms, HMAC of the browser's device
 * id (or null). Nothing else leaves the API.
 */
export type ClickTuple = [code: string, ipHash: string, at: number, deviceHash: string | null];

const FLUSH_MS = 100;
const FLUSH_AT = 500;
/** While Redis is away clicks wait here; beyond this many the oldest are dropped (and said so). */
const MAX_BUFFERED = 50_000;
/** The stream is trimmed near this length; the drainer keeps it far below in normal running. */
const STREAM_MAX_LEN = 1_000_000;

/**
 * Logs clicks off the redirect's path: `record` only appends to an in-process buffer; every 100 ms
 * (or 500 clicks) the buffer goes to a Redis stream as one entry, and the worker's ClickDrainer
 * writes them to Postgres in batches. Clicks are measurements, not work, so they travel before
 * they have a row: the redirect must not wait on Postgres. Addresses are hashed here, so a raw
 * IP never reaches Redis or the database.
 */
@Injectable()
export class ClickRecorder implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger(ClickRecorder.name);
  private readonly stream: string;
  /** A key object made once: createHmac then skips turning the secret string into a key per call. */
  private readonly ipKey: KeyObject;
  private buffer: ClickTuple[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private dropped = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.stream = `${config.get('QUEUE_PREFIX')}:${CLICK_STREAM}`;
    this.ipKey = createSecretKey(Buffer.from(config.piiHmacSecret, 'utf8'));
  }

  hashIp(ip: string): string {
    return createHmac('sha256', this.ipKey).update(ip).digest('hex');
  }

  record(code: string, ip: string, at = Date.now(), device: string | null = null): void {
    this.buffer.push([code, this.hashIp(ip), at, device === null ? null : this.hashIp(device)]);
    if (this.buffer.length > MAX_BUFFERED) {
      this.dropped += this.buffer.length - MAX_BUFFERED;
      this.buffer.splice(0, this.buffer.length - MAX_BUFFERED);
    }
    if (this.buffer.length >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Sends what is buffered as one stream entry; on failure the clicks go back to wait for the next try. */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) return this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.redis
      .xadd(this.stream, 'MAXLEN', '~', String(STREAM_MAX_LEN), '*', 'c', JSON.stringify(batch))
      .then(() => {
        if (this.dropped > 0) this.logger.warn(`${this.dropped} clicks were dropped while Redis was away`);
        this.dropped = 0;
      })
      .catch((err: Error) => {
        this.buffer = batch.concat(this.buffer).slice(-MAX_BUFFERED);
        this.logger.warn(`clicks wait in memory, Redis refused them: ${err.message}`);
        this.timer ??= setTimeout(() => void this.flush(), 1_000);
      })
      .finally(() => {
        this.flushing = null;
        if (this.buffer.length > 0)
          this.timer ??= setTimeout(() => void this.flush(), this.buffer.length >= FLUSH_AT ? 0 : FLUSH_MS);
      });
    return this.flushing;
  }

  /** A stopping API hands its buffered clicks over (a few tries: one may be in flight). */
  async beforeApplicationShutdown(): Promise<void> {
    for (let i = 0; i < 3 && (this.buffer.length > 0 || this.flushing); i++) await this.flush();
  }

  onModuleDestroy(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
