import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AppConfig,
  AuditService,
  QueueRegistry,
  ReconcileRegistry,
  systemActor,
} from '@siyu/platform';
import { ChannelFailure } from '@siyu/channels';
import type { Job } from 'bullmq';
import { DelayedError } from 'bullmq';
import { DataSource } from 'typeorm';
import {
  SYNC_FETCH_CONCURRENCY,
  SYNC_MAX_ATTEMPTS,
  SYNC_PAGE_SIZE,
  SYNC_PAGES_PER_JOB,
  SyncStatus,
} from '../communities.constants';
import { CommunityException } from '../communities.errors';
import { GroupSnapshot, GroupStore } from '../group-store';
import {
  COMMUNITY_SYNC_JOB,
  CommunitySyncJob,
  communitySyncJobId,
  CommunitySyncQueue,
} from '../jobs/communities.queue';
import { WecomGroupsReader } from '../wecom-groups.reader';

type Raw = Record<string, unknown>;

export interface SyncRunView {
  id: string;
  status: SyncStatus;
  pageSize: number;
  pages: number;
  groupsSynced: number;
  groupsSkipped: number;
  groupsDismissed: number;
  membershipsJoined: number;
  membershipsLeft: number;
  membersCreated: number;
  attempts: number;
  /** The last failure: kept while the run retries, and the reason when it failed. */
  error: { class: string | null; errcode: number | null; message: string } | null;
  /** While pending: when it runs next (after a backoff or a rate-limit deferral). */
  nextAttemptAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
}

const toView = (r: Raw): SyncRunView => ({
  id: r.id as string,
  status: r.status as SyncStatus,
  pageSize: Number(r.page_size),
  pages: Number(r.pages),
  groupsSynced: Number(r.groups_synced),
  groupsSkipped: Number(r.groups_skipped),
  groupsDismissed: Number(r.groups_dismissed),
  membershipsJoined: Number(r.memberships_joined),
  membershipsLeft: Number(r.memberships_left),
  membersCreated: Number(r.members_created),
  attempts: Number(r.attempts),
  error: r.error
    ? {
        class: (r.error_class as string | null) ?? null,
        errcode: r.errcode === null || r.errcode === undefined ? null : Number(r.errcode),
        message: r.error as string,
      }
    : null,
  nextAttemptAt: r.status === 'pending' ? (r.run_at as Date) : null,
  createdAt: r.created_at as Date,
  startedAt: (r.pass_started_at as Date | null) ?? null,
  completedAt: (r.completed_at as Date | null) ?? null,
});

/** Another worker took the run over (this claim's lease ran out): stop without writing. */
class ClaimLost extends Error {}

/** A retryable failure was recorded on the run; BullMQ retries the job with backoff. */
class RetryLater extends Error {}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * The group sync: pages through groupchat/list (all statuses) and reads each group with
 * groupchat/get, applying each page in one transaction with the run's cursor and counts, so a
 * crash or a retry resumes at the page it was on. Postgres first: the run row exists before its
 * job, the job carries its id, and the reconciler re-adds the job of a pending run whose job is
 * gone. Groups missing from the list are marked dismissed only when a pass completes.
 *
 * Channel failures: `retryable` ends the attempt (BullMQ retries with backoff; after
 * SYNC_MAX_ATTEMPTS the run fails); `rate_limited` defers the run to the end of the window without
 * using an attempt; `permanent` fails the run with WeCom's errcode and errmsg as the reason.
 */
@Injectable()
export class CommunitySyncService implements OnModuleInit {
  private readonly logger = new Logger(CommunitySyncService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly reader: WecomGroupsReader,
    private readonly store: GroupStore,
    private readonly queues: QueueRegistry,
    private readonly reconcile: ReconcileRegistry,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.reconcile.register({
      name: 'community_sync_runs',
      pending: async (cursor, limit) => {
        const rows: Raw[] = await this.ds.query(
          `SELECT id, brand_id, run_at FROM community_sync_runs
            WHERE (status = 'pending' OR (status = 'running' AND locked_until < now()))
              AND ($1::uuid IS NULL OR id > $1::uuid)
            ORDER BY id LIMIT $2`,
          [cursor, limit],
        );
        return {
          jobs: rows.map((r) => ({
            queue: CommunitySyncQueue.name,
            name: COMMUNITY_SYNC_JOB,
            jobId: communitySyncJobId(r.id as string),
            data: { runId: r.id as string, brandId: r.brand_id as string } satisfies CommunitySyncJob,
            opts: { delay: Math.max(0, new Date(r.run_at as string).getTime() - Date.now()) },
          })),
          next: rows.length === limit ? (rows[rows.length - 1].id as string) : null,
        };
      },
    });
  }

  /**
   * Starts a sync of the brand's groups, or answers the one already open (one at a time per brand).
   */
  async start(
    actor: Actor,
    opts: { pageSize?: number } = {},
  ): Promise<{ run: SyncRunView; created: boolean }> {
    if (!(await this.reader.access(actor.brandId))) throw CommunityException.wecomNotConfigured();
    const result = await this.ds.transaction(async (m) => {
      const inserted: Raw[] = await m.query(
        `INSERT INTO community_sync_runs (brand_id, page_size, requested_by_type, requested_by_id)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (brand_id) WHERE status IN ('pending', 'running') DO NOTHING
         RETURNING *`,
        [actor.brandId, opts.pageSize ?? SYNC_PAGE_SIZE, actor.actorType, actor.actorId],
      );
      if (inserted.length === 0) {
        const [open]: Raw[] = await m.query(
          `SELECT * FROM community_sync_runs WHERE brand_id = $1 AND status IN ('pending', 'running')`,
          [actor.brandId],
        );
        if (open) return { run: toView(open), created: false };
        throw new Error('a sync run was open and closed at once; try again');
      }
      const run = toView(inserted[0]);
      await this.audit.record(m, actor, {
        action: 'community.sync.start',
        entityType: 'community_sync_run',
        entityId: run.id,
        after: { pageSize: run.pageSize },
      });
      return { run, created: true };
    });
    await this.enqueue(result.run.id, actor.brandId);
    return result;
  }

  /**
   * The periodic sync: one run, requested by the system, for every brand with a WeCom corp whose
   * last run was created more than `everyMs` ago (or that never synced), in one statement. A brand
   * with a run open keeps it. Callbacks keep groups current between runs; this pass catches what a
   * lost or never-sent callback missed. Answers the runs it started.
   */
  async startDue(everyMs: number): Promise<string[]> {
    const started = await this.ds.transaction(async (m) => {
      const rows: Array<{ id: string; brand_id: string }> = await m.query(
        `INSERT INTO community_sync_runs (brand_id, page_size, requested_by_type)
         SELECT DISTINCT a.brand_id, $2::int, 'system' FROM channel_wecom_accounts a
          WHERE NOT EXISTS (SELECT 1 FROM community_sync_runs r
                             WHERE r.brand_id = a.brand_id
                               AND r.created_at > now() - make_interval(secs => $1::double precision))
         ON CONFLICT (brand_id) WHERE status IN ('pending', 'running') DO NOTHING
         RETURNING id, brand_id`,
        [everyMs / 1000, SYNC_PAGE_SIZE],
      );
      for (const r of rows)
        await this.audit.record(m, systemActor(r.brand_id), {
          action: 'community.sync.start',
          entityType: 'community_sync_run',
          entityId: r.id,
          after: { pageSize: SYNC_PAGE_SIZE, periodic: true },
        });
      return rows;
    });
    for (const r of started) await this.enqueue(r.id, r.brand_id);
    if (started.length > 0) this.logger.log({ runs: started.length }, 'periodic group syncs started');
    return started.map((r) => r.id);
  }

  private async enqueue(runId: string, brandId: string): Promise<void> {
    try {
      await this.queues
        .get(CommunitySyncQueue)
        .add(COMMUNITY_SYNC_JOB, { runId, brandId }, { jobId: communitySyncJobId(runId) });
    } catch (err) {
      this.logger.warn(
        { err: (err as Error).message, runId },
        'could not queue a group sync; the reconciler will',
      );
    }
  }

  async get(brandId: string, id: string): Promise<SyncRunView> {
    const [row]: Raw[] = await this.ds.query(
      `SELECT * FROM community_sync_runs WHERE brand_id = $1 AND id = $2`,
      [brandId, id],
    );
    if (!row) throw CommunityException.syncRunNotFound(id);
    return toView(row);
  }

  /** The worker's side: claims the run and pages through WeCom until done, deferred or failed. */
  async process(
    runId: string,
    job?: Job,
    token?: string,
    opts: { maxPages?: number } = {},
  ): Promise<SyncStatus | 'skipped' | 'deferred'> {
    const maxPages = opts.maxPages ?? SYNC_PAGES_PER_JOB;
    const claim = randomUUID();
    const leaseSeconds = this.config.get('RECONCILE_STALE_AFTER_MS') / 1000;
    const [claimed]: Raw[][] = await this.ds.query(
      `UPDATE community_sync_runs
          SET status = 'running', attempts = attempts + 1, claim_token = $2,
              locked_until = now() + make_interval(secs => $3::double precision),
              pass_started_at = COALESCE(pass_started_at, now()), updated_at = now()
        WHERE id = $1 AND run_at <= now()
          AND (status = 'pending' OR (status = 'running' AND locked_until < now()))
        RETURNING *`,
      [runId, claim, leaseSeconds],
    );
    const row = claimed?.[0];
    if (!row) return this.notClaimed(runId, job, token);
    const brandId = row.brand_id as string;
    const access = await this.reader.access(brandId);
    if (!access)
      return this.fail(runId, claim, {
        class: 'permanent',
        errcode: null,
        errmsg: 'the brand has no WeCom corp configured',
        api: 'sync',
      });

    let cursor = (row.cursor as string | null) ?? undefined;
    const pageSize = Number(row.page_size);
    const passStartedAt = row.pass_started_at as Date;
    let pages = 0;
    try {
      for (;;) {
        const asOf = new Date();
        const page = await this.reader.list(access, { cursor, limit: pageSize });
        if (!page.ok) return await this.failed(runId, claim, page.failure, job, token);
        const reads = await mapLimit(page.value.items, SYNC_FETCH_CONCURRENCY, (c) =>
          this.reader.get(access, c.chatId, c.status),
        );
        const failure = reads.find((r) => r.kind === 'failed');
        if (failure && failure.kind === 'failed')
          return await this.failed(runId, claim, failure.failure, job, token);
        const snapshots: GroupSnapshot[] = reads.flatMap((r) => (r.kind === 'ok' ? [r.snapshot] : []));
        const gone = reads.filter((r) => r.kind === 'gone').length;
        const next = page.value.nextCursor;
        const done = next === null;
        await this.ds.transaction(async (m) => {
          const held: Raw[] = await m.query(
            `SELECT id FROM community_sync_runs WHERE id = $1 AND claim_token = $2 AND status = 'running' FOR UPDATE`,
            [runId, claim],
          );
          if (held.length === 0) throw new ClaimLost();
          // The last page first dismisses what the pass did not see (taking those groups' locks
          // before any member identity lock, as every other writer does), then applies itself.
          const dismissed = done
            ? await this.store.dismissUnseen(
                m,
                brandId,
                passStartedAt,
                snapshots.map((sn) => sn.chatId),
              )
            : { groups: 0, left: 0 };
          const stats = await this.store.applySnapshots(m, brandId, snapshots, asOf);
          await m.query(
            `UPDATE community_sync_runs SET
                cursor = $3, pages = pages + 1, attempts = 0, groups_synced = groups_synced + $4, groups_skipped = groups_skipped + $5,
                groups_dismissed = groups_dismissed + $6, memberships_joined = memberships_joined + $7,
                memberships_left = memberships_left + $8, members_created = members_created + $9,
                locked_until = CASE WHEN $10 THEN NULL ELSE now() + make_interval(secs => $11::double precision) END,
                status = CASE WHEN $10 THEN 'completed' ELSE status END,
                completed_at = CASE WHEN $10 THEN now() END,
                claim_token = CASE WHEN $10 THEN NULL ELSE claim_token END,
                error = CASE WHEN $10 THEN NULL ELSE error END,
                error_class = CASE WHEN $10 THEN NULL ELSE error_class END,
                errcode = CASE WHEN $10 THEN NULL ELSE errcode END,
                updated_at = now()
              WHERE id = $1 AND claim_token = $2`,
            [
              runId,
              claim,
              next,
              stats.groups,
              gone,
              dismissed.groups,
              stats.joined,
              stats.left + dismissed.left,
              stats.membersCreated,
              done,
              leaseSeconds,
            ],
          );
        });
        if (done) return 'completed';
        cursor = next;
        if (++pages >= maxPages) return await this.yieldRun(runId, claim, job, token);
      }
    } catch (err) {
      if (err instanceof ClaimLost) return 'skipped';
      if (err instanceof DelayedError || err instanceof RetryLater) throw err;
      // Anything else (a deadlock, a lost connection) is worth another attempt.
      const status = await this.failed(runId, claim, {
        class: 'retryable',
        errcode: null,
        errmsg: err instanceof Error ? err.message : String(err),
        api: 'sync',
      });
      if (status === 'failed') return status;
      throw err;
    }
  }

  /**
   * Gives the run back after `maxPages` pages (its progress is committed), so one brand's long sync
   * takes turns with others' and a worker's shutdown never waits long; the same job continues it.
   */
  private async yieldRun(runId: string, claim: string, job?: Job, token?: string): Promise<'pending'> {
    await this.ds.query(
      `UPDATE community_sync_runs SET status = 'pending', run_at = now(), locked_until = NULL, claim_token = NULL,
              updated_at = now()
        WHERE id = $1 AND claim_token = $2`,
      [runId, claim],
    );
    if (job && token) {
      await job.moveToDelayed(Date.now(), token);
      throw new DelayedError();
    }
    return 'pending';
  }

  /** The run is not claimable now: wait for its time or its live claim, or there is nothing to do. */
  private async notClaimed(runId: string, job?: Job, token?: string): Promise<'skipped'> {
    const [row]: Raw[] = await this.ds.query(
      `SELECT status, run_at, locked_until FROM community_sync_runs WHERE id = $1`,
      [runId],
    );
    const wakeAt =
      row?.status === 'pending'
        ? new Date(row.run_at as string).getTime()
        : row?.status === 'running' && row.locked_until
          ? new Date(row.locked_until as string).getTime()
          : null;
    if (wakeAt !== null && job && token) {
      await job.moveToDelayed(Math.max(wakeAt, Date.now()) + 50, token);
      throw new DelayedError();
    }
    return 'skipped';
  }

  /**
   * Records a channel failure on the run. Rate limits defer it (no attempt used); retryable
   * failures are retried by BullMQ until SYNC_MAX_ATTEMPTS; permanent ones fail the run.
   */
  private async failed(
    runId: string,
    claim: string,
    failure: ChannelFailure,
    job?: Job,
    token?: string,
  ): Promise<SyncStatus | 'deferred'> {
    const reason = `${failure.api}: ${failure.errcode ?? ''} ${failure.errmsg}`.replace(/\s+/g, ' ').trim();
    if (failure.class === 'rate_limited') {
      const retryAt = failure.retryAt ?? new Date(Date.now() + 1_000);
      await this.ds.query(
        `UPDATE community_sync_runs SET status = 'pending', attempts = GREATEST(attempts - 1, 0), run_at = $3,
                locked_until = NULL, claim_token = NULL, error_class = 'rate_limited', errcode = $4, error = $5, updated_at = now()
          WHERE id = $1 AND claim_token = $2`,
        [runId, claim, retryAt, failure.errcode, reason],
      );
      if (job && token) {
        await job.moveToDelayed(retryAt.getTime(), token);
        throw new DelayedError();
      }
      return 'deferred';
    }
    if (failure.class === 'permanent') return this.fail(runId, claim, failure);
    const [row]: Raw[][] = await this.ds.query(
      `UPDATE community_sync_runs
          SET status = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END,
              completed_at = CASE WHEN attempts >= $3 THEN now() END,
              run_at = now(), locked_until = NULL, claim_token = NULL,
              error_class = $4, errcode = $5, error = $6, updated_at = now()
        WHERE id = $1 AND claim_token = $2
        RETURNING status`,
      [runId, claim, SYNC_MAX_ATTEMPTS, failure.class, failure.errcode, reason],
    );
    const status = (row?.[0]?.status as SyncStatus | undefined) ?? 'pending';
    if (status === 'failed' || !job) return status;
    throw new RetryLater(`group sync ${runId}: ${reason} (will retry)`);
  }

  private async fail(runId: string, claim: string, failure: ChannelFailure): Promise<SyncStatus> {
    const reason = `${failure.api}: ${failure.errcode ?? ''} ${failure.errmsg}`.replace(/\s+/g, ' ').trim();
    await this.ds.query(
      `UPDATE community_sync_runs SET status = 'failed', completed_at = now(), locked_until = NULL, claim_token = NULL,
              error_class = $3, errcode = $4, error = $5, updated_at = now()
        WHERE id = $1 AND claim_token = $2`,
      [runId, claim, failure.class, failure.errcode, reason],
    );
    this.logger.warn({ runId, errcode: failure.errcode }, `group sync failed: ${reason}`);
    return 'failed';
  }
}
