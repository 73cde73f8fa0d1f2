import { createHash } from 'node:crypto';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AuditService,
  decodeCursor,
  DomainException,
  NotFoundException,
  Page,
  toPage,
  WorkItem,
  WorkJob,
  WorkService,
} from '@siyu/platform';
import type { Job } from 'bullmq';
import { DelayedError } from 'bullmq';
import { CsvError, parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import type { PoolClient } from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { distinctUntilChanged, exhaustMap, from, map, Observable, takeWhile, timer } from 'rxjs';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { MemberImportRecord, MemberImportResponseDto } from './dto/member-import-response.dto';
import { ImportStatus } from './entities/member-import.entity';
import { checkHeader, ImportColumn, ImportHeader } from './member-import.csv';
import { MemberIdentityHooks } from './member-identity-hooks';
import { maskPhone, MemberPiiService, normalisePhone } from './member-pii.service';
import { MEMBER_EVENT_TYPES, SOURCE_CHANNELS, sqlList } from './members.constants';
import { MemberException } from './members.errors';
import { MEMBER_IMPORT_JOB, MemberImportQueue } from './jobs/members.queue';

/** The upload is kept in Postgres in pieces of this size. */
const CHUNK_BYTES = 1_048_576;
/** One CSV record may not exceed this (a guard against a file without line breaks). */
const MAX_RECORD_BYTES = 65_536;
const PROGRESS_EVERY = 5_000;
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
 * the worker streams it back through csv-parse into COPY on a temporary staging table, validates
 * and normalises in SQL, resolves identities set-wise and writes members, identities, tags and
 * events with INSERT … SELECT / ON CONFLICT, all in the transaction that completes the work item.
 */
@Injectable()
export class MemberImportsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly work: WorkService,
    private readonly audit: AuditService,
    private readonly pii: MemberPiiService,
    private readonly identityHooks: MemberIdentityHooks,
  ) {}

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
      const hash = createHash('sha256');
      let bytes = 0;
      let seq = 0;
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        const data = Buffer.concat(pending, pendingBytes);
        pending = [];
        pendingBytes = 0;
        await m.query(
          `INSERT INTO member_import_chunks (import_id, brand_id, seq, data) VALUES ($1, $2, $3, $4)`,
          [importId, actor.brandId, seq++, data],
        );
      };
      const store = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          bytes += chunk.length;
          pending.push(chunk);
          pendingBytes += chunk.length;
          if (pendingBytes < CHUNK_BYTES) return cb(null, chunk);
          flush().then(() => cb(null, chunk), cb);
        },
        flush(cb) {
          flush().then(() => cb(), cb);
        },
      });
      let records = 0;
      const count = new Writable({
        objectMode: true,
        write(record: string[], _enc, cb) {
          if (records === 0) {
            const { errors } = checkHeader(record);
            if (errors.length > 0) return cb(MemberException.headerInvalid(errors));
          }
          records++;
          cb();
        },
      });
      // A multipart file stream that hits its size limit just ends early, marked truncated.
      const truncated = () => (upload.stream as Readable & { truncated?: boolean }).truncated === true;
      try {
        await pipeline(upload.stream, store, this.parser(), count);
      } catch (err) {
        if (truncated()) throw MemberException.tooLarge(upload.maxBytes ?? bytes);
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
      if (truncated()) throw MemberException.tooLarge(upload.maxBytes ?? bytes);
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
        [importId, bytes, hash.digest('hex'), records - 1, items[0].id],
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
      `SELECT id, created_by_type, created_by_id, request_id FROM member_imports WHERE id = $1 AND brand_id = $2`,
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

    await this.stage(m, importId);
    const q = (sql: string, params: unknown[] = []) => m.query(sql, params);
    const p = [importId, brandId];

    // 1. Validate and normalise in SQL; every problem is one error row, a row with any is skipped.
    await q(PARSE_DATES_SQL);
    await q(VALIDATE_SQL, p);
    await q(
      `UPDATE member_import_stage s SET bad = true
              WHERE EXISTS (SELECT 1 FROM member_import_errors e WHERE e.import_id = $1 AND e.line = s.line)`,
      [importId],
    );
    await q(IDS_SQL);
    await q(`CREATE INDEX ON member_import_ids (kind, app_id, value) WHERE shared`);
    await q(`CREATE INDEX ON member_import_ids (line)`);
    await q(`ANALYZE member_import_stage`);
    await q(`ANALYZE member_import_ids`);

    // 2. Resolve rows to members: through identities that exist, else by creating one member per
    //    row that shares no identity with an earlier unresolved row; repeat until every row has one.
    for (let round = 1; ; round++) {
      const [{ open }]: Array<{ open: number }> = await q(
        `SELECT count(*)::int AS "open" FROM member_import_stage WHERE member_id IS NULL AND NOT bad`,
      );
      if (open === 0) break;
      if (round > MAX_ROUNDS) {
        await q(
          `INSERT INTO member_import_errors (import_id, brand_id, line, field, reason)
           SELECT $1, $2, line, 'identity', 'the row could not be matched to one member' FROM member_import_stage
            WHERE member_id IS NULL AND NOT bad`,
          p,
        );
        await q(`UPDATE member_import_stage SET bad = true WHERE member_id IS NULL AND NOT bad`);
        break;
      }
      const [, resolved] = (await q(RESOLVE_SQL, [brandId, round])) as [unknown, number];
      if (resolved === 0) {
        await q(LEADERS_SQL, [round]);
        await q(CREATE_MEMBERS_SQL, [brandId, round]);
      }
      await q(ATTACH_SQL, [brandId, round]);
    }
    await q(
      `INSERT INTO member_import_errors (import_id, brand_id, line, field, reason)
       SELECT $1, $2, line, 'identity', 'MEMBER_IDENTITY_CONFLICT: the identities belong to different members: ' || conflict
         FROM member_import_stage WHERE conflict IS NOT NULL`,
      p,
    );
    await q(MISMATCH_SQL, p);
    await q(
      `UPDATE member_import_stage s SET bad = true
              WHERE NOT s.bad AND EXISTS (SELECT 1 FROM member_import_errors e WHERE e.import_id = $1 AND e.line = s.line)`,
      [importId],
    );

    // 3. Apply the rows to the members they matched, then tags and timeline events.
    const events = [brandId, importId, actor.actorType, actor.actorId];
    await q(CONSENT_EVENTS_SQL, events);
    await q(UPDATE_MEMBERS_SQL, [brandId]);
    await q(CREATE_TAGS_SQL, [brandId]);
    await q(TAG_MEMBERS_SQL, events);
    await q(IMPORTED_EVENTS_SQL, events);

    const [counts]: Array<{ total: number; inserted: number; updated: number; failed: number }> = await q(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE NOT bad AND created)::int AS inserted,
              count(*) FILTER (WHERE NOT bad AND NOT created)::int AS updated,
              count(*) FILTER (WHERE bad)::int AS failed
         FROM member_import_stage`,
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
    await this.identityHooks.identitiesAdded(m, { brandId, source: 'import' });
    return counts;
  }

  /** Streams the stored file through csv-parse into COPY on a temporary staging table. */
  private async stage(m: EntityManager, importId: string): Promise<void> {
    await m.query(
      `CREATE TEMP TABLE member_import_stage (
         line int PRIMARY KEY,
         ${STAGE_COLUMNS.slice(1)
           .map((c) => `${c} text`)
           .join(', ')},
         bad boolean NOT NULL DEFAULT false,
         member_id uuid,
         created boolean NOT NULL DEFAULT false,
         resolved_round int,
         complete boolean NOT NULL DEFAULT false,
         conflict text,
         birthday_d date,
         joined_ts timestamptz
       ) ON COMMIT DROP`,
    );
    const client = (m.queryRunner as unknown as { databaseConnection: PoolClient }).databaseConnection;
    let header: ImportHeader | null = null;
    let rows = 0;
    const pii = this.pii;
    const progress = (n: number) =>
      this.ds.query(`UPDATE member_imports SET processed_rows = $2, updated_at = now() WHERE id = $1`, [
        importId,
        n,
      ]);
    const toRow = new Transform({
      objectMode: true,
      transform(item: { record: string[]; info: { lines: number } }, _enc, cb) {
        if (!header) {
          const checked = checkHeader(item.record);
          if (checked.errors.length > 0)
            return cb(new Error(`invalid header: ${checked.errors.map((e) => e.message).join('; ')}`));
          header = checked.header;
          return cb();
        }
        const row = stageRow(header, item.record, item.info.lines, pii);
        rows++;
        if (rows % PROGRESS_EVERY !== 0) return cb(null, row);
        progress(rows).then(() => cb(null, row), cb);
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
      toRow,
      stringify(),
      batch(),
      client.query(
        copyFrom(`COPY member_import_stage (${STAGE_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT csv)`),
      ),
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

/** Groups the many small CSV lines into ~256 KiB writes for COPY. */
function batch(size = 262_144): Transform {
  let parts: Buffer[] = [];
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer | string, _enc, cb) {
      const b = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      parts.push(b);
      bytes += b.length;
      if (bytes < size) return cb();
      const out = Buffer.concat(parts, bytes);
      parts = [];
      bytes = 0;
      cb(null, out);
    },
    flush(cb) {
      cb(null, bytes > 0 ? Buffer.concat(parts, bytes) : undefined);
    },
  });
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
  const e164 = phoneRaw !== null ? normalisePhone(phoneRaw) : null;
  const phoneError =
    phoneRaw !== null && e164 === null
      ? 'not a valid phone number (use +<country><number>, or a mainland China number such as 13812345678)'
      : null;
  const values: Record<(typeof STAGE_COLUMNS)[number], string | number | null> = {
    line,
    external_userid: get('external_userid'),
    unionid: get('unionid'),
    openid: get('openid'),
    app_id: get('app_id'),
    phone_raw: phoneRaw,
    phone_e164: e164,
    phone_hash: e164 ? pii.phoneDigest(e164) : null,
    phone_hint: e164 ? maskPhone(e164) : null,
    phone_error: phoneError,
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

const idCheck = (col: string, max: number): RowCheck => ({
  field: col,
  bad: `s.${col} !~ '^[!-~]{1,${max}}$'`,
  reason: `'must be 1–${max} printable ASCII characters without spaces'`,
  value: `s.${col}`,
});
const maxLen = (col: string, max: number, echo = true): RowCheck => ({
  field: col,
  bad: `length(s.${col}) > ${max}`,
  reason: `'must be at most ${max} characters'`,
  value: echo ? `s.${col}` : undefined,
});

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
    bad: `EXISTS (SELECT 1 FROM unnest(string_to_array(s.tags, '|')) x WHERE length(btrim(x)) > 60)`,
    reason: `'each tag must be at most 60 characters (separate tags with |)'`,
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

/** Dates are parsed once (a failed cast answers NULL); only the ISO date form counts as a birthday. */
const PARSE_DATES_SQL = `
UPDATE member_import_stage
   SET birthday_d = CASE WHEN birthday ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' THEN siyu_try_date(birthday) END,
       joined_ts = siyu_try_timestamptz(joined_at)
 WHERE birthday IS NOT NULL OR joined_at IS NOT NULL`;

/**
 * $1 import id, $2 brand id. Every broken rule of every row is one error row. Rows that break none
 * (nearly all) are dropped by the first WHERE before the rules are spelled out one by one.
 */
const VALIDATE_SQL = `
INSERT INTO member_import_errors (import_id, brand_id, line, field, reason, value)
SELECT $1, $2, s.line, e.field, e.reason, left(e.value, 200)
  FROM (SELECT * FROM member_import_stage s WHERE ${ROW_CHECKS.map((c) => `COALESCE(${c.bad}, false)`).join('\n     OR ')}) s
 CROSS JOIN LATERAL (VALUES
   ${ROW_CHECKS.map((c) => `('${c.field}', CASE WHEN ${c.bad} THEN ${c.reason} END, ${c.value ?? 'NULL'}::text)`).join(',\n   ')}
 ) AS e(field, reason, value)
 WHERE e.reason IS NOT NULL`;

/** Every identity of every good row, in stored form; `shared` when another row names it too. */
const IDS_SQL = `
CREATE TEMP TABLE member_import_ids ON COMMIT DROP AS
SELECT x.*, count(*) OVER (PARTITION BY x.kind, x.app_id, x.value) > 1 AS shared FROM (
  SELECT line, 'external_userid'::text AS kind, ''::text AS app_id, external_userid AS value, NULL::text AS hint
    FROM member_import_stage WHERE NOT bad AND external_userid IS NOT NULL
  UNION ALL SELECT line, 'unionid', '', unionid, NULL FROM member_import_stage WHERE NOT bad AND unionid IS NOT NULL
  UNION ALL SELECT line, 'openid', app_id, openid, NULL FROM member_import_stage WHERE NOT bad AND openid IS NOT NULL
  UNION ALL SELECT line, 'phone', '', phone_hash, phone_hint FROM member_import_stage WHERE NOT bad AND phone_hash IS NOT NULL
  UNION ALL SELECT line, 'store_customer_id', '', store_customer_id, NULL FROM member_import_stage WHERE NOT bad AND store_customer_id IS NOT NULL
) x`;

/**
 * $1 brand, $2 round: unresolved rows whose identities exist take their member (two members: a
 * conflict). `complete` when every identity of the row already belongs to it (nothing to attach).
 */
const RESOLVE_SQL = `
WITH owners AS (
  SELECT i.line, array_agg(DISTINCT mi.member_id) AS ids, count(*) AS owned
    FROM member_import_ids i
    JOIN member_import_stage s ON s.line = i.line
    JOIN member_identities mi ON mi.brand_id = $1 AND mi.kind = i.kind AND mi.app_id = i.app_id AND mi.value = i.value
   WHERE s.member_id IS NULL AND NOT s.bad
   GROUP BY i.line)
UPDATE member_import_stage s
   SET member_id = CASE WHEN cardinality(o.ids) = 1 THEN o.ids[1] END,
       bad = cardinality(o.ids) > 1,
       conflict = CASE WHEN cardinality(o.ids) > 1 THEN array_to_string(o.ids, ' and ') END,
       complete = o.owned = (SELECT count(*) FROM member_import_ids c WHERE c.line = s.line),
       resolved_round = $2
  FROM owners o
 WHERE s.line = o.line`;

/** $1 brand, $2 round: the new identities of rows resolved this round join their member (first row wins). */
const ATTACH_SQL = `
INSERT INTO member_identities (brand_id, member_id, kind, app_id, value, hint)
SELECT DISTINCT ON (i.kind, i.app_id, i.value) $1::uuid, s.member_id, i.kind, i.app_id, i.value, i.hint
  FROM member_import_ids i
  JOIN member_import_stage s ON s.line = i.line
 WHERE s.resolved_round = $2 AND s.member_id IS NOT NULL AND NOT s.bad AND NOT s.complete
 ORDER BY i.kind, i.app_id, i.value, i.line
ON CONFLICT (brand_id, kind, app_id, value) DO NOTHING`;

/** $1 round: rows that share no identity with an earlier unresolved row each get a new member id. */
const LEADERS_SQL = `
UPDATE member_import_stage s SET member_id = gen_random_uuid(), created = true, resolved_round = $1
 WHERE s.member_id IS NULL AND NOT s.bad
   AND NOT EXISTS (
     SELECT 1 FROM member_import_ids i
       JOIN member_import_ids j ON j.shared AND j.kind = i.kind AND j.app_id = i.app_id AND j.value = i.value AND j.line < i.line
       JOIN member_import_stage e ON e.line = j.line AND e.member_id IS NULL AND NOT e.bad
      WHERE i.line = s.line AND i.shared)`;

/** $1 brand, $2 round. */
const CREATE_MEMBERS_SQL = `
INSERT INTO members (id, brand_id, nickname, phone, source_channel, utm_source, utm_medium, utm_campaign, utm_content,
                     utm_term, city, birthday, consent_status, consent_at, consent_channel, joined_at)
SELECT s.member_id, $1, s.nickname, s.phone_e164, COALESCE(lower(s.source_channel), 'import'), s.utm_source, s.utm_medium,
       s.utm_campaign, s.utm_content, s.utm_term, s.city, s.birthday_d, lower(s.consent),
       CASE WHEN s.consent IS NOT NULL THEN now() END, CASE WHEN s.consent IS NOT NULL THEN 'import' END,
       COALESCE(s.joined_ts, now())
  FROM member_import_stage s
 WHERE s.created AND s.resolved_round = $2`;

/**
 * $1 import, $2 brand: two rows resolved in the same round to different members named the same new
 * identity; the first kept it, the other row is skipped. (Only identities named twice can.)
 */
const MISMATCH_SQL = `
INSERT INTO member_import_errors (import_id, brand_id, line, field, reason)
SELECT DISTINCT $1::uuid, $2::uuid, s.line, i.kind, 'belongs to another member (' || mi.member_id || ')'
  FROM member_import_ids i
  JOIN member_import_stage s ON s.line = i.line
  JOIN member_identities mi ON mi.brand_id = $2 AND mi.kind = i.kind AND mi.app_id = i.app_id AND mi.value = i.value
 WHERE i.shared AND NOT s.bad AND mi.member_id <> s.member_id`;

/** The last row (by line) of each member that the file updates, rather than creates. */
const UPDATES = `(SELECT DISTINCT ON (member_id) * FROM member_import_stage
                   WHERE NOT bad AND member_id IS NOT NULL AND NOT created ORDER BY member_id, line DESC)`;

/** $1 brand, $2 import, $3 actor type, $4 actor id. */
const CONSENT_EVENTS_SQL = `
INSERT INTO member_events (brand_id, member_id, type, data, actor_type, actor_id)
SELECT $1, u.member_id, '${MEMBER_EVENT_TYPES.consentChanged}',
       jsonb_build_object('status', lower(u.consent), 'channel', 'import', 'importId', $2::text), $3, $4::uuid
  FROM ${UPDATES} u JOIN members m ON m.id = u.member_id
 WHERE u.consent IS NOT NULL AND lower(u.consent) IS DISTINCT FROM m.consent_status`;

/** $1 brand: given values replace; first-touch facts (channel, UTM) fill only what is unknown. */
const UPDATE_MEMBERS_SQL = `
UPDATE members m SET
  nickname = COALESCE(u.nickname, m.nickname),
  phone = COALESCE(u.phone_e164, m.phone),
  city = COALESCE(u.city, m.city),
  birthday = COALESCE(u.birthday_d, m.birthday),
  source_channel = CASE WHEN m.source_channel = 'other' AND u.source_channel IS NOT NULL THEN lower(u.source_channel) ELSE m.source_channel END,
  utm_source = CASE WHEN m.utm_source IS NULL AND m.utm_campaign IS NULL THEN u.utm_source ELSE m.utm_source END,
  utm_medium = CASE WHEN m.utm_source IS NULL AND m.utm_campaign IS NULL THEN u.utm_medium ELSE m.utm_medium END,
  utm_campaign = CASE WHEN m.utm_source IS NULL AND m.utm_campaign IS NULL THEN u.utm_campaign ELSE m.utm_campaign END,
  utm_content = CASE WHEN m.utm_source IS NULL AND m.utm_campaign IS NULL THEN u.utm_content ELSE m.utm_content END,
  utm_term = CASE WHEN m.utm_source IS NULL AND m.utm_campaign IS NULL THEN u.utm_term ELSE m.utm_term END,
  joined_at = LEAST(m.joined_at, COALESCE(u.joined_ts, m.joined_at)),
  consent_status = COALESCE(lower(u.consent), m.consent_status),
  consent_at = CASE WHEN u.consent IS NOT NULL AND lower(u.consent) IS DISTINCT FROM m.consent_status THEN now() ELSE m.consent_at END,
  consent_channel = CASE WHEN u.consent IS NOT NULL AND lower(u.consent) IS DISTINCT FROM m.consent_status THEN 'import' ELSE m.consent_channel END,
  updated_at = now()
FROM ${UPDATES} u
WHERE m.id = u.member_id AND m.brand_id = $1 AND m.erased_at IS NULL AND m.merged_into IS NULL`;

const ROW_TAGS = `(SELECT DISTINCT s.member_id, btrim(x) AS name
                     FROM member_import_stage s CROSS JOIN LATERAL unnest(string_to_array(s.tags, '|')) x
                    WHERE NOT s.bad AND s.member_id IS NOT NULL AND s.tags IS NOT NULL AND btrim(x) <> '')`;

/** $1 brand. */
const CREATE_TAGS_SQL = `
INSERT INTO tags (brand_id, name)
SELECT DISTINCT $1::uuid, r.name FROM ${ROW_TAGS} r
ON CONFLICT (brand_id, name) DO NOTHING`;

/** $1 brand, $2 import, $3 actor type, $4 actor id. */
const TAG_MEMBERS_SQL = `
WITH added AS (
  INSERT INTO member_tags (brand_id, member_id, tag_id)
  SELECT $1, r.member_id, t.id FROM ${ROW_TAGS} r JOIN tags t ON t.brand_id = $1 AND t.name = r.name
  ON CONFLICT DO NOTHING
  RETURNING member_id, tag_id)
INSERT INTO member_events (brand_id, member_id, type, data, actor_type, actor_id)
SELECT $1, member_id, '${MEMBER_EVENT_TYPES.tagged}', jsonb_build_object('tagId', tag_id, 'importId', $2::text), $3, $4::uuid FROM added`;

/** $1 brand, $2 import, $3 actor type, $4 actor id. */
const IMPORTED_EVENTS_SQL = `
INSERT INTO member_events (brand_id, member_id, type, data, actor_type, actor_id)
SELECT $1, s.member_id, '${MEMBER_EVENT_TYPES.imported}', jsonb_build_object('importId', $2::text, 'line', s.line, 'created', s.created), $3, $4::uuid
  FROM member_import_stage s
 WHERE NOT s.bad AND s.member_id IS NOT NULL`;
