import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AuditService,
  decodeCursor,
  DomainException,
  FieldError,
  NotFoundException,
  Page,
  storeCsvUpload,
  StoredCsvUpload,
  toPage,
  WorkItem,
  WorkJob,
  WorkService,
} from '@siyu/platform';
import type { Job } from 'bullmq';
import { DelayedError } from 'bullmq';
import { CsvError, parse } from 'csv-parse';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { OrderSource } from '../entities/order-source.entity';
import { IngestException } from '../ingest.errors';
import { AFFILIATE_IMPORT_JOB, AffiliateImportQueue } from '../jobs/ingest.queue';
import { AFFILIATE_COLUMNS, columnName, REQUIRED_COLUMNS } from './affiliate-row';
import { AffiliateOrdersService, AffiliateRowResult, RawAffiliateRow } from './affiliate-orders.service';

const MAX_RECORD_BYTES = 65_536;
/** Rows per transaction while applying: progress moves (and a retry resumes) at this grain. */
export const IMPORT_BATCH_ROWS = 500;

type Raw = Record<string, unknown>;

export interface AffiliateImportView {
  id: string;
  sourceId: string;
  filename: string;
  status: string;
  byteSize: string;
  totalRows: number;
  processedRows: number;
  percent: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
  error: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

const SELECT = `id, source_id, filename, status, byte_size::text AS byte_size, total_rows, processed_rows, created_count,
  updated_count, unchanged_count, failed_count, error, created_at, completed_at, created_at::text AS cursor_at`;

const toView = (r: Raw): AffiliateImportView => ({
  id: r.id as string,
  sourceId: r.source_id as string,
  filename: r.filename as string,
  status: r.status as string,
  byteSize: r.byte_size as string,
  totalRows: Number(r.total_rows),
  processedRows: Number(r.processed_rows),
  percent:
    Number(r.total_rows) === 0 ? 0 : Math.floor((Number(r.processed_rows) / Number(r.total_rows)) * 100),
  created: Number(r.created_count),
  updated: Number(r.updated_count),
  unchanged: Number(r.unchanged_count),
  failed: Number(r.failed_count),
  error: (r.error as string | null) ?? null,
  createdAt: r.created_at as Date,
  completedAt: (r.completed_at as Date | null) ?? null,
});

/** The header's column positions; unknown columns (a report has many) are ignored. */
export function readHeader(cells: string[]): { index: Map<string, number>; errors: FieldError[] } {
  const index = new Map<string, number>();
  const known = new Set<string>(AFFILIATE_COLUMNS);
  const errors: FieldError[] = [];
  cells.forEach((c, i) => {
    const name = columnName(c);
    if (!known.has(name)) return;
    if (index.has(name))
      errors.push({ field: `file.header[${i}]`, message: `column "${name}" appears twice` });
    else index.set(name, i);
  });
  const missing = REQUIRED_COLUMNS.filter((c) => !index.has(c));
  if (missing.length > 0)
    errors.push({ field: 'file.header', message: `missing required columns: ${missing.join(', ')}` });
  return { index, errors };
}

/**
 * Affiliate report uploads (CSV, streamed): the file goes into Postgres as it arrives (header
 * checked, rows counted), a work item is queued, and the worker applies it through
 * AffiliateOrdersService in batches, each committing its rows, their errors and the progress.
 */
@Injectable()
export class AffiliateImportsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly work: WorkService,
    private readonly audit: AuditService,
    private readonly affiliate: AffiliateOrdersService,
  ) {}

  async create(
    actor: Actor,
    source: OrderSource,
    upload: { filename: string; stream: Readable; maxBytes: number },
  ): Promise<AffiliateImportView> {
    const filename = (upload.filename || 'report.csv').slice(0, 255);
    const { id, items } = await this.ds.transaction(async (m) => {
      const [row]: Raw[] = await m.query(
        `INSERT INTO affiliate_imports (brand_id, source_id, filename, created_by_type, created_by_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [actor.brandId, source.id, filename, actor.actorType, actor.actorId],
      );
      const importId = row.id as string;
      const { bytes, sha256, records } = await this.store(m, importId, upload);
      if (records === 0)
        throw IngestException.headerInvalid([
          { field: 'file', message: 'the file is empty: it needs a header row' },
        ]);
      if (records === 1) throw IngestException.importEmpty();
      const items = await this.work.create(m, AffiliateImportQueue, [
        {
          name: AFFILIATE_IMPORT_JOB,
          brandId: actor.brandId,
          payload: { importId },
          dedupeKey: `affiliate-import-${importId}`,
        },
      ]);
      await m.query(
        `UPDATE affiliate_imports SET byte_size = $2, total_rows = $3, work_item_id = $4, updated_at = now() WHERE id = $1`,
        [importId, bytes, records - 1, items[0].id],
      );
      await this.audit.record(m, actor, {
        action: 'affiliate_import.create',
        entityType: 'affiliate_import',
        entityId: importId,
        after: { sourceId: source.id, filename, byteSize: bytes, sha256, totalRows: records - 1 },
      });
      return { id: importId, items };
    });
    await this.work.dispatch(items);
    return this.get(actor.brandId, source.id, id);
  }

  /** Streams the upload into chunks, checking the header and counting records with csv-parse. */
  private async store(
    m: EntityManager,
    importId: string,
    upload: { stream: Readable; maxBytes: number },
  ): Promise<StoredCsvUpload> {
    let stored: StoredCsvUpload;
    try {
      stored = await storeCsvUpload(upload.stream, {
        parser: () => csvParser(),
        checkHeader: (record) => {
          const { errors } = readHeader(record);
          return errors.length > 0 ? IngestException.headerInvalid(errors) : undefined;
        },
        saveChunk: (seq, data) =>
          m.query(`INSERT INTO affiliate_import_chunks (import_id, seq, data) VALUES ($1, $2, $3)`, [
            importId,
            seq,
            data,
          ]),
      });
    } catch (err) {
      if (err instanceof CsvError)
        throw IngestException.malformed((err as CsvError & { lines?: number }).lines, err.message);
      if (err instanceof DomainException || err instanceof QueryFailedError) throw err;
      throw IngestException.malformed(undefined, err instanceof Error ? err.message : String(err));
    }
    if (stored.truncated) throw IngestException.tooLarge(upload.maxBytes);
    return stored;
  }

  async get(brandId: string, sourceId: string, id: string): Promise<AffiliateImportView> {
    const [row]: Raw[] = await this.ds.query(
      `SELECT ${SELECT} FROM affiliate_imports WHERE brand_id = $1 AND source_id = $2 AND id = $3`,
      [brandId, sourceId, id],
    );
    if (!row) throw new NotFoundException('affiliate import', id);
    return toView(row);
  }

  async list(
    brandId: string,
    sourceId: string,
    limit: number,
    cursor?: string,
  ): Promise<Page<AffiliateImportView>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    const rows: Raw[] = await this.ds.query(
      `SELECT ${SELECT} FROM affiliate_imports WHERE brand_id = $1 AND source_id = $2
         ${after ? 'AND (created_at, id) < ($4::timestamptz, $5::uuid)' : ''}
        ORDER BY created_at DESC, id DESC LIMIT $3`,
      after ? [brandId, sourceId, limit + 1, after[0], after[1]] : [brandId, sourceId, limit + 1],
    );
    return toPage(rows, limit, (r) => [r.cursor_at as string, r.id as string], toView);
  }

  /** The rows that were skipped, in line order (keyset on line). */
  async errors(
    brandId: string,
    sourceId: string,
    id: string,
    afterLine = 0,
    limit = 500,
  ): Promise<Array<{ line: number; field: string; reason: string }>> {
    await this.get(brandId, sourceId, id);
    return this.ds.query(
      `SELECT line, field, reason FROM affiliate_import_errors WHERE import_id = $1 AND line > $2 ORDER BY line, field LIMIT $3`,
      [id, afterLine, limit],
    );
  }

  // ---------------------------------------------------------------- worker

  async processJob(job: Job<WorkJob>, token?: string): Promise<unknown> {
    try {
      return await this.work.run(job, token, (item, m) => this.run(item, m));
    } catch (err) {
      if (!(err instanceof DelayedError))
        await this.ds.query(
          `UPDATE affiliate_imports i SET status = CASE WHEN w.status = 'failed' THEN 'failed' ELSE 'pending' END,
                  error = w.last_error, updated_at = now()
             FROM work_items w WHERE w.id = $1 AND i.work_item_id = w.id AND i.status <> 'completed'`,
          [job.data.workItemId],
        );
      throw err;
    }
  }

  /**
   * Applies the stored file from the first row not yet committed. Each batch of rows commits with
   * its errors and the import's counts, so progress is readable while it runs and a retry resumes.
   */
  async run(item: WorkItem, m: EntityManager): Promise<AffiliateImportView | null> {
    const importId = String(item.payload.importId);
    const brandId = item.brandId as string;
    const [imp]: Raw[] = await this.ds.query(
      `SELECT i.processed_rows, i.created_by_type, i.created_by_id, s.* FROM affiliate_imports i
         JOIN order_sources s ON s.id = i.source_id WHERE i.id = $1 AND i.brand_id = $2`,
      [importId, brandId],
    );
    if (!imp) return null;
    const source = Object.assign(new OrderSource(), {
      id: imp.id,
      brandId,
      kind: imp.kind,
      name: imp.name,
      slug: imp.slug,
    });
    const actor: Actor = {
      brandId,
      actorType: imp.created_by_type as Actor['actorType'],
      actorId: imp.created_by_id as string | null,
      requestId: null,
    };
    const done = Number(imp.processed_rows);
    await this.ds.query(
      `UPDATE affiliate_imports SET status = 'running', error = NULL, updated_at = now() WHERE id = $1`,
      [importId],
    );
    const ctx = await this.affiliate.context(brandId);
    const afterPass = (mm: EntityManager, results: AffiliateRowResult[]) =>
      this.commitProgress(mm, importId, results);

    let header: Map<string, number> | null = null;
    let batch: RawAffiliateRow[] = [];
    let index = 0;
    const file = Readable.from(this.chunks(importId));
    const parser = csvParser(true);
    file.on('error', (err) => parser.destroy(err));
    file.pipe(parser);
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (!header) {
        header = readHeader(record).index;
        continue;
      }
      index++;
      if (index <= done) continue; // committed by an earlier attempt
      const values: Record<string, unknown> = {};
      for (const [name, at] of header) values[name] = record[at] ?? '';
      // The line the record ends on, counting the header as line 1 (as a spreadsheet shows it).
      batch.push({ line: info.lines, values });
      if (batch.length >= IMPORT_BATCH_ROWS) {
        await this.affiliate.apply(actor, source, batch, ctx, afterPass);
        batch = [];
      }
    }
    if (batch.length > 0) await this.affiliate.apply(actor, source, batch, ctx, afterPass);

    await m.query(
      `UPDATE affiliate_imports SET status = 'completed', completed_at = now(), updated_at = now() WHERE id = $1`,
      [importId],
    );
    // The report held buyers' order data; once applied the file is not kept.
    await m.query(`DELETE FROM affiliate_import_chunks WHERE import_id = $1`, [importId]);
    await this.audit.record(m, actor, {
      action: 'affiliate_import.complete',
      entityType: 'affiliate_import',
      entityId: importId,
      after: { sourceId: source.id },
    });
    const [row]: Raw[] = await m.query(`SELECT ${SELECT} FROM affiliate_imports WHERE id = $1`, [importId]);
    return toView(row);
  }

  private async commitProgress(
    m: EntityManager,
    importId: string,
    results: AffiliateRowResult[],
  ): Promise<void> {
    const n = (o: string) => results.filter((r) => r.outcome === o).length;
    const errors = results.flatMap((r) =>
      (r.errors ?? []).map((e) => ({ line: r.line, field: e.field.slice(0, 64), reason: e.message })),
    );
    if (errors.length > 0)
      await m.query(
        `INSERT INTO affiliate_import_errors (import_id, line, field, reason)
         SELECT $1, e.line, e.field, e.reason FROM jsonb_to_recordset($2::jsonb) AS e(line int, field text, reason text)
         ON CONFLICT DO NOTHING`,
        [importId, JSON.stringify(errors)],
      );
    await m.query(
      `UPDATE affiliate_imports SET processed_rows = processed_rows + $2, created_count = created_count + $3,
              updated_count = updated_count + $4, unchanged_count = unchanged_count + $5, failed_count = failed_count + $6,
              updated_at = now()
        WHERE id = $1`,
      [importId, results.length, n('created'), n('updated'), n('unchanged'), n('failed')],
    );
  }

  private async *chunks(importId: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const [row]: Array<{ data: Buffer }> = await this.ds.query(
        `SELECT data FROM affiliate_import_chunks WHERE import_id = $1 AND seq = $2`,
        [importId, seq],
      );
      if (!row) return;
      yield row.data;
    }
  }
}

function csvParser(info = false) {
  return parse({
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
    max_record_size: MAX_RECORD_BYTES,
    info,
  });
}
