import { createHash } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AppConfig,
  AuditService,
  decodeCursor,
  Page,
  QueueRegistry,
  ReconcileRegistry,
  toPage,
} from '@siyu/platform';
import { DataSource } from 'typeorm';
import { ChannelAccountsService } from '../accounts/channel-accounts.service';
import { ChannelException } from '../channel-errors';
import { WECOM_EVENT_JOB, WecomEventJob, wecomEventJobId, WecomEventsQueue } from '../jobs/channels.queue';
import { CallbackXmlError, parseCallbackXml, redactCallbackFields } from './callback-xml';
import { WecomEventStatus } from './entities/wecom-event.entity';
import { checkCallbackSignature, decryptCallback } from './wecom-callback-crypto';
import { WecomCallbackEvent, WecomEventRegistry } from './wecom-event.registry';

export interface CallbackQuery {
  msg_signature?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
}

export interface WecomEventRecord {
  id: string;
  event: string;
  changeType: string | null;
  status: WecomEventStatus;
  attempts: number;
  lastError: string | null;
  payload: Record<string, unknown>;
  receivedAt: Date;
  processedAt: Date | null;
}

type Raw = Record<string, unknown>;

/** Events failed this many times stay `failed` until an operator retries them. */
export const MAX_EVENT_ATTEMPTS = 10;

const toRecord = (r: Raw): WecomEventRecord => ({
  id: String(r.id),
  event: r.event as string,
  changeType: (r.change_type as string | null) ?? null,
  status: r.status as WecomEventStatus,
  attempts: Number(r.attempts),
  lastError: (r.last_error as string | null) ?? null,
  payload: r.payload as Record<string, unknown>,
  receivedAt: r.received_at as Date,
  processedAt: (r.processed_at as Date | null) ?? null,
});

const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/**
 * Events that start a clock: an add event's WelcomeCode may be used for 20 seconds only, so these
 * jobs carry no BullMQ priority, which BullMQ runs before every prioritised job, and every other
 * event is queued with `ROUTINE_EVENT_PRIORITY`: a backlog of group or tag events never delays a
 * welcome. (A job the reconciler re-adds after a Redis flush has no priority either: rare, harmless.)
 */
const URGENT_CHANGES = new Set(['add_external_contact', 'add_half_external_contact']);
export const ROUTINE_EVENT_PRIORITY = 10;

/**
 * The WeCom callback: URL verification, signed and encrypted event intake, idempotent storage, and
 * processing through the handler registry (in the worker). Postgres first: an event is a row before
 * it is a job, so a lost job (Redis flushed, a crash) is re-enqueued by the reconciler.
 */
@Injectable()
export class WecomEventsService implements OnModuleInit {
  private readonly logger = new Logger(WecomEventsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly accounts: ChannelAccountsService,
    private readonly registry: WecomEventRegistry,
    private readonly queues: QueueRegistry,
    private readonly reconcile: ReconcileRegistry,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.reconcile.register({
      name: 'channel_wecom_events',
      pending: async (cursor, limit) => {
        const rows: Array<{ id: string; brand_id: string }> = await this.ds.query(
          `SELECT id, brand_id FROM channel_wecom_events
            WHERE (status = 'pending'
                   OR (status = 'processing' AND locked_until < now())
                   OR (status = 'failed' AND attempts < $3))
              AND id > $1
            ORDER BY id LIMIT $2`,
          [cursor ?? '0', limit, MAX_EVENT_ATTEMPTS],
        );
        return {
          jobs: rows.map((r) => ({
            queue: WecomEventsQueue.name,
            name: WECOM_EVENT_JOB,
            jobId: wecomEventJobId(String(r.id)),
            data: { eventId: String(r.id), brandId: r.brand_id } satisfies WecomEventJob,
          })),
          next: rows.length === limit ? String(rows[rows.length - 1].id) : null,
        };
      },
    });
  }

  private async secrets(brandId: string) {
    const secrets = await this.accounts.wecomCallbackSecrets(brandId);
    if (!secrets) throw ChannelException.callbackNotConfigured();
    return secrets;
  }

  /** GET: WeCom's URL check. Verifies the signature over echostr and answers its plaintext. */
  async verifyUrl(brandId: string, q: CallbackQuery): Promise<string> {
    const s = await this.secrets(brandId);
    const { timestamp, nonce, echostr } = q;
    if (
      !timestamp ||
      !nonce ||
      !echostr ||
      !checkCallbackSignature(q.msg_signature, s.token, timestamp, nonce, echostr)
    )
      throw ChannelException.signatureInvalid();
    const plain = this.decrypt(echostr, s.encodingAesKey);
    if (plain.receiveId !== s.corpId) throw ChannelException.receiverMismatch();
    return plain.message;
  }

  /**
   * POST: checks msg_signature over the envelope's Encrypt, decrypts, checks the receiveid is the
   * brand's CorpID, stores the event once (a replay finds its row and changes nothing) and queues
   * it for the handlers. Rejections happen before anything is written.
   */
  async receive(
    brandId: string,
    q: CallbackQuery,
    body: string,
  ): Promise<{ eventId: string; duplicate: boolean }> {
    const s = await this.secrets(brandId);
    let envelope: Record<string, unknown>;
    try {
      envelope = parseCallbackXml(body);
    } catch (err) {
      // The signature cannot be checked without the envelope: an unreadable body is unauthenticated.
      if (err instanceof CallbackXmlError) throw ChannelException.signatureInvalid();
      throw err;
    }
    const encrypt = str(envelope.Encrypt);
    const { timestamp, nonce } = q;
    if (
      !encrypt ||
      !timestamp ||
      !nonce ||
      !checkCallbackSignature(q.msg_signature, s.token, timestamp, nonce, encrypt)
    )
      throw ChannelException.signatureInvalid();
    const plain = this.decrypt(encrypt, s.encodingAesKey);
    if (plain.receiveId !== s.corpId) throw ChannelException.receiverMismatch();
    let fields: Record<string, unknown>;
    try {
      fields = parseCallbackXml(plain.message);
    } catch (err) {
      throw ChannelException.callbackMalformed((err as Error).message);
    }
    const event = str(fields.Event) ?? str(fields.MsgType) ?? 'unknown';
    const dedupeKey = createHash('sha256').update(plain.message, 'utf8').digest('hex');
    const inserted: Raw[] = await this.ds.query(
      `INSERT INTO channel_wecom_events (brand_id, dedupe_key, event, change_type, payload)
       VALUES ($1, $2, $3, $4, $5::jsonb)
       ON CONFLICT (brand_id, dedupe_key) DO NOTHING
       RETURNING id`,
      [
        brandId,
        dedupeKey,
        event.slice(0, 64),
        str(fields.ChangeType)?.slice(0, 64) ?? null,
        JSON.stringify(redactCallbackFields(fields)),
      ],
    );
    if (inserted.length === 0) {
      const [existing]: Raw[] = await this.ds.query(
        `SELECT id FROM channel_wecom_events WHERE brand_id = $1 AND dedupe_key = $2`,
        [brandId, dedupeKey],
      );
      return { eventId: String(existing.id), duplicate: true };
    }
    const eventId = String(inserted[0].id);
    await this.enqueue(eventId, brandId, false, URGENT_CHANGES.has(str(fields.ChangeType) ?? ''));
    return { eventId, duplicate: false };
  }

  private decrypt(encrypt: string, key: string) {
    try {
      return decryptCallback(encrypt, key);
    } catch (err) {
      throw ChannelException.callbackMalformed(`cannot decrypt: ${(err as Error).message}`);
    }
  }

  /**
   * Adds the event's job; a failure is only logged, as the reconciler re-adds it from the row.
   * `replace` drops a finished job under the same id first (an operator's retry).
   */
  private async enqueue(eventId: string, brandId: string, replace = false, urgent = false): Promise<void> {
    try {
      const queue = this.queues.get(WecomEventsQueue);
      if (replace) {
        const old = await queue.getJob(wecomEventJobId(eventId));
        const state = old ? await old.getState() : null;
        if (old && (state === 'completed' || state === 'failed')) await old.remove();
      }
      await queue.add(
        WECOM_EVENT_JOB,
        { eventId, brandId },
        { jobId: wecomEventJobId(eventId), ...(urgent ? {} : { priority: ROUTINE_EVENT_PRIORITY }) },
      );
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, eventId },
        'could not queue a WeCom event; the reconciler will',
      );
    }
  }

  /**
   * The worker's side: claims the event, runs its handlers in one transaction with the status
   * change, and records a failure (then throws, for BullMQ to retry). An event done, ignored, or
   * held by a live claim elsewhere is left alone.
   */
  async process(eventId: string): Promise<WecomEventStatus | 'skipped'> {
    const leaseMs = this.config.get('RECONCILE_STALE_AFTER_MS');
    const [claimed]: Raw[][] = await this.ds.query(
      `UPDATE channel_wecom_events
          SET status = 'processing', attempts = attempts + 1, updated_at = now(),
              locked_until = now() + make_interval(secs => $2::double precision)
        WHERE id = $1
          AND (status IN ('pending', 'failed') OR (status = 'processing' AND locked_until < now()))
        RETURNING *`,
      [eventId, leaseMs / 1000],
    );
    const row = claimed?.[0];
    if (!row) return 'skipped';
    const event: WecomCallbackEvent = {
      id: String(row.id),
      brandId: row.brand_id as string,
      event: row.event as string,
      changeType: (row.change_type as string | null) ?? null,
      fields: row.payload as Record<string, unknown>,
      receivedAt: row.received_at as Date,
    };
    const handlers = this.registry.handlersFor(event.event);
    try {
      const status: WecomEventStatus = handlers.length > 0 ? 'done' : 'ignored';
      await this.ds.transaction(async (m) => {
        for (const h of handlers) await h.handler(event, m);
        await m.query(
          `UPDATE channel_wecom_events
              SET status = $2, processed_at = now(), locked_until = NULL, last_error = NULL, updated_at = now()
            WHERE id = $1`,
          [eventId, status],
        );
      });
      return status;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.ds.query(
        `UPDATE channel_wecom_events SET status = 'failed', locked_until = NULL, last_error = $2, updated_at = now()
          WHERE id = $1`,
        [eventId, message.slice(0, 2000)],
      );
      throw err;
    }
  }

  async list(
    brandId: string,
    q: { status?: WecomEventStatus; event?: string; limit: number; cursor?: string },
  ): Promise<Page<WecomEventRecord>> {
    const after = decodeCursor(q.cursor, 1) as [string] | null;
    const params: unknown[] = [brandId, q.limit + 1];
    const where = ['brand_id = $1'];
    if (after) where.push(`id < $${params.push(after[0])}`);
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.event) where.push(`event = $${params.push(q.event)}`);
    const rows: Raw[] = await this.ds.query(
      `SELECT * FROM channel_wecom_events WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $2`,
      params,
    );
    return toPage(rows, q.limit, (r) => [String(r.id)], toRecord);
  }

  async get(brandId: string, id: string): Promise<WecomEventRecord> {
    const [row]: Raw[] = await this.ds.query(
      `SELECT * FROM channel_wecom_events WHERE brand_id = $1 AND id = $2`,
      [brandId, id],
    );
    if (!row) throw ChannelException.eventNotFound(id);
    return toRecord(row);
  }

  /** An operator sends a failed (or ignored) event through its handlers again. */
  async retry(actor: Actor, id: string): Promise<WecomEventRecord> {
    const record = await this.ds.transaction(async (m) => {
      const [row]: Raw[][] = await m.query(
        `UPDATE channel_wecom_events SET status = 'pending', attempts = 0, last_error = NULL, updated_at = now()
          WHERE brand_id = $1 AND id = $2 AND status IN ('failed', 'ignored')
          RETURNING *`,
        [actor.brandId, id],
      );
      if (!row?.[0]) {
        const current = await this.get(actor.brandId, id);
        return { record: current, changed: false };
      }
      await this.audit.record(m, actor, {
        action: 'channel.wecom_event.retry',
        entityType: 'channel_wecom_event',
        entityId: id,
        after: { status: 'pending' },
      });
      return { record: toRecord(row[0]), changed: true };
    });
    if (record.changed) await this.enqueue(id, actor.brandId, true);
    return record.record;
  }
}
