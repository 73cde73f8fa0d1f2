import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job } from 'bullmq';
import { DelayedError } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { WorkItem } from './entities/work-item.entity';
import { jobId, QueueDef } from './queue-def';
import { QueueRegistry } from './queue-registry';
import { ReconcileRegistry } from './reconcile';

/** What a work-item job carries: the row id, nothing else. */
export interface WorkJob {
  workItemId: string;
}

export interface NewWork {
  name: string;
  payload?: Record<string, unknown>;
  brandId?: string | null;
  dedupeKey?: string | null;
  runAt?: Date;
}

export const workJobId = (id: string) => jobId('work', id);

/**
 * Durable queued work. `create` writes rows inside the caller's transaction; `dispatch` adds their
 * jobs after commit; a crash in between is healed by the reconciler, which pages through open rows.
 */
@Injectable()
export class WorkService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly queues: QueueRegistry,
    private readonly reconcile: ReconcileRegistry,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.reconcile.register({
      name: 'work_items',
      pending: async (cursor, limit) => {
        const rows: Array<{ id: string; queue: string; name: string; run_at: Date }> = await this.ds.query(
          `SELECT id, queue, name, run_at FROM work_items
            WHERE (status = 'pending' OR (status = 'running' AND locked_until < now()))
              AND id > $1
            ORDER BY id LIMIT $2`,
          [cursor ?? '0', limit],
        );
        return {
          jobs: rows.map((r) => ({
            queue: r.queue,
            name: r.name,
            jobId: workJobId(r.id),
            data: { workItemId: r.id } satisfies WorkJob,
            opts: { delay: Math.max(0, new Date(r.run_at).getTime() - Date.now()) },
          })),
          next: rows.length === limit ? rows[rows.length - 1].id : null,
        };
      },
    });
  }

  /** Inserts work rows; a repeated dedupe key returns the existing row instead of a new one. */
  async create(manager: EntityManager, def: QueueDef<WorkJob>, items: NewWork[]): Promise<WorkItem[]> {
    if (items.length === 0) return [];
    const values: unknown[] = [];
    const tuples = items.map((it, i) => {
      values.push(
        it.brandId ?? null,
        def.name,
        it.name,
        JSON.stringify(it.payload ?? {}),
        it.dedupeKey ?? null,
        it.runAt ?? new Date(),
      );
      const b = i * 6;
      return `($${b + 1}::uuid, $${b + 2}, $${b + 3}, $${b + 4}::jsonb, $${b + 5}, $${b + 6}::timestamptz)`;
    });
    const inserted: Record<string, unknown>[] = await manager.query(
      `INSERT INTO work_items (brand_id, queue, name, payload, dedupe_key, run_at)
       VALUES ${tuples.join(', ')}
       ON CONFLICT (queue, dedupe_key) DO NOTHING
       RETURNING *`,
      values,
    );
    const got = new Set(inserted.map((r) => r.dedupe_key).filter(Boolean));
    const missing = items.map((i) => i.dedupeKey).filter((k): k is string => !!k && !got.has(k));
    const existing: Record<string, unknown>[] =
      missing.length > 0
        ? await manager.query(`SELECT * FROM work_items WHERE queue = $1 AND dedupe_key = ANY($2)`, [
            def.name,
            missing,
          ])
        : [];
    return [...inserted, ...existing].map(fromRaw);
  }

  /** Adds the jobs for rows that were committed. Safe to call twice: the job ids are fixed. */
  async dispatch(rows: WorkItem[]): Promise<void> {
    const byQueue = new Map<string, WorkItem[]>();
    for (const r of rows) {
      if (r.status !== 'pending') continue;
      byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), r]);
    }
    for (const [queueName, items] of byQueue) {
      await this.queues.byName(queueName).addBulk(
        items.map((r) => ({
          name: r.name,
          data: { workItemId: r.id } satisfies WorkJob,
          opts: { jobId: workJobId(r.id), delay: Math.max(0, new Date(r.runAt).getTime() - Date.now()) },
        })),
      );
    }
  }

  /** Create and dispatch in one step, in a transaction of its own. */
  async enqueue(def: QueueDef<WorkJob>, items: NewWork[]): Promise<WorkItem[]> {
    const rows = await this.ds.transaction((m) => this.create(m, def, items));
    await this.dispatch(rows);
    return rows;
  }

  /**
   * The processor side. Claims the row (only one worker can hold it), runs `handler` in the same
   * transaction that marks it done, and records a failure for BullMQ to retry. A row already done
   * makes the job a no-op; a row held by a live claim sends the job back to wait for that claim.
   */
  async run<R>(
    job: Job<WorkJob>,
    token: string | undefined,
    handler: (item: WorkItem, manager: EntityManager) => Promise<R>,
  ): Promise<R | { skipped: string }> {
    const id = job.data.workItemId;
    const leaseMs = this.config.get('RECONCILE_STALE_AFTER_MS');
    const [claimed]: Record<string, unknown>[][] = await this.ds.query(
      `UPDATE work_items
          SET status = 'running', attempts = attempts + 1, updated_at = now(),
              locked_until = now() + make_interval(secs => $2::double precision)
        WHERE id = $1 AND run_at <= now()
          AND (status = 'pending' OR (status = 'running' AND locked_until < now()))
        RETURNING *`,
      [id, leaseMs / 1000],
    );
    const item = claimed[0] ? fromRaw(claimed[0]) : undefined;
    if (!item) {
      const row = await this.ds.getRepository(WorkItem).findOneBy({ id });
      const wakeAt =
        row?.status === 'running' && row.lockedUntil
          ? row.lockedUntil.getTime()
          : row?.status === 'pending'
            ? row.runAt.getTime()
            : null;
      if (wakeAt !== null && token) {
        await job.moveToDelayed(Math.max(wakeAt, Date.now()) + 50, token);
        throw new DelayedError();
      }
      return { skipped: row?.status ?? 'missing' };
    }
    try {
      return await this.ds.transaction(async (m) => {
        const result = await handler(item, m);
        await m.query(
          `UPDATE work_items SET status = 'done', completed_at = now(), locked_until = NULL, last_error = NULL, updated_at = now() WHERE id = $1`,
          [id],
        );
        return result;
      });
    } catch (err) {
      const maxAttempts = job.opts.attempts ?? 1;
      const final = item.attempts >= maxAttempts || (err as { permanent?: boolean }).permanent === true;
      await this.ds.query(
        `UPDATE work_items SET status = $2, locked_until = NULL, last_error = $3, updated_at = now() WHERE id = $1`,
        [id, final ? 'failed' : 'pending', err instanceof Error ? err.message.slice(0, 2000) : String(err)],
      );
      throw err;
    }
  }
}

function fromRaw(raw: Record<string, unknown>): WorkItem {
  return Object.assign(new WorkItem(), {
    id: String(raw.id),
    brandId: raw.brand_id as string | null,
    queue: raw.queue as string,
    name: raw.name as string,
    payload: raw.payload as Record<string, unknown>,
    dedupeKey: raw.dedupe_key as string | null,
    status: raw.status as WorkItem['status'],
    attempts: Number(raw.attempts),
    runAt: new Date(raw.run_at as string),
    lockedUntil: raw.locked_until ? new Date(raw.locked_until as string) : null,
    lastError: (raw.last_error as string | null) ?? null,
  });
}
