import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AuditService,
  decodeCursor,
  DomainException,
  NotFoundException,
  Page,
  storeCsvUpload,
  StoredCsvUpload,
  timeOrderedUuidSql,
  toPage,
  WorkItem,
  WorkJob,
  WorkService,
} from '@siyu/platform';
import type { Job } from 'bullmq';
import { DelayedError } from 'bullmq';
import { CsvError, parse } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { distinctUntilChanged, exhaustMap, from, map, Observable, takeWhile, timer } from 'rxjs';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { MemberImportRecord, MemberImportResponseDto } from './dto/member-import-response.dto';
import { ImportStatus } from './entities/member-import.entity';
import { checkHeader, ImportColumn, ImportHeader, PHONE_INVALID, sqlTrimmed } from './member-import.csv';
import { MemberIdentityHooks } from './member-identity-hooks';
import { MemberPiiService, phoneForms } from './member-pii.service';
import { MemberTimelineRegistry, MemberTimelineSource } from './member-timeline.registry';
import { MEMBER_EVENT_TYPES, SOURCE_CHANNELS, sqlList } from './members.constants';
import { MemberException } from './members.errors';
import { MEMBER_IMPORT_JOB, MemberImportQueue } from './jobs/members.queue';

/** One CSV record may not exceed this (a guard against a file without line breaks). */
const MAX_RECORD_BYTES = 65_536;
const PROGRESS_EVERY = 25_000;
/**
 * Memory for each sort and hash of the import transaction (the server's default here is 4 MB): a
 * million rows' sorts and hashes stay in memory or spill far less. For this transaction only.
 */
const IMPORT_WORK_MEM = '256MB';
/** Rounds of identity resolution before the rest of the rows are reported as unresolvable. */
const MAX_ROUNDS = 50;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Raw = Record<string, unknown>;

/** Staging columns, in COPY order. */
const STAGE_COLUMNS = [
  'line',
  'external_userid',
  'unionid',
  'openid',
  'app_id',
  'phone_raw',
  'phone_e164',
  'phone_hash',
  'phone_hint',
  'phone_error',
  'store_customer_id',
  'nickname',
  'source_channel',
  'city',
  'birthday',
  'tags',
  'consent',
  'joined_at',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_content',
  'utm_term',
  'col_error',
] as const;

const toImport = (r: Raw): MemberImportRecord => ({
  id: r.id as string,
  filename: r.filename as string,
  status: r.status as ImportStatus,
  byteSize: String(r.byte_size),
  totalRows: r.total_rows === null ? null : Number(r.total_rows),
  processedRows: Number(r.processed_rows),
  inserted: Number(r.inserted_count),
  updated: Number(r.updated_count),
  failed: Number(r.failed_count),
  error: r.error as string | null,
  createdAt: r.created_at as Date,
  startedAt: r.started_at as Date | null,
  completedAt: r.completed_at as Date | null,
});

const IMPORT_SELECT = `id, filename, status, byte_size, total_rows, processed_rows, inserted_count, updated_count,
  failed_count, error, created_at, started_at, completed_at, created_at::text AS cursor_at`;

/**
 * CSV imports of members. The upload streams into Postgres (durable, reachable from any worker);
 * the worker streams it back into COPY on a temporary staging table (raw when Postgres reads the file
 * as csv-parse does, else through csv-parse), validates and normalises in SQL, resolves identities
 * set-wise and writes members, identities, tags and timeline links with INSERT … SELECT, all in
 * the transaction that completes the work item. The `members-import` bench measures it.
 */
@Injectable()
export class MemberImportsService implements OnModuleInit {
  private readonly logger = new Logger(MemberImportsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly work: WorkService,
    private readonly audit: AuditService,
    private readonly pii: MemberPiiService,
    private readonly identityHooks: MemberIdentityHooks,
    private readonly timeline: MemberTimelineRegistry,
  ) {}

  onModuleInit(): void {
    for (const source of IMPORT_TIMELINE_SOURCES) this.timeline.register(source);
  }

  // ---------------------------------------------------------------- upload

  /** Stores the upload (checking its header and counting its rows on the way) and queues it. */
  async create(
    actor: Actor,
    upload: { filename: string; stream: Readable; maxBytes?: number },
  ): Promise<MemberImportRecord> {
    const filename = (upload.filename || 'members.csv').slice(0, 255);
    const { id, items } = await this.ds.transaction(async (m) => {
      const [row]: Raw[] = await m.query(
        `INSERT INTO member_imports (brand_id, filename, created_by_type, created_by_id, request_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [actor.brandId, filename, actor.actorType, actor.actorId, actor.requestId],
      );
      const importId = row.id as string;
      let stored: StoredCsvUpload;
      try {
        stored = await storeCsvUpload(upload.stream, {
          parser: () => this.parser(),
          checkHeader: (record) => {
            const { errors } = checkHeader(record);
            return errors.length > 0 ? MemberException.headerInvalid(errors) : undefined;
          },
          saveChunk: (seq, data) =>
            m.query(
              `INSERT INTO member_import_chunks (import_id, brand_id, seq, data) VALUES ($1, $2, $3, $4)`,
              [importId, actor.brandId, seq, data],
            ),
        });
      } catch (err) {
        if (err instanceof CsvError)
          throw MemberException.csvMalformed((err as CsvError & { lines?: number }).lines, err.message);
        if (
          err instanceof DomainException ||
          err instanceof QueryFailedError ||
          typeof (err as { statusCode?: unknown }).statusCode === 'number'
        ) {
          throw err;
        }
        // What is left can only come from the upload stream itself (a broken or truncated body).
        throw MemberException.uploadBroken(err instanceof Error ? err.message : String(err));
      }
      const { bytes, records } = stored;
      if (stored.truncated) throw MemberException.tooLarge(upload.maxBytes ?? bytes);
      if (records === 0)
        throw MemberException.headerInvalid([
          { field: 'file', message: 'the file is empty: it needs a header row' },
        ]);
      if (records === 1) throw MemberException.importEmpty();
      const items = await this.work.create(m, MemberImportQueue, [
        {
          name: MEMBER_IMPORT_JOB,
          brandId: actor.brandId,
          payload: { importId },
          dedupeKey: `member-import-${importId}`,
        },
      ]);
      await m.query(
        `UPDATE member_imports SET byte_size = $2, sha256 = $3, total_rows = $4, work_item_id = $5, updated_at = now() WHERE id = $1`,
        [importId, bytes, stored.sha256, records - 1, items[0].id],
      );
      await this.audit.record(m, actor, {
        action: 'member_import.create',
        entityType: 'member_import',
        entityId: importId,
        after: { filename, byteSize: bytes, totalRows: records - 1 },
      });
      return { id: importId, items };
    });
    await this.work.dispatch(items);
    return this.get(actor.brandId, id);
  }

  private parser() {
    return parse({
      relax_column_count: true,
      skip_empty_lines: true,
      bom: true,
      max_record_size: MAX_RECORD_BYTES,
    });
  }

  // ---------------------------------------------------------------- reading

  async get(brandId: string, id: string): Promise<MemberImportRecord> {
    const rows: Raw[] = await this.ds.query(
      `SELECT ${IMPORT_SELECT} FROM member_imports WHERE brand_id = $1 AND id = $2`,
      [brandId, id],
    );
    if (!rows[0]) throw new NotFoundException('member import', id);
    return toImport(rows[0]);
  }

  async list(brandId: string, limit: number, cursor?: string): Promise<Page<MemberImportRecord>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    const params: unknown[] = [brandId, limit + 1];
    if (after) params.push(after[0], after[1]);
    const rows: Raw[] = await this.ds.query(
      `SELECT ${IMPORT_SELECT} FROM member_imports WHERE brand_id = $1
         ${after ? 'AND (created_at, id) < ($3::timestamptz, $4::uuid)' : ''}
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    return toPage(rows, limit, (r) => [r.cursor_at as string, r.id as string], toImport);
  }

  /** The import's state every `everyMs` while it changes, ending with its final state. */
  watch(brandId: string, id: string, everyMs = 500): Observable<MemberImportResponseDto> {
    return timer(0, everyMs).pipe(
      exhaustMap(() => from(this.get(brandId, id))),
      map((r) => MemberImportResponseDto.from(r)),
      distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
      takeWhile((r) => r.status !== 'completed' && r.status !== 'failed', true),
    );
  }

  /** The per-row errors as CSV (line, field, reason, value), streamed by COPY. */
  async errorsCsv(brandId: string, id: string): Promise<Readable> {
    await this.get(brandId, id);
    if (!UUID.test(brandId) || !UUID.test(id)) throw new NotFoundException('member import', id);
    const runner = this.ds.createQueryRunner();
    const client = (await runner.connect()) as PoolClient;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      void runner.release();
    };
    // COPY takes no bind parameters; both ids were checked to be UUIDs above.
    const stream = client.query(
      copyTo(
        `COPY (SELECT line, field, reason,
                      CASE WHEN value ~ '^[=+@-]' THEN '''' || value ELSE value END AS value
                 FROM member_import_errors
                WHERE brand_id = '${brandId}' AND import_id = '${id}'
                ORDER BY line, id)
         TO STDOUT WITH (FORMAT csv, HEADER)`,
      ),
    );
    stream.once('end', release);
    stream.once('error', release);
    stream.once('close', release);
    return stream;
  }

  // ---------------------------------------------------------------- processing (worker)

  /** The job: claim the work item, apply the import in its transaction, record a final failure. */
  async processJob(job: Job<WorkJob>, token?: string): Promise<unknown> {
    try {
      return await this.work.run(job, token, (item, m) => this.apply(item, m));
    } catch (err) {
      if (!(err instanceof DelayedError)) {
        await this.ds.query(
          `UPDATE member_imports i
              SET status = CASE WHEN w.status = 'failed' THEN 'failed' ELSE 'queued' END, error = w.last_error, updated_at = now()
             FROM work_items w
            WHERE w.id = $1 AND i.work_item_id = w.id AND i.status <> 'completed'`,
          [job.data.workItemId],
        );
      }
      throw err;
    }
  }

  async apply(
    item: WorkItem,
    m: EntityManager,
  ): Promise<{ total: number; inserted: number; updated: number; failed: number }> {
    const importId = String(item.payload.importId);
    const brandId = item.brandId as string;
    const [imp]: Raw[] = await m.query(
      `SELECT id, created_by_type, created_by_id, request_id, total_rows FROM member_imports WHERE id = $1 AND brand_id = $2`,
      [importId, brandId],
    );
    if (!imp) return { total: 0, inserted: 0, updated: 0, failed: 0 };
    const actor: Actor = {
      brandId,
      actorType: imp.created_by_type as Actor['actorType'],
      actorId: imp.created_by_id as string | null,
      requestId: imp.request_id as string | null,
    };
    // Progress is written outside the transaction so that readers see it while the import runs.
    await this.ds.query(
      `UPDATE member_imports SET status = 'processing', started_at = now(), processed_rows = 0, error = NULL, updated_at = now() WHERE id = $1`,
      [importId],
    );
    // One import per brand at a time (two files naming the same new person must not both create it);
    // times without an offset are read in the brand's time zone.
    await m.query(`SELECT pg_advisory_xact_lock(hashtextextended('member-import:' || $1, 0))`, [brandId]);
    await m.query(`SELECT set_config('TimeZone', time_zone, true) FROM brands WHERE id = $1`, [brandId]);
    // Each statement below reads or writes every row of the file once: sorts and hashes that fit in
    // memory, and no JIT compilation (it costs more than it saves on these one-pass queries).
    await m.query(`SELECT set_config('work_mem', $1, true), set_config('jit', 'off', true)`, [
      IMPORT_WORK_MEM,
    ]);

    const phases = new PhaseTimes();
    await phases.time('stage', this.stage(m, importId, Number(imp.total_rows), phases));
    const q = (sql: string, params: unknown[] = [], phase = 'other') =>
      phases.time(phase, m.query(sql, params));
    const p = [importId, brandId];

    // 1. Validate and normalise in SQL: one pass marks the rows that break a rule, then each broken
    //    rule of those rows is one error row; a row with any is skipped.
    await q(ROWS_SQL, [], 'rows');
    await q(`ALTER TABLE member_import_rows ADD PRIMARY KEY (line)`, [], 'rows');
    await q(VALIDATE_SQL, p, 'validate');
    await q(IDS_SQL, [], 'ids');
    await q(SHARED_IDS_SQL, [], 'ids');
    await q(`CREATE INDEX ON member_import_ids (kind, app_id, value) WHERE shared`, [], 'ids');
    await q(`CREATE INDEX ON member_import_ids (line)`, [], 'ids');
    await q(`ANALYZE member_import_stage`, [], 'analyze');
    await q(`ANALYZE member_import_rows`, [], 'analyze');
    await q(`ANALYZE member_import_ids`, [], 'analyze');

    // 2. Resolve rows to members: through identities that exist, else by creating one member per
    //    row that shares no identity with an earlier unresolved row; repeat until every row has one.
    for (let round = 1; ; round++) {
      const [{ open }]: Array<{ open: number }> = await q(
        `SELECT count(*)::int AS "open" FROM member_import_rows WHERE member_id IS NULL AND NOT bad`,
      );
      if (open === 0) break;
      if (round > MAX_ROUNDS) {
        await q(
          `INSERT INTO member_import_errors (import_id, brand_id, line, field, reason)
           SELECT $1, $2, line, 'identity', 'the row could not be matched to one member' FROM member_import_rows
            WHERE member_id IS NULL AND NOT bad`,
          p,
        );
        await q(`UPDATE member_import_rows SET bad = true WHERE member_id IS NULL AND NOT bad`);
        break;
      }
      const [, resolved] = (await q(resolveSql(open <= PROBE_MAX_ROWS), [brandId, round], 'resolve')) as [
        unknown,
        number,
      ];
      if (resolved === 0) await q(LEADERS_SQL, [round], 'leaders');
      // The planner reads how many rows this round settled (cheap: a sample of the narrow table).
      await q(`ANALYZE member_import_rows`, [], 'analyze');
      if (resolved === 0) {
        await q(CREATE_MEMBERS_SQL, [brandId, round], 'members');
        await phases.time('identities', this.attachCreated(m, brandId, round));
      } else {
        await q(attachSql(true), [brandId, round], 'identities');
      }
    }
    await q(
      `INSERT INTO member_import_errors (import_id, brand_id, line, field, reason)
       SELECT $1, $2, line, 'identity', 'MEMBER_IDENTITY_CONFLICT: the identities belong to different members: ' || conflict
         FROM member_import_rows WHERE conflict IS NOT NULL`,
      p,
    );
    await q(MISMATCH_SQL, [brandId, importId], 'mismatch');
    await q(
      `UPDATE member_import_rows r SET bad = true
         FROM (SELECT DISTINCT line FROM member_import_errors WHERE import_id = $1) e
        WHERE r.line = e.line AND NOT r.bad`,
      [importId],
    );

    // 3. Apply the rows to the members they matched, then tags and the links the timeline reads.
    const events = [brandId, importId, actor.actorType, actor.actorId];
    await q(UPDATES_SQL, [], 'updates');
    await q(CONSENT_EVENTS_SQL, events, 'updates');
    await q(UPDATE_MEMBERS_SQL, [brandId], 'updates');
    await q(ROW_TAGS_SQL, [], 'tags');
    await q(CREATE_TAGS_SQL, [brandId], 'tags');
    await q(TAG_MEMBERS_SQL, [brandId], 'memberTags');
    await q(LINKS_SQL, [brandId, importId], 'links');

    const [counts]: Array<{ total: number; inserted: number; updated: number; failed: number }> = await q(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE NOT bad AND created)::int AS inserted,
              count(*) FILTER (WHERE NOT bad AND NOT created)::int AS updated,
              count(*) FILTER (WHERE bad)::int AS failed
         FROM member_import_rows`,
    );
    await q(
      `UPDATE member_imports SET status = 'completed', total_rows = $2, processed_rows = $2, inserted_count = $3,
              updated_count = $4, failed_count = $5, error = NULL, completed_at = clock_timestamp(), updated_at = clock_timestamp()
        WHERE id = $1`,
      [importId, counts.total, counts.inserted, counts.updated, counts.failed],
    );
    // The file held personal data; once applied it is not kept.
    await q(`DELETE FROM member_import_chunks WHERE import_id = $1`, [importId]);
    await this.audit.record(m, actor, {
      action: 'member_import.complete',
      entityType: 'member_import',
      entityId: importId,
      after: counts,
    });
    // Listeners (commerce's order matcher) see the identities this file added, in this transaction.
    await phases.time('hooks', this.identityHooks.identitiesAdded(m, { brandId, source: 'import' }));
    this.logger.debug({ importId, brandId, ...counts, phasesMs: phases.toJSON() }, 'member import applied');
    return counts;
  }

  /**
   * The identities of the members a round created. Leaders share no identity with each other and
   * had none that existed, so a plain insert only fails when another writer (a member upsert)
   * added one of them meanwhile: then the round's identities go in again with `ON CONFLICT DO
   * NOTHING`, as every round's did before (the other writer's identity stays theirs).
   */
  private async attachCreated(m: EntityManager, brandId: string, round: number): Promise<void> {
    await m.query(`SAVEPOINT member_import_attach`);
    try {
      await m.query(attachSql(false), [brandId, round]);
      await m.query(`RELEASE SAVEPOINT member_import_attach`);
    } catch (err) {
      if ((err as { driverError?: { code?: string } }).driverError?.code !== '23505') throw err;
      await m.query(`ROLLBACK TO SAVEPOINT member_import_attach`);
      await m.query(attachSql(true), [brandId, round]);
    }
  }

  /**
   * Stages the stored file in `member_import_stage`, one row per record: trimmed, empty → NULL, the
   * phone normalised. Postgres reads it itself (COPY … FORMAT csv) when it reads it as csv-parse
   * does; otherwise, or when that COPY fails, the file goes record by record through csv-parse.
   */
  private async stage(
    m: EntityManager,
    importId: string,
    totalRows: number,
    phases: PhaseTimes,
  ): Promise<void> {
    await m.query(`SAVEPOINT member_import_copy`);
    if (await this.stageByCopy(m, importId, totalRows, phases)) {
      await m.query(`RELEASE SAVEPOINT member_import_copy`);
      return;
    }
    await m.query(`ROLLBACK TO SAVEPOINT member_import_copy`);
    await this.stageByParse(m, importId);
  }

  /**
   * The fast way: the raw file into COPY … (FORMAT csv), then the phones through JavaScript and the
   * rest trimmed in SQL. It applies only when every record is one line of the header's width (so
   * line numbers are record numbers, as csv-parse counts them) and Postgres reads exactly the
   * records the upload counted; anything else (a short or long row, a quoted line break, an empty
   * line, bytes that are not UTF-8 or NUL) makes COPY fail or the counts differ, and it answers
   * false, leaving the transaction to be rolled back to the savepoint.
   */
  private async stageByCopy(
    m: EntityManager,
    importId: string,
    totalRows: number,
    phases: PhaseTimes,
  ): Promise<boolean> {
    const header = await this.plainHeader(importId);
    if (!header) return false;
    const client = (m.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
    const raw = Array.from({ length: header.width }, (_, i) => `c${i}`);
    await m.query(
      `CREATE TEMP TABLE member_import_raw (line int GENERATED ALWAYS AS IDENTITY (START WITH 2),
         ${raw.map((c) => `${c} text`).join(', ')}) ON COMMIT DROP`,
    );
    let newlines = 0;
    let last = -1;
    let reported = 0;
    const progress = (n: number) => this.progress(importId, Math.min(n, totalRows));
    const count = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) newlines++;
        if (chunk.length > 0) last = chunk[chunk.length - 1];
        if (newlines - reported < PROGRESS_EVERY) return cb(null, chunk);
        reported = newlines;
        progress(newlines - 1).then(() => cb(null, chunk), cb);
      },
    });
    const copy = client.query(
      copyFrom(`COPY member_import_raw (${raw.join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true)`),
    );
    try {
      await phases.time('stage.copy', pipeline(Readable.from(this.chunks(importId)), count, copy));
    } catch {
      return false; // Postgres could not read the file as it stands; csv-parse may
    }
    const lines = newlines + (last !== -1 && last !== 10 ? 1 : 0);
    if (copy.rowCount !== totalRows || lines !== totalRows + 1) return false;
    await progress(totalRows);

    const column = (c: ImportColumn) => {
      const i = header.index[c];
      return i === undefined ? 'NULL::text' : sqlTrimmed(`r.c${i}`);
    };
    const phones = header.index.phone !== undefined;
    if (phones) await phases.time('stage.phones', this.stagePhones(m, client, column('phone')));
    const values: Record<(typeof STAGE_COLUMNS)[number], string> = {
      line: 'r.line',
      external_userid: column('external_userid'),
      unionid: column('unionid'),
      openid: column('openid'),
      app_id: column('app_id'),
      phone_raw: column('phone'),
      phone_e164: phones ? 'p.e164' : 'NULL::text',
      phone_hash: phones ? 'p.hash' : 'NULL::text',
      phone_hint: phones ? 'p.hint' : 'NULL::text',
      phone_error: phones ? 'p.error' : 'NULL::text',
      store_customer_id: column('store_customer_id'),
      nickname: column('nickname'),
      source_channel: column('source_channel'),
      city: column('city'),
      birthday: column('birthday'),
      tags: column('tags'),
      consent: column('consent'),
      joined_at: column('joined_at'),
      utm_source: column('utm_source'),
      utm_medium: column('utm_medium'),
      utm_campaign: column('utm_campaign'),
      utm_content: column('utm_content'),
      utm_term: column('utm_term'),
      col_error: 'NULL::text',
    };
    await phases.time(
      'stage.trim',
      m.query(
        `CREATE TEMP TABLE member_import_stage ON COMMIT DROP AS
         SELECT ${STAGE_COLUMNS.map((c) => `${values[c]} AS ${c}`).join(', ')}
           FROM member_import_raw r
           ${phones ? 'LEFT JOIN member_import_phones p ON p.line = r.line' : ''}`,
      ),
    );
    await m.query(`DROP TABLE member_import_raw${phones ? ', member_import_phones' : ''}`);
    return true;
  }

  /** The header, when the file's first line is the whole header record and a valid one. */
  private async plainHeader(importId: string): Promise<ImportHeader | null> {
    const [first]: Array<{ data: Buffer }> = await this.ds.query(
      `SELECT data FROM member_import_chunks WHERE import_id = $1 AND seq = 0`,
      [importId],
    );
    const end = first?.data.indexOf(10) ?? -1;
    if (end === -1) return null;
    try {
      const [cells] = parseSync(first.data.subarray(0, end), {
        bom: true,
        relax_column_count: true,
      }) as string[][];
      const checked = checkHeader(cells ?? []);
      return checked.errors.length === 0 ? checked.header : null;
    } catch {
      return null; // e.g. a quoted line break: the header record goes on past the first line
    }
  }

  /**
   * `member_import_phones`: each staged phone (`phone`, an SQL expression over `r`) normalised,
   * digested and masked in JavaScript, read through a cursor and written back by COPY in batches.
   */
  private async stagePhones(m: EntityManager, client: PoolClient, phone: string): Promise<void> {
    await m.query(
      `CREATE TEMP TABLE member_import_phones (line int, e164 text, hash text, hint text, error text) ON COMMIT DROP`,
    );
    await m.query(
      `DECLARE member_import_phone_rows NO SCROLL CURSOR FOR
       SELECT r.line, ${phone} AS phone FROM member_import_raw r WHERE ${phone} IS NOT NULL`,
    );
    for (;;) {
      const batch: Array<{ line: number; phone: string }> = await m.query(
        `FETCH ${PHONE_BATCH} FROM member_import_phone_rows`,
      );
      if (batch.length === 0) break;
      let text = '';
      for (const { line, phone: raw } of batch) {
        const forms = phoneForms(raw);
        text += copyLine(
          forms
            ? [line, forms.e164, this.pii.phoneDigest(forms.e164), forms.hint, null]
            : [line, null, null, null, PHONE_INVALID],
        );
      }
      await pipeline(Readable.from([text]), client.query(copyFrom(`COPY member_import_phones FROM STDIN`)));
    }
    await m.query(`CLOSE member_import_phone_rows`);
  }

  private progress(importId: string, rows: number): Promise<unknown> {
    return this.ds.query(`UPDATE member_imports SET processed_rows = $2, updated_at = now() WHERE id = $1`, [
      importId,
      rows,
    ]);
  }

  /** The careful way: record by record through csv-parse (as the upload read it) into COPY. */
  private async stageByParse(m: EntityManager, importId: string): Promise<void> {
    await m.query(
      `CREATE TEMP TABLE member_import_stage (line int NOT NULL, ${STAGE_COLUMNS.slice(1)
        .map((c) => `${c} text`)
        .join(', ')}) ON COMMIT DROP`,
    );
    const client = (m.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
    let header: ImportHeader | null = null;
    let rows = 0;
    let pending = '';
    const pii = this.pii;
    const progress = (n: number) => this.progress(importId, n);
    const toCopy = new Transform({
      writableObjectMode: true,
      transform(item: { record: string[]; info: { lines: number } }, _enc, cb) {
        if (!header) {
          const checked = checkHeader(item.record);
          if (checked.errors.length > 0)
            return cb(new Error(`invalid header: ${checked.errors.map((e) => e.message).join('; ')}`));
          header = checked.header;
          return cb();
        }
        pending += copyLine(stageRow(header, item.record, item.info.lines, pii));
        rows++;
        const out = pending.length >= COPY_BATCH_CHARS ? pending : undefined;
        if (out !== undefined) pending = '';
        if (rows % PROGRESS_EVERY !== 0) return cb(null, out);
        progress(rows).then(() => cb(null, out), cb);
      },
      flush(cb) {
        cb(null, pending || undefined);
      },
    });
    await pipeline(
      Readable.from(this.chunks(importId)),
      parse({
        relax_column_count: true,
        skip_empty_lines: true,
        bom: true,
        max_record_size: MAX_RECORD_BYTES,
        info: true,
      }),
      toCopy,
      client.query(copyFrom(`COPY member_import_stage (${STAGE_COLUMNS.join(', ')}) FROM STDIN`)),
    );
    await progress(rows);
  }

  /** The stored upload, piece by piece, read on a connection of its own (COPY holds the other). */
  private async *chunks(importId: string): AsyncGenerator<Buffer> {
    let seq = -1;
    for (;;) {
      const rows: Array<{ seq: number; data: Buffer }> = await this.ds.query(
        `SELECT seq, data FROM member_import_chunks WHERE import_id = $1 AND seq > $2 ORDER BY seq LIMIT 4`,
        [importId, seq],
      );
      if (rows.length === 0) return;
      for (const r of rows) {
        seq = r.seq;
        yield r.data;
      }
    }
  }
}

/** Phones are normalised in batches of this many rows. */
const PHONE_BATCH = 50_000;

/** Rows are handed to COPY in pieces of about this many characters. */
const COPY_BATCH_CHARS = 1_048_576;

const COPY_SPECIAL = /[\\\t\n\r]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * One row in COPY's text format (tab-separated, `\N` for NULL, backslash escapes): Postgres's own
 * format, a few lines here, and several times cheaper per row than a general CSV writer.
 */
function copyLine(values: Array<string | number | null>): string {
  let line = '';
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (i > 0) line += '\t';
    if (v === null) line += '\\N';
    else if (typeof v === 'number') line += v;
    else line += COPY_SPECIAL.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => COPY_ESCAPES[c]) : v;
  }
  return `${line}\n`;
}

/** One CSV record → one staging row: trimmed, empty → NULL, NUL bytes dropped, phone normalised. */
function stageRow(
  header: ImportHeader,
  record: string[],
  line: number,
  pii: MemberPiiService,
): Array<string | number | null> {
  const get = (c: ImportColumn): string | null => {
    const i = header.index[c];
    if (i === undefined) return null;
    const v = record[i]?.replaceAll('\u0000', '').trim();
    return v ? v : null;
  };
  const phoneRaw = get('phone');
  const phone = phoneRaw !== null ? phoneForms(phoneRaw) : null;
  const values: Record<(typeof STAGE_COLUMNS)[number], string | number | null> = {
    line,
    external_userid: get('external_userid'),
    unionid: get('unionid'),
    openid: get('openid'),
    app_id: get('app_id'),
    phone_raw: phoneRaw,
    phone_e164: phone?.e164 ?? null,
    phone_hash: phone ? pii.phoneDigest(phone.e164) : null,
    phone_hint: phone?.hint ?? null,
    phone_error: phoneRaw !== null && phone === null ? PHONE_INVALID : null,
    store_customer_id: get('store_customer_id'),
    nickname: get('nickname'),
    source_channel: get('source_channel'),
    city: get('city'),
    birthday: get('birthday'),
    tags: get('tags'),
    consent: get('consent'),
    joined_at: get('joined_at'),
    utm_source: get('utm_source'),
    utm_medium: get('utm_medium'),
    utm_campaign: get('utm_campaign'),
    utm_content: get('utm_content'),
    utm_term: get('utm_term'),
    col_error:
      record.length !== header.width
        ? `the row has ${record.length} fields, the header has ${header.width}`
        : null,
  };
  return STAGE_COLUMNS.map((c) => values[c]);
}

/** One rule a staged row must keep: when `bad` holds, the row is skipped with `reason` for `field`. */
interface RowCheck {
  field: string;
  bad: string;
  reason: string;
  /** SQL for the message (usually a literal) and for the offending value echoed in the report (never names or places). */
  value?: string;
}

/**
 * `^[!-~]{1,max}$`, spelled without the bounded repetition: Postgres's regex engine expands `{1,128}`
 * into 128 states and took ~8 s per million values, against ~0.3 s for this.
 */
const idCheck = (col: string, max: number): RowCheck => ({
  field: col,
  bad: `(s.${col} ~ '[^!-~]' OR length(s.${col}) NOT BETWEEN 1 AND ${max})`,
  reason: `'must be 1–${max} printable ASCII characters without spaces'`,
  value: `s.${col}`,
});
const maxLen = (col: string, max: number, echo = true): RowCheck => ({
  field: col,
  bad: `length(s.${col}) > ${max}`,
  reason: `'must be at most ${max} characters'`,
  value: echo ? `s.${col}` : undefined,
});

const MAX_TAG = 60;

const ROW_CHECKS: RowCheck[] = [
  { field: 'row', bad: 's.col_error IS NOT NULL', reason: 's.col_error' },
  {
    field: 'identity',
    bad: 's.external_userid IS NULL AND s.unionid IS NULL AND s.openid IS NULL AND s.phone_raw IS NULL AND s.store_customer_id IS NULL',
    reason: `'the row has no identity: give external_userid, unionid, openid with app_id, phone or store_customer_id'`,
  },
  idCheck('external_userid', 128),
  idCheck('unionid', 128),
  idCheck('openid', 128),
  idCheck('store_customer_id', 128),
  {
    field: 'app_id',
    bad: 's.openid IS NOT NULL AND s.app_id IS NULL',
    reason: `'app_id is required with openid'`,
  },
  {
    field: 'app_id',
    bad: 's.app_id IS NOT NULL AND s.openid IS NULL',
    reason: `'app_id is only used with openid'`,
    value: 's.app_id',
  },
  idCheck('app_id', 64),
  { field: 'phone', bad: 's.phone_error IS NOT NULL', reason: 's.phone_error', value: 's.phone_raw' },
  maxLen('nickname', 120, false),
  {
    field: 'source_channel',
    bad: `lower(s.source_channel) NOT IN (${sqlList(SOURCE_CHANNELS)})`,
    reason: `'must be one of: ${SOURCE_CHANNELS.join(', ')}'`,
    value: 's.source_channel',
  },
  maxLen('city', 80, false),
  {
    field: 'birthday',
    bad: `s.birthday IS NOT NULL AND (s.birthday_d IS NULL OR s.birthday_d < DATE '1900-01-01' OR s.birthday_d > current_date)`,
    reason: `'must be a date YYYY-MM-DD between 1900-01-01 and today'`,
    value: 's.birthday',
  },
  {
    field: 'tags',
    // only a list longer than the limit can hold a tag over it: the rest skip the unnest
    bad: `CASE WHEN length(s.tags) > ${MAX_TAG} THEN EXISTS (SELECT 1 FROM unnest(string_to_array(s.tags, '|')) x WHERE length(btrim(x)) > ${MAX_TAG}) END`,
    reason: `'each tag must be at most ${MAX_TAG} characters (separate tags with |)'`,
    value: 's.tags',
  },
  {
    field: 'consent',
    bad: `lower(s.consent) NOT IN ('opted_in', 'opted_out')`,
    reason: `'must be opted_in or opted_out'`,
    value: 's.consent',
  },
  {
    field: 'joined_at',
    bad: 's.joined_at IS NOT NULL AND s.joined_ts IS NULL',
    reason: `'must be an ISO 8601 date-time'`,
    value: 's.joined_at',
  },
  {
    field: 'joined_at',
    bad: `s.joined_ts > now() + interval '1 day'`,
    reason: `'must not be in the future'`,
    value: 's.joined_at',
  },
  ...['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'].map((c) => maxLen(c, 200)),
];

/**
 * One pass over the staged file: dates parsed once (a failed cast answers NULL; only the ISO date
 * form counts as a birthday), `bad` when any rule breaks, and the row's identity count. The narrow
 * table carries the resolution state, so the rounds below rewrite small rows, not the file.
 * (`OFFSET 0` keeps the dates computed once rather than inlined into every rule that reads them.)
 */
const ROWS_SQL = `
CREATE TEMP TABLE member_import_rows ON COMMIT DROP AS
SELECT s.line, s.birthday_d, s.joined_ts,
       ${ROW_CHECKS.map((c) => `COALESCE(${c.bad}, false)`).join('\n    OR ')} AS bad,
       (s.external_userid IS NOT NULL)::int + (s.unionid IS NOT NULL)::int + (s.openid IS NOT NULL)::int
         + (s.phone_hash IS NOT NULL)::int + (s.store_customer_id IS NOT NULL)::int AS id_count,
       NULL::uuid AS member_id, false AS created, NULL::int AS resolved_round, false AS complete, NULL::text AS conflict
  FROM (SELECT s.*,
               CASE WHEN s.birthday ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN siyu_try_date(s.birthday) END AS birthday_d,
               siyu_try_timestamptz(s.joined_at) AS joined_ts
          FROM member_import_stage s OFFSET 0) s`;

/**
 * $1 import id, $2 brand id. Every broken rule of every bad row is one error row (the rules are
 * spelled out one by one only for the few rows that break any).
 */
const VALIDATE_SQL = `
INSERT INTO member_import_errors (import_id, brand_id, line, field, reason, value)
SELECT $1, $2, s.line, e.field, e.reason, left(e.value, 200)
  FROM (SELECT s.*, r.birthday_d, r.joined_ts
          FROM member_import_rows r JOIN member_import_stage s ON s.line = r.line WHERE r.bad) s
 CROSS JOIN LATERAL (VALUES
   ${ROW_CHECKS.map((c) => `('${c.field}', CASE WHEN ${c.bad} THEN ${c.reason} END, ${c.value ?? 'NULL'}::text)`).join(',\n   ')}
 ) AS e(field, reason, value)
 WHERE e.reason IS NOT NULL`;

/**
 * An identity's key for sorting, value first and in byte order ("C"): the value tells nearly every
 * pair apart within its first bytes, which Postgres's abbreviated keys compare in one step (kind
 * first made every comparison go through three full string comparisons: 8 s against 1.8 s for
 * 2.5 million identities). It is also the unique key's own order (brand_id, value, kind, app_id):
 * inserted in it, the identities append to the key instead of dirtying a random page each.
 */
const IDENTITY_KEY = (t: string) => `${t}.value COLLATE "C", ${t}.kind COLLATE "C", ${t}.app_id COLLATE "C"`;

/** Every identity of every good row, in stored form. */
const IDS_SQL = `
CREATE TEMP TABLE member_import_ids ON COMMIT DROP AS
SELECT s.line, v.kind, v.app_id, v.value, v.hint, false AS shared
  FROM member_import_stage s
  JOIN member_import_rows r ON r.line = s.line AND NOT r.bad
 CROSS JOIN LATERAL (VALUES
   ('external_userid'::text, ''::text, s.external_userid, NULL::text),
   ('unionid', '', s.unionid, NULL),
   ('openid', s.app_id, s.openid, NULL),
   ('phone', '', s.phone_hash, s.phone_hint),
   ('store_customer_id', '', s.store_customer_id, NULL)
 ) AS v(kind, app_id, value, hint)
 WHERE v.value IS NOT NULL`;

/** `shared` when more than one row names the identity (found by hashing, not by sorting them all). */
const SHARED_IDS_SQL = `
UPDATE member_import_ids i SET shared = true
  FROM (SELECT kind, app_id, value FROM member_import_ids GROUP BY kind, app_id, value HAVING count(*) > 1) d
 WHERE i.kind = d.kind AND i.app_id = d.app_id AND i.value = d.value`;

/** Up to this many unresolved rows, their identities are looked up one by one in the index. */
const PROBE_MAX_ROWS = 50_000;

/**
 * The brand's identity owning `o`'s identity. `probe` looks each one up in the unique index: the
 * choice for a few rows, which the planner cannot make itself because the brand's identities were
 * mostly inserted by this very transaction, after the table's statistics were taken.
 */
const identityOwner = (probe: boolean) =>
  probe
    ? `CROSS JOIN LATERAL (SELECT mi.member_id FROM member_identities mi
          WHERE mi.brand_id = $1 AND mi.kind = o.kind AND mi.app_id = o.app_id AND mi.value = o.value OFFSET 0) mi`
    : `JOIN member_identities mi ON mi.brand_id = $1 AND mi.kind = o.kind AND mi.app_id = o.app_id AND mi.value = o.value`;

/**
 * $1 brand, $2 round: unresolved rows whose identities exist take their member (two members: a
 * conflict). `complete` when every identity of the row already belongs to it (nothing to attach).
 */
const resolveSql = (probe: boolean) => `
WITH o AS MATERIALIZED (
  SELECT i.line, i.kind, i.app_id, i.value
    FROM member_import_ids i
    JOIN member_import_rows r ON r.line = i.line
   WHERE r.member_id IS NULL AND NOT r.bad),
owners AS (
  SELECT o.line, array_agg(DISTINCT mi.member_id) AS ids, count(*) AS owned
    FROM o ${identityOwner(probe)}
   GROUP BY o.line)
UPDATE member_import_rows r
   SET member_id = CASE WHEN cardinality(w.ids) = 1 THEN w.ids[1] END,
       bad = cardinality(w.ids) > 1,
       conflict = CASE WHEN cardinality(w.ids) > 1 THEN array_to_string(w.ids, ' and ') END,
       complete = w.owned = r.id_count,
       resolved_round = $2
  FROM owners w
 WHERE r.line = w.line`;

/**
 * $1 brand, $2 round: the new identities of rows resolved this round join their member (first row
 * wins). `ON CONFLICT DO NOTHING` skips those the member already has; without it (the rows of a
 * round that created their members, whose identities nobody had when the round began) each row is
 * a plain insert, without the speculative insertion's extra index probe and WAL record.
 */
const attachSql = (onConflict: boolean) => `
INSERT INTO member_identities (brand_id, member_id, kind, app_id, value, hint)
SELECT DISTINCT ON (${IDENTITY_KEY('i')}) $1::uuid, r.member_id, i.kind, i.app_id, i.value, i.hint
  FROM member_import_ids i
  JOIN member_import_rows r ON r.line = i.line
 WHERE r.resolved_round = $2 AND r.member_id IS NOT NULL AND NOT r.bad AND NOT r.complete
 ORDER BY ${IDENTITY_KEY('i')}, i.line
${onConflict ? 'ON CONFLICT (brand_id, kind, app_id, value) DO NOTHING' : ''}`;

/**
 * The id of a member an import creates: time-ordered (`timeOrderedUuidSql`, the row's line as the
 * counter), so ids rise with the round and the line. Inserted in that order, a million new members
 * append to the primary key and to the member_id indexes of identities, events and tags instead of
 * dirtying a random page each (three times faster on the members insert alone). Members created one
 * by one keep random v4 ids.
 */
const NEW_MEMBER_ID = timeOrderedUuidSql('r.line');

/** $1 round: rows that share no identity with an earlier unresolved row each get a new member id. */
const LEADERS_SQL = `
UPDATE member_import_rows r SET member_id = ${NEW_MEMBER_ID}, created = true, resolved_round = $1
 WHERE r.member_id IS NULL AND NOT r.bad
   AND NOT EXISTS (
     SELECT 1 FROM member_import_ids i
       JOIN member_import_ids j ON j.shared AND j.kind = i.kind AND j.app_id = i.app_id AND j.value = i.value AND j.line < i.line
       JOIN member_import_rows e ON e.line = j.line AND e.member_id IS NULL AND NOT e.bad
      WHERE i.line = r.line AND i.shared)`;

/** $1 brand, $2 round. */
const CREATE_MEMBERS_SQL = `
INSERT INTO members (id, brand_id, nickname, phone, source_channel, utm_source, utm_medium, utm_campaign, utm_content,
                     utm_term, city, birthday, consent_status, consent_at, consent_channel, joined_at)
SELECT r.member_id, $1, s.nickname, s.phone_e164, COALESCE(lower(s.source_channel), 'import'), s.utm_source, s.utm_medium,
       s.utm_campaign, s.utm_content, s.utm_term, s.city, r.birthday_d, lower(s.consent),
       CASE WHEN s.consent IS NOT NULL THEN now() END, CASE WHEN s.consent IS NOT NULL THEN 'import' END,
       COALESCE(r.joined_ts, now())
  FROM member_import_rows r
  JOIN member_import_stage s ON s.line = r.line
 WHERE r.created AND r.resolved_round = $2
 ORDER BY r.member_id`;

/**
 * $1 brand, $2 import: two rows resolved in the same round to different members named the same new
 * identity; the first kept it, the other row is skipped. (Only identities named twice can.)
 */
const MISMATCH_SQL = `
INSERT INTO member_import_errors (import_id, brand_id, line, field, reason)
SELECT DISTINCT $2::uuid, $1::uuid, o.line, o.kind, 'belongs to another member (' || mi.member_id || ')'
  FROM (SELECT i.line, i.kind, i.app_id, i.value, r.member_id AS row_member_id
          FROM member_import_ids i JOIN member_import_rows r ON r.line = i.line
         WHERE i.shared AND NOT r.bad) o
  ${identityOwner(true)}
 WHERE mi.member_id <> o.row_member_id`;

/** The last row (by line) of each member that the file updates, rather than creates. */
const UPDATES_SQL = `
CREATE TEMP TABLE member_import_updates ON COMMIT DROP AS
SELECT DISTINCT ON (r.member_id) r.member_id, r.birthday_d, r.joined_ts, s.nickname, s.phone_e164, s.city,
       s.source_channel, s.utm_source, s.utm_medium, s.utm_campaign, s.utm_content, s.utm_term, s.consent
  FROM member_import_rows r
  JOIN member_import_stage s ON s.line = r.line
 WHERE NOT r.bad AND r.member_id IS NOT NULL AND NOT r.created
 ORDER BY r.member_id, r.line DESC`;

/** $1 brand, $2 import, $3 actor type, $4 actor id. */
const CONSENT_EVENTS_SQL = `
INSERT INTO member_events (brand_id, member_id, type, data, actor_type, actor_id)
SELECT $1, u.member_id, '${MEMBER_EVENT_TYPES.consentChanged}',
       jsonb_build_object('status', lower(u.consent), 'channel', 'import', 'importId', $2::text), $3, $4::uuid
  FROM member_import_updates u JOIN members m ON m.id = u.member_id
 WHERE u.consent IS NOT NULL AND lower(u.consent) IS DISTINCT FROM m.consent_status`;

/** Given values replace; first-touch facts (channel, UTM) fill only what is unknown. */
const UTM_UNKNOWN = 'm.utm_source IS NULL AND m.utm_campaign IS NULL';
const CONSENT_CHANGES = 'u.consent IS NOT NULL AND lower(u.consent) IS DISTINCT FROM m.consent_status';
const MEMBER_UPDATES: Array<[column: string, value: string]> = [
  ['nickname', 'COALESCE(u.nickname, m.nickname)'],
  ['phone', 'COALESCE(u.phone_e164, m.phone)'],
  ['city', 'COALESCE(u.city, m.city)'],
  ['birthday', 'COALESCE(u.birthday_d, m.birthday)'],
  [
    'source_channel',
    `CASE WHEN m.source_channel = 'other' AND u.source_channel IS NOT NULL THEN lower(u.source_channel) ELSE m.source_channel END`,
  ],
  ...['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'].map((c): [string, string] => [
    c,
    `CASE WHEN ${UTM_UNKNOWN} THEN u.${c} ELSE m.${c} END`,
  ]),
  ['joined_at', 'LEAST(m.joined_at, COALESCE(u.joined_ts, m.joined_at))'],
  ['consent_status', 'COALESCE(lower(u.consent), m.consent_status)'],
  ['consent_at', `CASE WHEN ${CONSENT_CHANGES} THEN now() ELSE m.consent_at END`],
  ['consent_channel', `CASE WHEN ${CONSENT_CHANGES} THEN 'import' ELSE m.consent_channel END`],
];

/**
 * $1 brand. A member the row leaves as it is is not written (nor its updated_at moved): importing
 * the same file again rewrites no member.
 */
const UPDATE_MEMBERS_SQL = `
UPDATE members m SET
  ${MEMBER_UPDATES.map(([c, v]) => `${c} = ${v}`).join(',\n  ')},
  updated_at = now()
FROM member_import_updates u
WHERE m.id = u.member_id AND m.brand_id = $1 AND m.erased_at IS NULL AND m.merged_into IS NULL
  AND (${MEMBER_UPDATES.map(([c]) => `m.${c}`).join(', ')})
      IS DISTINCT FROM (${MEMBER_UPDATES.map(([, v]) => v).join(', ')})`;

/** Each good row's tags, once per member. */
const ROW_TAGS_SQL = `
CREATE TEMP TABLE member_import_tags ON COMMIT DROP AS
SELECT DISTINCT r.member_id, btrim(x) AS name
  FROM member_import_rows r
  JOIN member_import_stage s ON s.line = r.line
 CROSS JOIN LATERAL unnest(string_to_array(s.tags, '|')) x
 WHERE NOT r.bad AND r.member_id IS NOT NULL AND s.tags IS NOT NULL AND btrim(x) <> ''`;

/** $1 brand. */
const CREATE_TAGS_SQL = `
INSERT INTO tags (brand_id, name)
SELECT DISTINCT $1::uuid, r.name FROM member_import_tags r
ON CONFLICT (brand_id, name) DO NOTHING`;

/**
 * $1 brand. The links this import adds (the `member.tagged` entries of the timeline). A member this
 * import created has no link that anyone else could have added (nobody sees it before the commit,
 * and each (member, tag) comes once): its links go in as plain inserts, without the speculative
 * insertion's extra probe and WAL record that `ON CONFLICT DO NOTHING` costs the others.
 */
const TAG_MEMBERS_SQL = `
CREATE TEMP TABLE member_import_tagged ON COMMIT DROP AS
WITH pairs AS MATERIALIZED (
  SELECT r.member_id, t.id AS tag_id, c.member_id IS NOT NULL AS created
    FROM member_import_tags r
    JOIN tags t ON t.brand_id = $1 AND t.name = r.name
    LEFT JOIN (SELECT DISTINCT member_id FROM member_import_rows WHERE created) c ON c.member_id = r.member_id),
fresh AS (
  INSERT INTO member_tags (brand_id, member_id, tag_id)
  SELECT $1, p.member_id, p.tag_id FROM pairs p WHERE p.created
  ORDER BY p.member_id, p.tag_id
  RETURNING member_id, tag_id),
added AS (
  INSERT INTO member_tags (brand_id, member_id, tag_id)
  SELECT $1, p.member_id, p.tag_id FROM pairs p WHERE NOT p.created
  ORDER BY p.member_id, p.tag_id
  ON CONFLICT DO NOTHING
  RETURNING member_id, tag_id)
SELECT member_id, array_agg(tag_id ORDER BY tag_id) AS tag_ids
  FROM (SELECT * FROM fresh UNION ALL SELECT * FROM added) a
 GROUP BY member_id`;

/**
 * $1 brand, $2 import. One link per good row (the timeline's `member.imported` entry), the tags
 * the import added to the member on its first row (its `member.tagged` entries): a narrow row with
 * one index where an event per row and per tag cost three indexes and two key checks each.
 */
const LINKS_SQL = `
INSERT INTO member_import_links (member_id, import_id, line, brand_id, created, tag_ids)
SELECT r.member_id, $2, r.line, $1, r.created, CASE WHEN r.first THEN t.tag_ids END
  FROM (SELECT r.member_id, r.line, r.created,
               row_number() OVER (PARTITION BY r.member_id ORDER BY r.line) = 1 AS first
          FROM member_import_rows r
         WHERE NOT r.bad AND r.member_id IS NOT NULL) r
  LEFT JOIN member_import_tagged t ON t.member_id = r.member_id
 ORDER BY r.member_id, r.line`;

/** What the timeline reads for imports (MemberTimelineRegistry): the links of completed imports. */
const importTimelineSource = (type: string, entries: string, data: string, id: string, ref: string) => `
SELECT ${id} AS id, ${ref} AS ref, '${type}'::text AS type, ${data} AS data,
       i.created_by_type::text AS actor_type, i.created_by_id AS actor_id, i.completed_at AS occurred_at
  FROM member_import_links l
  JOIN member_imports i ON i.id = l.import_id AND i.brand_id = l.brand_id
  ${entries}
 WHERE l.brand_id = $1 AND l.member_id = $2`;

/**
 * Registered tags first: at the same time the timeline shows the later source first, and a
 * member's `member.imported` entry came after its `member.tagged` ones when both were events.
 */
export const IMPORT_TIMELINE_SOURCES: MemberTimelineSource[] = [
  {
    name: 'member_import_tag',
    select: importTimelineSource(
      MEMBER_EVENT_TYPES.tagged,
      'CROSS JOIN LATERAL unnest(l.tag_ids) WITH ORDINALITY AS t(tag_id, n)',
      `jsonb_build_object('tagId', t.tag_id, 'importId', i.id::text)`,
      'l.line::bigint * 1000000 + t.n',
      `i.id::text || ':' || l.line || ':' || t.tag_id`,
    ),
  },
  {
    name: 'member_import',
    select: importTimelineSource(
      MEMBER_EVENT_TYPES.imported,
      '',
      `jsonb_build_object('importId', i.id::text, 'line', l.line, 'created', l.created)`,
      'l.line::bigint',
      `i.id::text || ':' || l.line`,
    ),
  },
];

/** Wall time per phase of an import (summed over rounds), for the worker's debug log and the bench. */
class PhaseTimes {
  private readonly ms = new Map<string, number>();

  async time<T>(phase: string, work: Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work;
    } finally {
      this.ms.set(phase, (this.ms.get(phase) ?? 0) + performance.now() - started);
    }
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.ms].map(([k, v]) => [k, Math.round(v)]));
  }
}
