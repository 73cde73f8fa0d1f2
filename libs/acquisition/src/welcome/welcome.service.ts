import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  ChannelAccountsService,
  ChannelException,
  WecomClient,
  WecomCredentials,
  WecomMessage,
} from '@siyu/channels';
import { AppConfig, QueueRegistry, ReconcileRegistry } from '@siyu/platform';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { WELCOME_JOB, welcomeJobId, WelcomeJob, WelcomeQueue } from './jobs/welcome.queue';
import { WELCOME_LEASE_MS, WELCOME_POOL_SIZE, WelcomeStatus } from './welcome.constants';

/** send_welcome_msg's answers that end a welcome for good. */
export const WELCOME_EXPIRED = 41050;
export const WELCOME_ALREADY_CHATTED = 41051;

const CREDS_TTL_MS = 60_000;

/** Open welcomes whose WelcomeCode ran out: `expired`, never sent. */
const EXPIRE_OVERDUE = `UPDATE acquisition_welcomes
    SET status = 'expired', locked_until = NULL, updated_at = now(),
        reason = left(COALESCE(reason || '; ', '') || 'the WelcomeCode expired before it could be sent', 500)
  WHERE expires_at <= now()
    AND (status = 'pending' OR (status = 'sending' AND locked_until < now()))`;

export type WelcomeOutcome = WelcomeStatus | 'skipped' | 'retry';

interface Claimed {
  id: string;
  brand_id: string;
  welcome_code: string;
  message: WecomMessage;
  expires_at: Date;
  reason: string | null;
}

/**
 * The welcome priority path. A welcome row is written in the add event's transaction; after
 * commit its job goes on its own queue. The worker claims the row (only inside the WelcomeCode's
 * 20 s), calls send_welcome_msg, and records the outcome: sent; expired (41050) and
 * already_chatted (41051) are final and never retried; other permanent errors are `failed`;
 * transient ones are retried with backoff only while the code is still valid, then `expired`.
 */
@Injectable()
export class WelcomeService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(WelcomeService.name);
  private readonly creds = new Map<string, { at: number; creds: WecomCredentials }>();
  /** The welcome path's own connections, opened on first use (only the worker sends). */
  private pool: Pool | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly accounts: ChannelAccountsService,
    private readonly wecom: WecomClient,
    private readonly queues: QueueRegistry,
    private readonly reconcile: ReconcileRegistry,
    private readonly config: AppConfig,
  ) {}

  async onModuleDestroy(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.end();
  }

  /**
   * The claim and outcome writes go through a small pool of their own: under a campaign the shared
   * pool is held by delivery and callback-event transactions, and a welcome waiting for a
   * connection behind them is a welcome late for its 20 s.
   */
  private async q<T>(sql: string, params: unknown[]): Promise<T[]> {
    this.pool ??= new Pool({
      connectionString: this.config.get('DATABASE_URL'),
      max: WELCOME_POOL_SIZE,
      application_name: 'siyu-welcome',
    });
    return (await this.pool.query(sql, params)).rows as T[];
  }

  onModuleInit(): void {
    this.reconcile.register({
      name: 'acquisition_welcomes',
      pending: async (cursor, limit) => {
        if (cursor === null) await this.expireOverdue();
        const rows = await this.open(cursor, limit);
        return {
          jobs: rows.map((r) => ({
            queue: WelcomeQueue.name,
            name: WELCOME_JOB,
            jobId: welcomeJobId(r.id),
            data: { welcomeId: r.id, brandId: r.brand_id } satisfies WelcomeJob,
          })),
          next: rows.length === limit ? rows[rows.length - 1].id : null,
        };
      },
    });
  }

  /** Queues a welcome; a failure is logged (the sweeper re-adds it from the row while it is still valid). */
  async enqueue(welcomeId: string, brandId: string): Promise<void> {
    try {
      await this.queues
        .get(WelcomeQueue)
        .add(WELCOME_JOB, { welcomeId, brandId }, { jobId: welcomeJobId(welcomeId) });
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, welcomeId },
        'could not queue a welcome; the sweeper will',
      );
    }
  }

  /** Open welcomes still inside their window (pending, or claimed by a worker whose lease ran out). */
  async open(cursor: string | null, limit: number): Promise<Array<{ id: string; brand_id: string }>> {
    const rows: Array<{ id: string; brand_id: string }> = await this.ds.query(
      `SELECT id::text AS id, brand_id FROM acquisition_welcomes
        WHERE (status = 'pending' OR (status = 'sending' AND locked_until < now()))
          AND expires_at > now() AND id > $1
        ORDER BY id LIMIT $2`,
      [cursor ?? '0', limit],
    );
    return rows;
  }

  /** Welcomes whose WelcomeCode ran out before they were sent: `expired`, never sent. */
  async expireOverdue(): Promise<number> {
    const rows: unknown[] = await this.ds.query(`${EXPIRE_OVERDUE} RETURNING id`);
    return rows.length;
  }

  async send(welcomeId: string, attempt: number, nextDelayMs: number): Promise<WelcomeOutcome> {
    const [row] = await this.q<Claimed>(
      `UPDATE acquisition_welcomes
          SET status = 'sending', attempts = attempts + 1, updated_at = now(),
              claimed_at = COALESCE(claimed_at, clock_timestamp()),
              locked_until = now() + make_interval(secs => $2::double precision)
        WHERE id = $1 AND expires_at > now()
          AND (status = 'pending' OR (status = 'sending' AND locked_until < now()))
        RETURNING id::text AS id, brand_id, welcome_code, message, expires_at, reason`,
      [welcomeId, WELCOME_LEASE_MS / 1000],
    );
    if (!row) {
      // Only this welcome: the sweeper expires the rest, off the send path.
      await this.q(`${EXPIRE_OVERDUE} AND id = $1`, [welcomeId]);
      return 'skipped';
    }
    let res;
    try {
      res = await this.wecom.sendWelcomeMsg(
        await this.credentials(row.brand_id),
        row.welcome_code,
        row.message,
      );
    } catch (err) {
      // A message WeCom would refuse (checked before calling), or no WeCom corp any more.
      const reason = err instanceof ChannelException ? err.message : String(err);
      await this.finish(row.id, 'failed', reason);
      return 'failed';
    }
    if (res.ok) {
      await this.finish(row.id, 'sent', null);
      return 'sent';
    }
    const f = res.failure;
    const what = `${f.errcode ?? ''} ${f.errmsg}`.trim();
    if (f.errcode === WELCOME_ALREADY_CHATTED && row.reason?.includes('ambiguous')) {
      // An earlier attempt reached WeCom without our hearing back: that one was delivered.
      await this.finish(row.id, 'sent', `an earlier attempt was delivered (${what} on retry)`);
      return 'sent';
    }
    if (f.errcode === WELCOME_EXPIRED) {
      await this.finish(row.id, 'expired', `WeCom: the WelcomeCode expired (${what})`);
      return 'expired';
    }
    if (f.errcode === WELCOME_ALREADY_CHATTED) {
      await this.finish(row.id, 'already_chatted', `WeCom: the customer has already chatted (${what})`);
      return 'already_chatted';
    }
    if (f.class === 'permanent') {
      await this.finish(row.id, 'failed', `WeCom: ${what}`);
      return 'failed';
    }
    const note = `attempt ${attempt}: ${f.class}${f.ambiguous ? ' (ambiguous)' : ''} ${what}`;
    if (Date.now() + nextDelayMs >= new Date(row.expires_at).getTime()) {
      await this.finish(row.id, 'expired', `the WelcomeCode's window passed while retrying; last ${note}`);
      return 'expired';
    }
    await this.q(
      `UPDATE acquisition_welcomes SET status = 'pending', locked_until = NULL, reason = left($2::text, 500), updated_at = now()
        WHERE id = $1 AND status = 'sending'`,
      [row.id, note],
    );
    return 'retry';
  }

  private async finish(id: string, status: WelcomeStatus, reason: string | null): Promise<void> {
    await this.q(
      `UPDATE acquisition_welcomes
          SET status = $2::varchar, reason = left($3::text, 500), locked_until = NULL, updated_at = now(),
              sent_at = CASE WHEN $2::varchar = 'sent' THEN clock_timestamp() ELSE sent_at END
        WHERE id = $1 AND status IN ('sending', 'pending', 'expired')`,
      [id, status, reason],
    );
  }

  /** The corp's credentials, kept a minute in memory: the welcome path spends no time on them. */
  private async credentials(brandId: string): Promise<WecomCredentials> {
    const hit = this.creds.get(brandId);
    if (hit && Date.now() - hit.at < CREDS_TTL_MS) return hit.creds;
    const creds = (await this.accounts.wecomAccess(brandId)).credentials;
    this.creds.set(brandId, { at: Date.now(), creds });
    return creds;
  }
}
