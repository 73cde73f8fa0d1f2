import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, Page, toPage, WorkItem, WorkService } from '@siyu/platform';
import { stringify } from 'csv-stringify';
import { maskPhone } from '@siyu/members';
import { DataSource, EntityManager } from 'typeorm';
import { SegmentCreateDto } from './dto/segment-create.dto';
import { SegmentMemberRecord } from './dto/segment-member-response.dto';
import { SegmentPreviewDto } from './dto/segment-preview.dto';
import { SegmentUpdateDto } from './dto/segment-update.dto';
import { Segment } from './entities/segment.entity';
import { SEGMENT_COUNT_REFRESH_JOB, SegmentCountRefreshPayload, SegmentsQueue } from './jobs/segments.queue';
import { SegmentFieldDef } from './rule/segment-field';
import { SegmentFieldRegistry } from './rule/segment-field.registry';
import { PreparedSegment, SegmentQueryService } from './segment-query.service';
import { SEGMENT_MEMBER_COLUMNS, toSegmentMember } from './segment-members.sql';
import { SegmentsRepository, uuidCursor } from './segments.repository';
import { SegmentException } from './segments.errors';

export const PREVIEW_SAMPLE_SIZE = 20;
const EXPORT_BATCH = 1_000;

/** The export's columns, in order. No readable phone: only its mask. */
export const EXPORT_COLUMNS = [
  'member_id',
  'nickname',
  'phone_masked',
  'source_channel',
  'city',
  'tier',
  'order_count',
  'paid_spend_minor',
  'last_order_at',
  'tags',
  'consent',
] as const;

/** A cell a spreadsheet would run as a formula gets a leading apostrophe. */
const inert = (v: string | null) => (v && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

const auditView = (s: Segment) => ({
  id: s.id,
  name: s.name,
  description: s.description,
  rule: s.rule,
  includeErased: s.includeErased,
});

@Injectable()
export class SegmentsService {
  private readonly logger = new Logger(SegmentsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: SegmentsRepository,
    private readonly query: SegmentQueryService,
    private readonly fields: SegmentFieldRegistry,
    private readonly audit: AuditService,
    private readonly work: WorkService,
  ) {}

  /** The catalogue: every field a rule may name, with its operators. */
  catalogue(): SegmentFieldDef[] {
    return this.fields.all();
  }

  /** Count and a sample of 20 members (by id) for a rule that is not saved yet. */
  async preview(
    brandId: string,
    dto: SegmentPreviewDto,
  ): Promise<{ count: number; sample: SegmentMemberRecord[] }> {
    const p = await this.query.prepare(brandId, dto.rule, { includeErased: dto.includeErased });
    return this.query.bounded(async (m) => {
      const count = await this.query.count(p, m);
      const sample = count === 0 ? [] : await this.page(m, p, PREVIEW_SAMPLE_SIZE, null);
      return { count, sample: sample.slice(0, PREVIEW_SAMPLE_SIZE) };
    });
  }

  get(brandId: string, id: string): Promise<Segment> {
    return this.repo.get(brandId, id);
  }

  list(brandId: string, limit: number, cursor?: string): Promise<Page<Segment>> {
    return this.repo.list(brandId, limit, cursor);
  }

  /** Saves a rule under a unique name, with its count as of now (audited). */
  async create(actor: Actor, dto: SegmentCreateDto): Promise<Segment> {
    const p = await this.query.prepare(actor.brandId, dto.rule, { includeErased: dto.includeErased });
    const memberCount = await this.query.count(p);
    return this.ds.transaction(async (m) => {
      const segment = await this.repo.insert(m, actor.brandId, {
        name: dto.name.trim(),
        description: dto.description ?? null,
        rule: dto.rule,
        includeErased: dto.includeErased ?? false,
        memberCount,
        countedAt: p.scope.now,
      });
      await this.audit.record(m, actor, {
        action: 'segment.create',
        entityType: 'segment',
        entityId: segment.id,
        after: { ...auditView(segment), memberCount },
      });
      return segment;
    });
  }

  /** Renames, redescribes or changes the rule; the count is refreshed (audited). */
  async update(actor: Actor, id: string, dto: SegmentUpdateDto): Promise<Segment> {
    const current = await this.repo.get(actor.brandId, id);
    const rule = dto.rule ?? current.rule;
    const includeErased = dto.includeErased ?? current.includeErased;
    const p = await this.query.prepare(actor.brandId, rule, {
      includeErased,
      // A stored rule is re-checked for its shape; only a new rule must name existing ids.
      checkRefs: dto.rule !== undefined,
      root: dto.rule !== undefined ? 'rule' : 'segment.rule',
    });
    const memberCount = await this.query.count(p);
    return this.ds.transaction(async (m) => {
      const before = await this.repo.get(actor.brandId, id, m, true);
      await this.repo.update(m, actor.brandId, id, {
        name: dto.name !== undefined ? dto.name.trim() : before.name,
        description: dto.description !== undefined ? dto.description : before.description,
        rule,
        includeErased,
        memberCount,
        countedAt: p.scope.now,
      });
      const after = await this.repo.get(actor.brandId, id, m);
      await this.audit.record(m, actor, {
        action: 'segment.update',
        entityType: 'segment',
        entityId: id,
        before: { ...auditView(before), memberCount: before.memberCount },
        after: { ...auditView(after), memberCount },
      });
      return after;
    });
  }

  /** Deletes the segment; its snapshots stay (without the link). Audited. */
  async remove(actor: Actor, id: string): Promise<Segment> {
    return this.ds.transaction(async (m) => {
      const before = await this.repo.get(actor.brandId, id, m, true);
      await this.repo.delete(m, actor.brandId, id);
      await this.audit.record(m, actor, {
        action: 'segment.delete',
        entityType: 'segment',
        entityId: id,
        before: { ...auditView(before), memberCount: before.memberCount },
      });
      return before;
    });
  }

  /** The segment's rule, checked again (the catalogue may have changed since it was saved). */
  prepareSaved(segment: Segment, manager?: EntityManager): Promise<PreparedSegment> {
    return this.query.prepare(
      segment.brandId,
      segment.rule,
      { includeErased: segment.includeErased, checkRefs: false, root: 'segment.rule' },
      manager,
    );
  }

  /** The members matching a saved segment now, by id (keyset). */
  async members(
    brandId: string,
    id: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<SegmentMemberRecord>> {
    const after = uuidCursor(cursor);
    const p = await this.prepareSaved(await this.repo.get(brandId, id));
    const rows = await this.query.bounded((m) => this.page(m, p, limit + 1, after));
    return toPage(
      rows,
      limit,
      (r) => [r.id],
      (r) => r,
    );
  }

  private async page(
    m: EntityManager,
    p: PreparedSegment,
    take: number,
    after: string | null,
  ): Promise<SegmentMemberRecord[]> {
    const params: unknown[] = [];
    let sql = `SELECT ${SEGMENT_MEMBER_COLUMNS} ${this.query.from(p, params)}`;
    if (after) {
      params.push(after);
      sql += ` AND m.id > $${params.length}::uuid`;
    }
    params.push(take);
    const rows: Record<string, unknown>[] = await m.query(
      `${sql} ORDER BY m.id LIMIT $${params.length}`,
      params,
    );
    return rows.map(toSegmentMember);
  }

  /** Recounts one segment or all of the brand's, on `m` (the refresh job's transaction). */
  async refreshCounts(m: EntityManager, brandId: string, segmentId?: string): Promise<number> {
    const ids = segmentId ? [segmentId] : await this.repo.ids(brandId, m);
    let refreshed = 0;
    for (const id of ids) {
      const segment = await this.repo.get(brandId, id, m).catch(() => null);
      if (!segment) continue;
      try {
        const p = await this.prepareSaved(segment, m);
        const memberCount = await this.query.count(p, m);
        await this.repo.update(m, brandId, id, { memberCount, countedAt: p.scope.now });
        refreshed++;
      } catch (err) {
        // A saved rule the catalogue no longer accepts keeps its last count; the others go on.
        if (!(err instanceof SegmentException)) throw err;
        this.logger.warn({ brandId, segmentId: id, errors: err.errors }, 'segment rule no longer valid');
      }
    }
    return refreshed;
  }

  /** Queues a recount of the segment (a durable work item; the worker runs it). */
  async requestRefresh(actor: Actor, id: string): Promise<WorkItem> {
    await this.repo.get(actor.brandId, id);
    const payload: SegmentCountRefreshPayload = { brandId: actor.brandId, segmentId: id };
    const [item] = await this.work.enqueue(SegmentsQueue, [
      { name: SEGMENT_COUNT_REFRESH_JOB, brandId: actor.brandId, payload: { ...payload } },
    ]);
    return item;
  }

  /**
   * The segment's members as CSV, streamed from a server-side cursor in batches of 1,000 inside
   * one repeatable-read transaction (a consistent picture, never the whole set in memory). The
   * export is audited: personal data leaves the system.
   */
  async exportCsv(actor: Actor, id: string): Promise<{ segment: Segment; stream: Readable }> {
    const segment = await this.repo.get(actor.brandId, id);
    const p = await this.prepareSaved(segment);
    await this.ds.transaction((m) =>
      this.audit.record(m, actor, {
        action: 'segment.export',
        entityType: 'segment',
        entityId: id,
        after: { name: segment.name, columns: EXPORT_COLUMNS },
      }),
    );
    const params: unknown[] = [];
    const sql = `SELECT ${SEGMENT_MEMBER_COLUMNS} ${this.query.from(p, params)} ORDER BY m.id`;
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      await this.query.apply(runner.manager);
      await runner.query(`DECLARE segment_export NO SCROLL CURSOR FOR ${sql}`, params);
    } catch (err) {
      await runner.release();
      throw err;
    }
    // Released once: when the rows run out, fail, or the stream is closed before they are read.
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    };
    async function* rows(): AsyncGenerator<SegmentMemberRecord> {
      try {
        for (;;) {
          const batch: Record<string, unknown>[] = await runner.query(
            `FETCH ${EXPORT_BATCH} FROM segment_export`,
          );
          if (batch.length === 0) break;
          for (const r of batch) yield toSegmentMember(r);
        }
        await runner.commitTransaction();
      } finally {
        await release();
      }
    }
    const source = Readable.from(rows());
    source.once('close', () => void release().catch(() => undefined));
    const toCells = new Transform({
      objectMode: true,
      transform(r: SegmentMemberRecord, _enc, done) {
        done(null, [
          r.id,
          inert(r.nickname),
          maskPhone(r.phone),
          r.sourceChannel,
          inert(r.city),
          inert(r.tier),
          r.orderCount,
          r.paidSpendMinor,
          r.lastOrderAt ? r.lastOrderAt.toISOString() : null,
          inert(r.tags.join('|')),
          r.consentStatus,
        ]);
      },
    });
    const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS] });
    // pipeline destroys the cursor's generator (and frees its connection) if the client goes away.
    pipeline(source, toCells, csv, (err) => {
      if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE')
        this.logger.warn({ err: { message: err.message }, segmentId: id }, 'segment export failed');
    });
    return { segment, stream: csv };
  }
}
