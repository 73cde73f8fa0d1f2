import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { parseAffiliateRow, readAffiliateHeader } from '@siyu/conversions';
import {
  Actor,
  AuditService,
  decodeCursor,
  DomainException,
  Page,
  storeCsvUpload,
  StoredCsvUpload,
  toPage,
} from '@siyu/platform';
import { CsvError, parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { ReconKind, ReconResolution } from './reconciliation.constants';
import { PartnerReconciliationException } from './reconciliation.errors';

type Raw = Record<string, unknown>;

/** Report rows inserted per statement while reading the file. */
const INSERT_BATCH = 1_000;
const MAX_RECORD_BYTES = 65_536;

export interface ReconciliationView {
  id: string;
  sourceId: string;
  periodFrom: Date;
  periodTo: Date;
  filename: string;
  sha256: string;
  byteSize: string;
  reportRows: number;
  currency: string;
  counts: Record<ReconKind, number>;
  reportCommissionMinor: string;
  siyuCommissionMinor: string;
  differenceMinor: string;
  unresolved: number;
  createdAt: Date;
}

export interface ReconciliationLineView {
  id: string;
  kind: ReconKind;
  reportLine: number | null;
  subOrderId: string | null;
  parentOrderId: string | null;
  orderId: string | null;
  reportStatus: string | null;
  reportOrderStatus: string | null;
  reportPaidMinor: string | null;
  reportCommissionMinor: string | null;
  siyuOrderStatus: string | null;
  siyuPaidMinor: string | null;
  siyuCommissionMinor: string | null;
  differenceMinor: string | null;
  errors: Array<{ field: string; message: string }> | null;
  resolution: ReconResolution | null;
  agreedCommissionMinor: string | null;
  resolutionNote: string | null;
  resolvedAt: Date | null;
  resolvedByType: string | null;
  resolvedById: string | null;
}

const RUN_SELECT = `r.id, r.source_id, r.period_from, r.period_to, r.filename, r.sha256, r.byte_size::text AS byte_size,
  r.report_rows, r.currency, r.matched_count, r.amount_mismatch_count, r.status_mismatch_count, r.missing_in_siyu_count,
  r.missing_in_report_count, r.invalid_count, r.report_commission_minor::text AS report_commission_minor,
  r.siyu_commission_minor::text AS siyu_commission_minor,
  (r.report_commission_minor - r.siyu_commission_minor)::text AS difference_minor,
  (SELECT count(*)::int FROM partner_reconciliation_lines l
    WHERE l.reconciliation_id = r.id AND l.kind NOT IN ('matched', 'invalid') AND l.resolution IS NULL) AS unresolved,
  r.created_at, r.created_at::text AS cursor_at`;

const runView = (r: Raw): ReconciliationView => ({
  id: r.id as string,
  sourceId: r.source_id as string,
  periodFrom: r.period_from as Date,
  periodTo: r.period_to as Date,
  filename: r.filename as string,
  sha256: r.sha256 as string,
  byteSize: r.byte_size as string,
  reportRows: Number(r.report_rows),
  currency: r.currency as string,
  counts: {
    matched: Number(r.matched_count),
    amount_mismatch: Number(r.amount_mismatch_count),
    status_mismatch: Number(r.status_mismatch_count),
    missing_in_siyu: Number(r.missing_in_siyu_count),
    missing_in_report: Number(r.missing_in_report_count),
    invalid: Number(r.invalid_count),
  },
  reportCommissionMinor: r.report_commission_minor as string,
  siyuCommissionMinor: r.siyu_commission_minor as string,
  differenceMinor: r.difference_minor as string,
  unresolved: Number(r.unresolved),
  createdAt: r.created_at as Date,
});

const LINE_SELECT = `id::text AS id, kind, report_line, sub_order_id, parent_order_id, order_id, report_status, report_order_status,
  report_paid_minor::text AS report_paid_minor, report_commission_minor::text AS report_commission_minor,
  siyu_order_status, siyu_paid_minor::text AS siyu_paid_minor, siyu_commission_minor::text AS siyu_commission_minor,
  difference_minor::text AS difference_minor, errors, resolution, agreed_commission_minor::text AS agreed_commission_minor,
  resolution_note, resolved_at, resolved_by_type, resolved_by_id`;

const lineView = (r: Raw): ReconciliationLineView => ({
  id: r.id as string,
  kind: r.kind as ReconKind,
  reportLine: (r.report_line as number | null) ?? null,
  subOrderId: (r.sub_order_id as string | null) ?? null,
  parentOrderId: (r.parent_order_id as string | null) ?? null,
  orderId: (r.order_id as string | null) ?? null,
  reportStatus: (r.report_status as string | null) ?? null,
  reportOrderStatus: (r.report_order_status as string | null) ?? null,
  reportPaidMinor: (r.report_paid_minor as string | null) ?? null,
  reportCommissionMinor: (r.report_commission_minor as string | null) ?? null,
  siyuOrderStatus: (r.siyu_order_status as string | null) ?? null,
  siyuPaidMinor: (r.siyu_paid_minor as string | null) ?? null,
  siyuCommissionMinor: (r.siyu_commission_minor as string | null) ?? null,
  differenceMinor: (r.difference_minor as string | null) ?? null,
  errors: (r.errors as Array<{ field: string; message: string }> | null) ?? null,
  resolution: (r.resolution as ReconResolution | null) ?? null,
  agreedCommissionMinor: (r.agreed_commission_minor as string | null) ?? null,
  resolutionNote: (r.resolution_note as string | null) ?? null,
  resolvedAt: (r.resolved_at as Date | null) ?? null,
  resolvedByType: (r.resolved_by_type as string | null) ?? null,
  resolvedById: (r.resolved_by_id as string | null) ?? null,
});

/** A text cell that a spreadsheet would run as a formula is made inert. */
const inert = (v: string | null) => (v && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

export const RECON_EXPORT_COLUMNS = [
  'line_id',
  'kind',
  'report_line',
  'sub_order_id',
  'parent_order_id',
  'order_id',
  'report_status',
  'report_order_status',
  'report_paid_minor',
  'report_commission_minor',
  'siyu_order_status',
  'siyu_paid_minor',
  'siyu_commission_minor',
  'difference_minor',
  'resolution',
  'agreed_commission_minor',
  'resolution_note',
  'resolved_at',
] as const;

/**
 * Reconciliation of an affiliate programme's commission report against Siyu's ledger. The upload
 * is streamed into Postgres (platform storeCsvUpload, header checked), read back row by row with
 * the conversions lib's row parser (the same columns, statuses and money rules as order reports),
 * inserted in batches, then matched against affiliate_order_lines and their orders in set-based
 * statements — all in one transaction, so a run is complete or absent.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(
    actor: Actor,
    input: { sourceId: string; from: Date; to: Date },
    upload: { filename: string; stream: Readable; maxBytes: number },
  ): Promise<ReconciliationView> {
    const [source]: Raw[] = await this.ds.query(
      `SELECT s.id, b.currency, b.time_zone FROM order_sources s JOIN brands b ON b.id = s.brand_id
        WHERE s.brand_id = $1 AND s.id = $2 AND s.kind = 'affiliate'`,
      [actor.brandId, input.sourceId],
    );
    if (!source) throw PartnerReconciliationException.sourceNotFound(input.sourceId);
    const ctx = { currency: source.currency as string, timeZone: source.time_zone as string };
    const filename = (upload.filename || 'report.csv').slice(0, 255);
    const id = await this.ds.transaction(async (m) => {
      const [run]: Raw[] = await m.query(
        `INSERT INTO partner_reconciliations (brand_id, source_id, period_from, period_to, filename, sha256, byte_size,
                                              report_rows, currency, created_by_type, created_by_id)
         VALUES ($1, $2, $3, $4, $5, '', 0, 0, $6, $7, $8) RETURNING id`,
        [
          actor.brandId,
          input.sourceId,
          input.from,
          input.to,
          filename,
          ctx.currency,
          actor.actorType,
          actor.actorId,
        ],
      );
      const runId = run.id as string;
      const stored = await this.store(m, runId, upload);
      if (stored.records <= 1) throw PartnerReconciliationException.empty();
      await this.readReport(m, actor.brandId, runId, ctx);
      await this.match(m, actor.brandId, runId, input);
      await m.query(`DELETE FROM partner_reconciliation_chunks WHERE reconciliation_id = $1`, [runId]);
      await m.query(
        `UPDATE partner_reconciliations r SET sha256 = $2, byte_size = $3, report_rows = $4,
                matched_count = c.matched, amount_mismatch_count = c.amount, status_mismatch_count = c.status,
                missing_in_siyu_count = c.siyu, missing_in_report_count = c.report, invalid_count = c.invalid,
                report_commission_minor = c.report_minor, siyu_commission_minor = c.siyu_minor
           FROM (SELECT count(*) FILTER (WHERE kind = 'matched') AS matched,
                        count(*) FILTER (WHERE kind = 'amount_mismatch') AS amount,
                        count(*) FILTER (WHERE kind = 'status_mismatch') AS status,
                        count(*) FILTER (WHERE kind = 'missing_in_siyu') AS siyu,
                        count(*) FILTER (WHERE kind = 'missing_in_report') AS report,
                        count(*) FILTER (WHERE kind = 'invalid') AS invalid,
                        COALESCE(sum(report_commission_minor), 0) AS report_minor,
                        COALESCE(sum(siyu_commission_minor), 0) AS siyu_minor
                   FROM partner_reconciliation_lines WHERE reconciliation_id = $1) c
          WHERE r.id = $1`,
        [runId, stored.sha256, stored.bytes, stored.records - 1],
      );
      const view = await this.get(actor.brandId, runId, m);
      await this.audit.record(m, actor, {
        action: 'partner_reconciliation.create',
        entityType: 'partner_reconciliation',
        entityId: runId,
        after: {
          sourceId: input.sourceId,
          periodFrom: input.from.toISOString(),
          periodTo: input.to.toISOString(),
          filename,
          sha256: stored.sha256,
          counts: view.counts,
        },
      });
      return runId;
    });
    return this.get(actor.brandId, id);
  }

  private async store(
    m: EntityManager,
    runId: string,
    upload: { stream: Readable; maxBytes: number },
  ): Promise<StoredCsvUpload> {
    let stored: StoredCsvUpload;
    try {
      stored = await storeCsvUpload(upload.stream, {
        parser: () => csvParser(false),
        checkHeader: (record) => {
          const { errors } = readAffiliateHeader(record);
          return errors.length > 0 ? PartnerReconciliationException.header(errors) : undefined;
        },
        saveChunk: (seq, data) =>
          m.query(
            `INSERT INTO partner_reconciliation_chunks (reconciliation_id, seq, data) VALUES ($1, $2, $3)`,
            [runId, seq, data],
          ),
      });
    } catch (err) {
      if (err instanceof CsvError) throw PartnerReconciliationException.malformed(err.message);
      if (err instanceof DomainException || err instanceof QueryFailedError) throw err;
      throw PartnerReconciliationException.malformed(err instanceof Error ? err.message : String(err));
    }
    if (stored.truncated) throw PartnerReconciliationException.tooLarge(upload.maxBytes);
    return stored;
  }

  /** The stored file, parsed row by row into report lines (a row that cannot be read is an `invalid` line). */
  private async readReport(
    m: EntityManager,
    brandId: string,
    runId: string,
    ctx: { currency: string; timeZone: string },
  ): Promise<void> {
    // Chunks are fed to the parser one at a time and its records handled between reads, so the
    // transaction's connection never has two queries in flight.
    const parser = csvParser(true);
    const pending: Array<{ record: string[]; info: { lines: number } }> = [];
    let failure: Error | null = null;
    parser.on('data', (r: { record: string[]; info: { lines: number } }) => pending.push(r));
    parser.on('error', (err: Error) => (failure = failure ?? err));
    const ended = new Promise<void>((resolve) => parser.on('end', resolve).on('error', () => resolve()));
    async function* records(): AsyncGenerator<{ record: string[]; info: { lines: number } }> {
      for (let seq = 0; ; seq++) {
        const [row]: Array<{ data: Buffer }> = await m.query(
          `SELECT data FROM partner_reconciliation_chunks WHERE reconciliation_id = $1 AND seq = $2`,
          [runId, seq],
        );
        if (!row) break;
        await new Promise<void>((resolve) => parser.write(row.data, () => resolve()));
        if (failure) throw failure;
        yield* pending.splice(0);
      }
      parser.end();
      await ended;
      if (failure) throw failure;
      yield* pending.splice(0);
    }
    let header: Map<string, number> | null = null;
    const seen = new Map<string, number>();
    let batch: Raw[] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      await m.query(
        `INSERT INTO partner_reconciliation_lines (reconciliation_id, brand_id, kind, report_line, sub_order_id, parent_order_id,
                                                   report_status, report_order_status, report_paid_minor, report_commission_minor, errors)
         SELECT $1, $2, x.kind, x.line, x.sub, x.parent, x.status, x.order_status, x.paid::bigint, x.commission::bigint, x.errors
           FROM jsonb_to_recordset($3::jsonb) AS x(kind text, line int, sub text, parent text, status text, order_status text,
                                                   paid text, commission text, errors jsonb)`,
        [runId, brandId, JSON.stringify(batch)],
      );
      batch = [];
    };
    try {
      for await (const { record, info } of records()) {
        if (!header) {
          header = readAffiliateHeader(record).index;
          continue;
        }
        const values: Record<string, unknown> = {};
        for (const [name, at] of header) values[name] = record[at] ?? '';
        const parsed = parseAffiliateRow(values, ctx);
        const line = info.lines;
        if ('errors' in parsed) {
          const sub = typeof values.sub_order_id === 'string' ? values.sub_order_id.slice(0, 64) : null;
          batch.push({ kind: 'invalid', line, sub: sub || null, errors: parsed.errors });
        } else {
          const r = parsed.row;
          const first = seen.get(r.subOrderId);
          if (first !== undefined)
            batch.push({
              kind: 'invalid',
              line,
              sub: r.subOrderId,
              errors: [{ field: 'sub_order_id', message: `sub_order_id also appears on line ${first}` }],
            });
          else {
            seen.set(r.subOrderId, line);
            batch.push({
              kind: 'missing_in_siyu',
              line,
              sub: r.subOrderId,
              parent: r.orderId,
              status: r.status,
              order_status: r.orderStatus,
              paid: r.paidAmountMinor,
              commission: r.finalCommissionMinor ?? r.estimatedCommissionMinor,
            });
          }
        }
        if (batch.length >= INSERT_BATCH) await flush();
      }
    } catch (err) {
      if (err instanceof CsvError) throw PartnerReconciliationException.malformed(err.message);
      throw err;
    }
    await flush();
  }

  /**
   * Siyu's side of each report line (its affiliate line for the sub-order and the order), the
   * kind, then Siyu's lines of the source paid in the period that the report does not have.
   * Statuses compare as commerce statuses (partially refunded counts as paid); a status difference
   * wins over an amount difference; amounts are the paid amount and the commission (final, else
   * estimated).
   */
  private async match(
    m: EntityManager,
    brandId: string,
    runId: string,
    input: { sourceId: string; from: Date; to: Date },
  ): Promise<void> {
    await m.query(
      `UPDATE partner_reconciliation_lines l
          SET order_id = s.order_id, siyu_order_status = s.status, siyu_paid_minor = s.paid,
              siyu_commission_minor = s.commission,
              kind = CASE WHEN l.report_order_status <> s.status THEN 'status_mismatch'
                          WHEN l.report_commission_minor <> s.commission OR l.report_paid_minor <> s.paid THEN 'amount_mismatch'
                          ELSE 'matched' END
         FROM (SELECT a.sub_order_id, a.order_id,
                      CASE o.status WHEN 'partially_refunded' THEN 'paid' ELSE o.status END AS status,
                      o.amount_minor AS paid, COALESCE(a.final_commission_minor, a.estimated_commission_minor) AS commission
                 FROM affiliate_order_lines a JOIN orders o ON o.id = a.order_id
                WHERE a.brand_id = $2 AND a.source_id = $3) s
        WHERE l.reconciliation_id = $1 AND l.kind = 'missing_in_siyu' AND l.sub_order_id = s.sub_order_id`,
      [runId, brandId, input.sourceId],
    );
    await m.query(
      `INSERT INTO partner_reconciliation_lines (reconciliation_id, brand_id, kind, sub_order_id, parent_order_id, order_id,
                                                 siyu_order_status, siyu_paid_minor, siyu_commission_minor)
       SELECT $1, $2, 'missing_in_report', a.sub_order_id, a.parent_order_id, a.order_id,
              CASE o.status WHEN 'partially_refunded' THEN 'paid' ELSE o.status END, o.amount_minor,
              COALESCE(a.final_commission_minor, a.estimated_commission_minor)
         FROM affiliate_order_lines a JOIN orders o ON o.id = a.order_id
        WHERE a.brand_id = $2 AND a.source_id = $3 AND a.paid_at >= $4 AND a.paid_at < $5
          AND NOT EXISTS (SELECT 1 FROM partner_reconciliation_lines l
                           WHERE l.reconciliation_id = $1 AND l.sub_order_id = a.sub_order_id)
        ORDER BY a.paid_at, a.sub_order_id`,
      [runId, brandId, input.sourceId, input.from, input.to],
    );
    await m.query(
      `UPDATE partner_reconciliation_lines
          SET difference_minor = COALESCE(report_commission_minor, 0) - COALESCE(siyu_commission_minor, 0)
        WHERE reconciliation_id = $1 AND kind <> 'invalid'`,
      [runId],
    );
  }

  async get(brandId: string, id: string, m: EntityManager = this.ds.manager): Promise<ReconciliationView> {
    const [row]: Raw[] = await m.query(
      `SELECT ${RUN_SELECT} FROM partner_reconciliations r WHERE r.brand_id = $1 AND r.id = $2`,
      [brandId, id],
    );
    if (!row) throw PartnerReconciliationException.notFound(id);
    return runView(row);
  }

  async list(brandId: string, limit: number, cursor?: string): Promise<Page<ReconciliationView>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    const rows: Raw[] = await this.ds.query(
      `SELECT ${RUN_SELECT} FROM partner_reconciliations r WHERE r.brand_id = $1
         ${after ? 'AND (r.created_at, r.id) < ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY r.created_at DESC, r.id DESC LIMIT $2`,
      after ? [brandId, limit + 1, after[0], after[1]] : [brandId, limit + 1],
    );
    return toPage(rows, limit, (r) => [r.cursor_at as string, r.id as string], runView);
  }

  /** The run's lines in line order (keyset on id); `kind` filters, `unresolved` keeps open differences. */
  async lines(
    brandId: string,
    id: string,
    q: { kind?: string; unresolved?: boolean; limit: number; cursor?: string },
  ): Promise<Page<ReconciliationLineView>> {
    await this.get(brandId, id);
    const after = decodeCursor(q.cursor, 1) as [string] | null;
    const params: unknown[] = [id, q.limit + 1];
    const where = ['reconciliation_id = $1'];
    if (q.kind) {
      params.push(q.kind);
      where.push(`kind = $${params.length}`);
    }
    if (q.unresolved) where.push(`kind NOT IN ('matched', 'invalid') AND resolution IS NULL`);
    if (after) {
      params.push(after[0]);
      where.push(`id > $${params.length}::bigint`);
    }
    const rows: Raw[] = await this.ds.query(
      `SELECT ${LINE_SELECT} FROM partner_reconciliation_lines WHERE ${where.join(' AND ')} ORDER BY id LIMIT $2`,
      params,
    );
    return toPage(rows, q.limit, (r) => [r.id as string], lineView);
  }

  /** Every line as CSV, read in keyset pages (never the whole run in memory); audited. */
  async exportCsv(actor: Actor, id: string): Promise<Readable> {
    await this.get(actor.brandId, id);
    await this.ds.transaction((m) =>
      this.audit.record(m, actor, {
        action: 'partner_reconciliation.export',
        entityType: 'partner_reconciliation',
        entityId: id,
      }),
    );
    const ds = this.ds;
    async function* rows(): AsyncGenerator<unknown[]> {
      let last = '0';
      for (;;) {
        const page: Raw[] = await ds.query(
          `SELECT ${LINE_SELECT} FROM partner_reconciliation_lines WHERE reconciliation_id = $1 AND id > $2::bigint
            ORDER BY id LIMIT 2000`,
          [id, last],
        );
        if (page.length === 0) return;
        for (const r of page.map(lineView))
          yield [
            r.id,
            r.kind,
            r.reportLine,
            inert(r.subOrderId),
            inert(r.parentOrderId),
            r.orderId,
            inert(r.reportStatus),
            r.reportOrderStatus,
            r.reportPaidMinor,
            r.reportCommissionMinor,
            r.siyuOrderStatus,
            r.siyuPaidMinor,
            r.siyuCommissionMinor,
            r.differenceMinor,
            r.resolution,
            r.agreedCommissionMinor,
            inert(r.resolutionNote),
            r.resolvedAt ? r.resolvedAt.toISOString() : null,
          ];
        last = page[page.length - 1].id as string;
      }
    }
    return Readable.from(rows()).pipe(stringify({ header: true, columns: [...RECON_EXPORT_COLUMNS] }));
  }

  /**
   * Resolves a difference once: accept the report's commission, accept Siyu's, or a note only
   * (no agreed figure). Matched and invalid lines have nothing to resolve. Audited.
   */
  async resolve(
    actor: Actor,
    id: string,
    lineId: string,
    resolution: ReconResolution,
    note?: string,
  ): Promise<ReconciliationLineView> {
    await this.get(actor.brandId, id);
    return this.ds.transaction(async (m) => {
      const [before]: Raw[] = await m.query(
        `SELECT ${LINE_SELECT} FROM partner_reconciliation_lines
          WHERE reconciliation_id = $1 AND id = $2::bigint AND brand_id = $3 FOR UPDATE`,
        [id, lineId, actor.brandId],
      );
      if (!before) throw PartnerReconciliationException.lineNotFound(lineId);
      const line = lineView(before);
      if (line.kind === 'matched' || line.kind === 'invalid')
        throw PartnerReconciliationException.nothingToResolve(lineId, line.kind);
      if (line.resolution) throw PartnerReconciliationException.resolved(lineId, line.resolution);
      const agreed =
        resolution === 'accept_report'
          ? (line.reportCommissionMinor ?? '0')
          : resolution === 'accept_siyu'
            ? (line.siyuCommissionMinor ?? '0')
            : null;
      // UPDATE … RETURNING answers [rows, affected] through TypeORM.
      const [[row]]: [Raw[], number] = await m.query(
        `UPDATE partner_reconciliation_lines
            SET resolution = $2, agreed_commission_minor = $3::bigint, resolution_note = $4, resolved_at = now(),
                resolved_by_type = $5, resolved_by_id = $6
          WHERE id = $1::bigint RETURNING ${LINE_SELECT}`,
        [lineId, resolution, agreed, note ?? null, actor.actorType, actor.actorId],
      );
      const after = lineView(row);
      await this.audit.record(m, actor, {
        action: 'partner_reconciliation.resolve',
        entityType: 'partner_reconciliation_line',
        entityId: lineId,
        before: {
          reconciliationId: id,
          kind: line.kind,
          resolution: null,
          differenceMinor: line.differenceMinor,
        },
        after: {
          reconciliationId: id,
          resolution: after.resolution,
          agreedCommissionMinor: after.agreedCommissionMinor,
          note: after.resolutionNote,
        },
      });
      return after;
    });
  }
}

function csvParser(info: boolean) {
  return parse({
    relax_column_count: true,
    skip_empty_lines: true,
    bom: true,
    max_record_size: MAX_RECORD_BYTES,
    info,
  });
}
