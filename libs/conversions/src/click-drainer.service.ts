import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig, REDIS } from '@siyu/platform';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import type { ClickTuple } from './click-recorder.service';
import { CLICK_DEDUPE_INTERVAL, CLICK_GROUP, CLICK_STREAM, CODE_PATTERN } from './conversions.constants';

/** Stream entries per read (each holds up to ~500 clicks from one API process). */
const ENTRIES_PER_READ = 50;
/** An entry another drainer read but did not acknowledge for this long is taken over. */
const CLAIM_IDLE_MS = 30_000;
/** Serialises drains across worker processes, so de-duplication sees every earlier click. */
const DRAIN_LOCK = 0x6c696e6b; // 'link'

type StreamEntries = Array<[id: string, fields: string[]]>;

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * A click from the stream as the API sends it, or null: a code, a 64-hex address hash and epoch ms
 * of 10–15 digits, and a 64-hex device hash (anything else there counts as none). Checked here, not
 * in SQL: Postgres's regular expressions over every row cost a third of the insert's CPU.
 */
export function wellFormedClick(x: unknown): ClickTuple | null {
  if (!Array.isArray(x)) return null;
  const [code, ipHash, at, device] = x as unknown[];
  if (typeof code !== 'string' || !CODE_PATTERN.test(code)) return null;
  if (typeof ipHash !== 'string' || !HEX64.test(ipHash)) return null;
  if (typeof at !== 'number' || !Number.isInteger(at) || at < 1e9 || at >= 1e15) return null;
  const deviceHash = typeof device === 'string' && HEX64.test(device) ? device : null;
  // As the API sends it: the tuple itself, no copy.
  if (x.length === 4 && device === deviceHash) return x as ClickTuple;
  return [code, ipHash, at, deviceHash];
}

/**
 * The first click of each code and address hash (the earliest; the first read among equals), in
 * the order they came: a batch counts a visitor once, as `link_clicks`' same-address rule counts
 * it against the clicks already written. Done here rather than by `DISTINCT ON` in the insert,
 * whose sort on the 64-character hashes is Postgres CPU on the same cores as the redirect.
 */
export function firstPerVisitor(clicks: ClickTuple[]): ClickTuple[] {
  const firsts = new Map<string, number>();
  const out: ClickTuple[] = [];
  for (const c of clicks) {
    const key = c[0] + ' ' + c[1];
    const at = firsts.get(key);
    if (at === undefined) {
      firsts.set(key, out.length);
      out.push(c);
    } else if (c[2] < out[at][2]) out[at] = c;
  }
  return out;
}

/**
 * Writes logged clicks to `link_clicks` in batches. Reads the Redis stream as a consumer group,
 * inserts one batch set-wise (code → link, member, campaign, variant, group, live session,
 * partner), then acknowledges: at least once, and a re-read batch inserts nothing because the
 * same-IP rule below drops a click already written. Counted once: a click whose code and hashed IP
 * already have a click within an hour of it (within a batch, the first per code and IP). An
 * unknown code is dropped. Justification for a timer over a BullMQ repeatable job: the stream is
 * the queue already; a job per tick would add Redis round trips and nothing a consumer group lacks
 * (pending entries, take-over of a dead consumer's entries).
 */
@Injectable()
export class ClickDrainer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ClickDrainer.name);
  private readonly stream: string;
  private readonly consumer = `${hostname()}-${process.pid}`;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    config: AppConfig,
  ) {
    this.stream = `${config.get('QUEUE_PREFIX')}:${CLICK_STREAM}`;
    this.intervalMs = config.get('CLICK_DRAIN_INTERVAL_MS');
  }

  onApplicationBootstrap(): void {
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => 0);
  }

  /** Drains everything there is now; answers how many clicks were written. */
  async drain(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.drainAll().finally(() => (this.running = null));
    return this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.drain()
        .catch((err: Error) => this.logger.warn(`click drain failed, will retry: ${err.message}`))
        .finally(() => this.schedule());
    }, this.intervalMs);
  }

  private async drainAll(): Promise<number> {
    await this.ensureGroup();
    let written = 0;
    // Entries a dead drainer left unacknowledged first, then new ones.
    const [, claimed] = (await this.redis.xautoclaim(
      this.stream,
      CLICK_GROUP,
      this.consumer,
      CLAIM_IDLE_MS,
      '0-0',
      'COUNT',
      ENTRIES_PER_READ,
    )) as [string, StreamEntries];
    if (claimed.length > 0) written += await this.writeAndAck(claimed);
    for (;;) {
      const res = (await this.redis.xreadgroup(
        'GROUP',
        CLICK_GROUP,
        this.consumer,
        'COUNT',
        ENTRIES_PER_READ,
        'STREAMS',
        this.stream,
        '>',
      )) as Array<[string, StreamEntries]> | null;
      const entries = res?.[0]?.[1] ?? [];
      if (entries.length === 0) return written;
      written += await this.writeAndAck(entries);
      if (entries.length < ENTRIES_PER_READ) return written;
    }
  }

  private async ensureGroup(): Promise<void> {
    // After a Redis flush the stream and its group are gone: recreate them (clicks in flight then are lost).
    await this.redis.xgroup('CREATE', this.stream, CLICK_GROUP, '0', 'MKSTREAM').catch((err: Error) => {
      if (!err.message.includes('BUSYGROUP')) throw err;
    });
  }

  private async writeAndAck(entries: StreamEntries): Promise<number> {
    const clicks: ClickTuple[] = [];
    let malformed = 0;
    for (const [, fields] of entries) {
      const at = fields.indexOf('c');
      if (at < 0) continue;
      let batch: unknown;
      try {
        batch = JSON.parse(fields[at + 1]);
      } catch {
        this.logger.warn('a click entry that is not JSON was dropped');
        continue;
      }
      if (!Array.isArray(batch)) continue;
      for (const x of batch) {
        const click = wellFormedClick(x);
        if (click) clicks.push(click);
        else malformed++;
      }
    }
    if (malformed > 0) this.logger.warn(`${malformed} malformed clicks were dropped`);
    const written = clicks.length > 0 ? await this.write(clicks) : 0;
    const ids = entries.map(([id]) => id);
    await this.redis
      .multi()
      .xack(this.stream, CLICK_GROUP, ...ids)
      .xdel(this.stream, ...ids)
      .exec();
    return written;
  }

  private async write(clicks: ClickTuple[]): Promise<number> {
    return this.ds.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock($1)`, [DRAIN_LOCK]);
      // The clicks are well formed (wellFormedClick) and one per code and address (firstPerVisitor),
      // so no per-row pattern check or DISTINCT ON here; the command's row count is the answer (no
      // RETURNING to collect). Epoch ms as float8 / 1000 is the same instant as the numeric
      // bigint / 1000.0 (an integer below 2^53, a correctly rounded division), at a third of the cost.
      const runner = m.queryRunner;
      if (!runner) throw new Error('a transaction has a query runner');
      const res = await runner.query(
        `WITH firsts AS (
           SELECT x->>0 AS code, x->>1 AS ip_hash, to_timestamp((x->>2)::float8 / 1000) AS clicked_at,
                  x->>3 AS device_hash
             FROM jsonb_array_elements($1::jsonb) x)
         INSERT INTO link_clicks (brand_id, link_id, code, member_id, campaign_id, campaign_variant, group_id,
                                  live_session_id, partner_id, delivery_id, ip_hash, device_hash, clicked_at)
         SELECT k.brand_id, k.link_id, f.code, k.member_id, coalesce(k.campaign_id, l.campaign_id),
                coalesce(k.campaign_variant, l.campaign_variant), coalesce(k.group_id, l.group_id),
                l.live_session_id, l.partner_id, k.delivery_id, f.ip_hash, f.device_hash, f.clicked_at
           FROM firsts f
           JOIN link_codes k ON k.code = f.code
           JOIN tracked_links l ON l.id = k.link_id
          WHERE NOT EXISTS (
            SELECT 1 FROM link_clicks c
             WHERE c.code = f.code AND c.ip_hash = f.ip_hash
               AND c.clicked_at > f.clicked_at - interval '${CLICK_DEDUPE_INTERVAL}'
               AND c.clicked_at < f.clicked_at + interval '${CLICK_DEDUPE_INTERVAL}')`,
        [JSON.stringify(firstPerVisitor(clicks))],
        true,
      );
      return res.affected ?? 0;
    });
  }
}
