import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, QueueDef, WorkItem, WorkJob, WorkService } from '@siyu/platform';
import { SegmentSnapshotsService } from '@siyu/segments';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { DataSource, EntityManager } from 'typeorm';
import { feasibility, normaliseCode, randomCode, randomCodeLines } from './coupon-codes';
import { COUPON_VALID_UNTIL_SQL, CouponIssuingService, templateRefusal } from './coupon-issuing.service';
import {
  CUSTOM_CODE_PATTERN,
  GENERATION_CHUNK,
  GENERATION_PARALLEL,
  INLINE_GENERATION_LIMIT,
  MAX_CODE_SPACE_DENSITY,
} from './coupons.constants';
import { CouponException } from './coupons.errors';
import { CouponsRepository } from './coupons.repository';
import { CouponBatch } from './entities/coupon-batch.entity';
import { CouponTemplate } from './entities/coupon-template.entity';
import { COUPON_BATCH_JOB, CouponsQueue } from './jobs/coupons.queue';

const SEGMENT_CHUNK = 5_000;
const CODE_ROUNDS = 8;

/**
 * Bulk work: bearer codes generated through COPY (a staging table, `INSERT … SELECT … ON CONFLICT
 * DO NOTHING`, the shortfall drawn again), shared codes, and issues to a segment's snapshot. A
 * batch reserves its count budget when it is created; small ones run in the request, large ones
 * as a queued job whose progress is the row's `done`.
 */
@Injectable()
export class CouponBatchesService {
  private readonly logger = new Logger(CouponBatchesService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: CouponsRepository,
    private readonly issuing: CouponIssuingService,
    private readonly snapshots: SegmentSnapshotsService,
    private readonly audit: AuditService,
    private readonly work: WorkService,
  ) {}

  /** POST /v1/coupon-templates/:id/codes: `count` bearer codes (inline up to INLINE_GENERATION_LIMIT). */
  async generate(
    actor: Actor,
    templateId: string,
    dto: { count: number; label?: string; source?: 'bulk' | 'partner' },
  ): Promise<CouponBatch> {
    const batch = await this.ds.transaction(async (m) => {
      const t = await this.repo.lockTemplate(m, actor.brandId, templateId);
      if (t.status === 'ended')
        throw CouponException.invalidState('generate codes for', t.status, ['draft', 'active', 'paused']);
      const existing = await this.repo.codesOfShape(actor.brandId, t.codePrefix, t.codeLength, m);
      const f = feasibility(existing, dto.count, t.codeLength);
      if (!f.ok)
        throw CouponException.codeSpaceTooSmall(
          'count',
          `${dto.count} more codes of length ${t.codeLength} (with ${existing} already there) would fill ${(f.density * 100).toPrecision(3)}% ` +
            `of the 31^${t.codeLength} possible codes; at most ${MAX_CODE_SPACE_DENSITY * 100}% is allowed, so guesses stay unlikely to hit ` +
            `(${f.minLength ? `use codeLength ${f.minLength} or more` : 'ask for fewer codes'})`,
        );
      const [ok]: [unknown[], number] = await m.query(
        `UPDATE coupon_templates SET issued_count = issued_count + $2
          WHERE id = $1 AND (budget_count IS NULL OR issued_count + $2 <= budget_count) RETURNING 1`,
        [t.id, dto.count],
      );
      if (ok.length === 0)
        throw CouponException.notIssued(
          'budget_exhausted',
          `the count budget has ${Math.max(0, (t.budgetCount ?? 0) - t.issuedCount)} coupons left; ${dto.count} were asked for`,
          'count',
        );
      return this.createBatch(m, actor, {
        templateId: t.id,
        kind: 'codes',
        requested: dto.count,
        label: dto.label ?? null,
        source: dto.source ?? 'bulk',
        queue: dto.count > INLINE_GENERATION_LIMIT,
      });
    });
    return this.start(batch);
  }

  /** POST /v1/coupon-templates/:id/shared-codes: one public code, redeemable up to `maxRedemptions` times. */
  async createShared(
    actor: Actor,
    templateId: string,
    dto: { code?: string; maxRedemptions: number },
    /** Who the code is for, when another lib makes it (a partner's code: `partner` and the partner id). */
    issuedFor?: { source: 'partner'; sourceRef: string },
  ): Promise<{ couponId: string; code: string; maxRedemptions: number }> {
    return this.ds.transaction(async (m) => {
      const t = await this.repo.lockTemplate(m, actor.brandId, templateId);
      if (t.status === 'ended')
        throw CouponException.invalidState('add a code to', t.status, ['draft', 'active', 'paused']);
      const code = dto.code ? normaliseCode(dto.code) : randomCode(t.codePrefix, t.codeLength);
      if (!CUSTOM_CODE_PATTERN.test(code))
        throw CouponException.invalid([{ field: 'code', message: 'must be 3–40 of A–Z, 0–9 and -' }]);
      const [row]: Array<{ id: string }> = await m.query(
        `INSERT INTO coupons (brand_id, template_id, code, kind, max_redemptions, source, source_ref, valid_from, valid_until)
         SELECT t.brand_id, t.id, $2, 'shared', $3, $4::varchar, coalesce($5::varchar, $2), t.valid_from, ${COUPON_VALID_UNTIL_SQL}
           FROM coupon_templates t WHERE t.id = $1
         ON CONFLICT DO NOTHING RETURNING id`,
        [t.id, code, dto.maxRedemptions, issuedFor?.source ?? 'manual', issuedFor?.sourceRef ?? null],
      );
      if (!row) throw CouponException.codeTaken(code);
      await this.audit.record(m, actor, {
        action: 'coupon.shared_code_created',
        entityType: 'coupon',
        entityId: row.id,
        after: { templateId, code, maxRedemptions: dto.maxRedemptions, ...issuedFor },
      });
      return { couponId: row.id, code, maxRedemptions: dto.maxRedemptions };
    });
  }

  /**
   * POST /v1/coupon-templates/:id/issue-segment: the segment is snapshotted now (in SQL), and each
   * of its members gets one coupon (idempotent per batch), within the per-member limit and budget.
   */
  async issueToSegment(actor: Actor, templateId: string, dto: { segmentId: string }): Promise<CouponBatch> {
    const batch = await this.ds.transaction(async (m) => {
      const t = await this.repo.lockTemplate(m, actor.brandId, templateId);
      const refusal = templateRefusal(t);
      if (refusal)
        throw CouponException.notIssued(refusal, `cannot issue: ${refusal.replace(/_/g, ' ')}`, 'templateId');
      const snap = await this.snapshots.snapshot(
        m,
        actor.brandId,
        { segmentId: dto.segmentId },
        { label: `coupon ${t.name}` },
      );
      return this.createBatch(m, actor, {
        templateId: t.id,
        kind: 'segment',
        requested: snap.count,
        segmentId: dto.segmentId,
        snapshotId: snap.id,
        source: 'segment',
        label: null,
        queue: snap.count > INLINE_GENERATION_LIMIT,
      });
    });
    return this.start(batch);
  }

  async get(brandId: string, id: string): Promise<CouponBatch> {
    const b = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.ds.getRepository(CouponBatch).findOneBy({ brandId, id })
      : null;
    if (!b) throw CouponException.batchNotFound(id);
    return b;
  }

  private async createBatch(
    m: EntityManager,
    actor: Actor,
    b: {
      templateId: string;
      kind: 'codes' | 'segment';
      requested: number;
      label: string | null;
      source: string;
      segmentId?: string;
      snapshotId?: string;
      queue: boolean;
    },
  ): Promise<{ batch: CouponBatch; items: WorkItem[] }> {
    const repo = m.getRepository(CouponBatch);
    const batch = await repo.save(
      repo.create({
        brandId: actor.brandId,
        templateId: b.templateId,
        kind: b.kind,
        requested: b.requested,
        label: b.label,
        source: b.source,
        segmentId: b.segmentId ?? null,
        snapshotId: b.snapshotId ?? null,
        createdById: actor.actorId,
      }),
    );
    await this.audit.record(m, actor, {
      action: b.kind === 'codes' ? 'coupon.codes_generated' : 'coupon.segment_issued',
      entityType: 'coupon_batch',
      entityId: batch.id,
      after: { templateId: b.templateId, requested: b.requested, segmentId: b.segmentId, label: b.label },
    });
    // A queued batch is a work item written with it; its job is added after commit (the reconciler
    // adds it again if this process dies in between).
    const items = b.queue
      ? await this.work.create(m, CouponsQueue as unknown as QueueDef<WorkJob>, [
          {
            name: COUPON_BATCH_JOB,
            brandId: actor.brandId,
            payload: { batchId: batch.id },
            dedupeKey: `coupon-batch-${batch.id}`,
          },
        ])
      : [];
    return { batch, items };
  }

  /** Runs a small batch in the request, or adds the job of a queued one. */
  private async start(created: { batch: CouponBatch; items: WorkItem[] }): Promise<CouponBatch> {
    if (created.items.length === 0) return this.run(created.batch.id);
    await this.work
      .dispatch(created.items)
      .catch((err: unknown) =>
        this.logger.warn({ err }, 'batch dispatch failed; the reconciler will add it'),
      );
    return created.batch;
  }

  /**
   * Runs a batch to its end, chunk by chunk (each chunk commits with the batch's progress); `chunk`
   * is the codes per chunk (GENERATION_CHUNK; smaller in tests).
   */
  async run(
    batchId: string,
    onProgress?: (done: number, requested: number) => Promise<void>,
    chunk: number = GENERATION_CHUNK,
  ): Promise<CouponBatch> {
    for (;;) {
      const b = await this.ds.getRepository(CouponBatch).findOneByOrFail({ id: batchId });
      if (b.status === 'done' || b.status === 'failed') return b;
      const finished =
        b.kind === 'codes' ? await this.codesRound(b, chunk) : await this.segmentStep(batchId, b);
      const now = await this.ds.getRepository(CouponBatch).findOneByOrFail({ id: batchId });
      if (onProgress) await onProgress(now.done, now.requested);
      if (finished) return now;
    }
  }

  /**
   * The next chunks of a codes batch, GENERATION_PARALLEL at once, each in its own transaction and
   * on its own connection (Postgres then inserts on both cores while Node waits). Each chunk moves
   * `done` by its own count at its end, only while that stays within `requested`, so the codes in
   * the table always match `done`; a chunk that would pass it (another process ran the same batch)
   * is rolled back whole and the loop reads the batch again. True when nothing was left.
   */
  private async codesRound(b: CouponBatch, chunk: number): Promise<boolean> {
    const left = b.requested - b.done;
    if (left <= 0) {
      await this.ds.query(
        `UPDATE coupon_batches SET status = 'done', completed_at = now(), updated_at = now(),
                skipped = skipped + (requested - done), done = requested WHERE id = $1 AND status IN ('pending', 'running')`,
        [b.id],
      );
      return true;
    }
    const t = await this.ds.getRepository(CouponTemplate).findOneByOrFail({ id: b.templateId });
    const sizes: number[] = [];
    for (let rest = left; rest > 0 && sizes.length < GENERATION_PARALLEL; rest -= chunk)
      sizes.push(Math.min(rest, chunk));
    const results = await Promise.allSettled(
      sizes.map((n) => this.ds.transaction((m) => this.codesChunk(m, t, b, n))),
    );
    for (const r of results)
      if (r.status === 'rejected' && !(r.reason instanceof ChunkOverrun)) throw r.reason;
    return false;
  }

  /** One step of a segment batch, in a transaction that holds the batch's row. */
  private async segmentStep(batchId: string, b: CouponBatch): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const [[locked]]: [Array<{ done: number }>, number] = await m.query(
        `UPDATE coupon_batches SET status = 'running', updated_at = now() WHERE id = $1 AND status IN ('pending', 'running')
           RETURNING done`,
        [batchId],
      );
      if (!locked) return true;
      const t = await m.getRepository(CouponTemplate).findOneByOrFail({ id: b.templateId });
      const left = b.requested - locked.done;
      if (left <= 0 || (templateRefusal(t) !== null && left > 0)) {
        await m.query(
          `UPDATE coupon_batches SET status = 'done', completed_at = now(), updated_at = now(),
                    skipped = skipped + (requested - done), done = requested WHERE id = $1`,
          [batchId],
        );
        return true;
      }
      await this.segmentChunk(m, t, b);
      return false;
    });
  }

  /**
   * `n` bearer codes: COPY into a staging table, one `INSERT … SELECT … ON CONFLICT DO NOTHING`
   * into `coupons` (its unique (brand, code) key is what guarantees uniqueness, against the
   * brand's other codes and within the batch), and only the shortfall drawn again.
   */
  private async codesChunk(m: EntityManager, t: CouponTemplate, b: CouponBatch, n: number): Promise<void> {
    const client = (m.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
    // Not waiting for the WAL flush at each chunk's commit is safe: a crash can lose only whole
    // chunks (their codes with the batch's `done`, one transaction), which the batch then draws
    // again; and the batch is marked done by a transaction that commits synchronously, so its
    // flush makes every earlier chunk durable before anyone is told the batch is done.
    await client.query(`SET LOCAL synchronous_commit = off`);
    await client.query(`CREATE TEMP TABLE IF NOT EXISTS coupon_code_stage (code text) ON COMMIT DELETE ROWS`);
    let inserted = 0;
    for (let round = 0; inserted < n; round++) {
      if (round === CODE_ROUNDS)
        throw new Error(`could not draw ${n - inserted} unique codes for template ${t.id}`);
      await client.query(`TRUNCATE coupon_code_stage`);
      await pipeline(
        codeLines(t.codePrefix, t.codeLength, n - inserted),
        client.query(copyFrom(`COPY coupon_code_stage (code) FROM STDIN`)),
      );
      // The conflict target is the code key alone: each row is checked against that one index
      // before it is written, not against every unique index (the ids are new by construction,
      // and a bearer code has no member, so the issue key cannot clash).
      const ids = timeOrderedIds();
      const res = await client.query(
        `INSERT INTO coupons (id, brand_id, template_id, code, kind, max_redemptions, source, source_ref, batch_id, valid_from, valid_until)
         SELECT ($5 || lpad(to_hex(s.n), 8, '0'))::uuid, t.brand_id, t.id, s.code, 'bearer', 1, $2, $3::text, $4::uuid,
                t.valid_from, ${COUPON_VALID_UNTIL_SQL}
           FROM (SELECT code, row_number() OVER () AS n FROM coupon_code_stage) s, coupon_templates t
          WHERE t.id = $1
         ON CONFLICT (brand_id, code) DO NOTHING`,
        [t.id, b.source === 'partner' ? 'partner' : 'bulk', b.id, b.id, ids],
      );
      inserted += res.rowCount ?? 0;
    }
    const [ok]: [unknown[], number] = await m.query(
      `UPDATE coupon_batches SET done = done + $2, status = 'running', updated_at = now()
        WHERE id = $1 AND status IN ('pending', 'running') AND done + $2 <= requested RETURNING 1`,
      [b.id, n],
    );
    if (ok.length === 0) throw new ChunkOverrun(b.id);
  }

  /** The next members of the snapshot (keyset by member id), each issued one coupon. */
  private async segmentChunk(m: EntityManager, t: CouponTemplate, b: CouponBatch): Promise<void> {
    const [state]: Array<{ cursor: string | null }> = await m.query(
      `SELECT cursor FROM coupon_batches WHERE id = $1`,
      [b.id],
    );
    const after = state.cursor ?? '00000000-0000-0000-0000-000000000000';
    const ids: Array<{ member_id: string }> = await m.query(
      `SELECT member_id FROM segment_snapshot_members WHERE snapshot_id = $1 AND member_id > $2 ORDER BY member_id LIMIT $3`,
      [b.snapshotId, after, SEGMENT_CHUNK],
    );
    const results = ids.length
      ? await this.issuing.issueMany(m, {
          brandId: b.brandId,
          templateId: t.id,
          source: 'segment',
          items: ids.map((r) => ({ memberId: r.member_id, sourceRef: b.id })),
        })
      : [];
    const issued = results.filter((r) => r.ok).length;
    const done = ids.length === 0 ? b.requested : undefined;
    await m.query(
      `UPDATE coupon_batches SET done = ${done === undefined ? 'LEAST(requested, done + $2)' : 'requested'},
              skipped = skipped + $3, cursor = $4, updated_at = now() WHERE id = $1`,
      [b.id, ids.length, ids.length - issued, ids.length ? ids[ids.length - 1].member_id : after],
    );
  }
}

/** A chunk that would take a batch past `requested` (or a finished batch): its transaction rolls back. */
class ChunkOverrun extends Error {
  constructor(batchId: string) {
    super(`batch ${batchId} moved under this run`);
  }
}

/** Codes per COPY block (~0.6 MB of lines for 12-character codes). */
const COPY_BLOCK = 50_000;

/** Lines of fresh codes for COPY, in blocks so a million codes never sit in one buffer. */
function codeLines(prefix: string, length: number, n: number): Readable {
  let left = n;
  return new Readable({
    read() {
      if (left === 0) return void this.push(null);
      const k = Math.min(COPY_BLOCK, left);
      left -= k;
      this.push(randomCodeLines(prefix, length, k));
    },
  });
}

/**
 * The first 24 hex digits of a chunk's coupon ids (its row number gives the last 8): UUIDv7-shaped,
 * the time in milliseconds first, then random bits. A random (v4) id would put each of a million
 * new rows at a random place in the primary key's index, touching a different page per row; ids
 * that grow with time append at its right edge. The random bits keep ids of chunks drawn in the
 * same millisecond apart (and the primary key would refuse a clash, redrawn as a collision).
 */
function timeOrderedIds(): string {
  const ms = Date.now().toString(16).padStart(12, '0');
  const r = randomBytes(6).toString('hex'); // 12 hex digits: 3 after the version, 9 after the variant
  const variant = ((parseInt(r[3], 16) & 0x3) | 0x8).toString(16);
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(7, 11)}`;
}
