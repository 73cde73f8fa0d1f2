import { execFile } from 'node:child_process';
import { createReadStream, mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { IMPORT_COLUMNS } from '@siyu/members';
import { loadEnvironment, runMigrations } from '@siyu/platform';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  Bench,
  ChildApp,
  DIST_ROOT,
  machineInfo,
  MEMBERS_CSV_ROWS,
  MembersCsvExpectation,
  numberFlag,
  progress,
  ratio,
  round,
  startDistApp,
  writeMembersCsv,
} from './support';

const SIYU_LOG_LEVEL = 'warn';
const POLL_MS = 100;
const MEMBER_TABLES = [
  'members',
  'member_identities',
  'member_events',
  'member_tags',
  'member_import_links',
  'member_import_chunks',
  'member_import_errors',
];

interface ImportState {
  id: string;
  status: string;
  totalRows: number | null;
  processedRows: number;
  inserted: number;
  updated: number;
  failed: number;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

interface ImportRun {
  rowsPerSec: number;
  /** Upload start → the poll that saw `completed`. */
  totalMs: number;
  /** Upload start → 202 (the file stored in Postgres, its rows counted). */
  uploadMs: number;
  /** Worker: claim → completed (server clock). */
  processMs: number;
  inserted: number;
  updated: number;
  failed: number;
  /** The worker's wall time per phase of the import (its debug line `member import applied`). */
  phasesMs: Record<string, number> | null;
}

/** The phases the worker logged for import `id` (null when the line is not in its output). */
function phasesOf(worker: ChildApp, id: string): Record<string, number> | null {
  for (const line of worker.output().split('\n').reverse()) {
    if (!line.includes(id) || !line.includes('phasesMs')) continue;
    try {
      return (JSON.parse(line) as { phasesMs: Record<string, number> }).phasesMs;
    } catch {
      return null;
    }
  }
  return null;
}

async function bareCopy(databaseUrl: string, path: string, rows: number) {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `CREATE TEMP TABLE bench_bare_copy (${IMPORT_COLUMNS.map((c) => `${c} text`).join(', ')})`,
    );
    const started = performance.now();
    const copy = client.query(copyFrom(`COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)`));
    await pipeline(createReadStream(path, { highWaterMark: 1_048_576 }), copy);
    const ms = performance.now() - started;
    if (copy.rowCount !== rows) throw new Error(`bare COPY loaded ${copy.rowCount} rows, expected ${rows}`);
    return { rowsPerSec: round((rows * 1000) / ms, 0), totalMs: Math.round(ms), rows: copy.rowCount };
  } finally {
    await client.end();
  }
}

/**
 * The floor: the least that importing this file must write, by hand, in one transaction that is
 * rolled back — COPY into a staging table, then one `INSERT … SELECT` each into members, tags,
 * member_tags, member_identities and member_import_links (the real tables, with all their keys,
 * checks and indexes), in the import's orders (members by id, identities by key, links and tag links
 * by member). What it leaves out is every step that decides what to write: no validation (bad rows
 * and repeats are known from the generator's rules), no resolution against existing identities, no
 * phone parsing, no per-row errors, no upload. Each row's phone forms (its last 11 digits, SHA-256)
 * and tag ids are computed between the timed steps, untimed (`untimedMs`). Member ids rise with
 * the line like the import's. So no import of this file into an empty brand can be
 * faster than this with this schema on this machine.
 */
async function floor(databaseUrl: string, path: string, rows: number, brandId: string) {
  const { badEvery, badAt, repeatEvery, repeatAt, repeatOf } = MEMBERS_CSV_ROWS;
  const bad = `(s.line - 2) % ${badEvery} = ${badAt}`;
  const repeat = `(s.line - 2) % ${repeatEvery} = ${repeatAt}`;
  // The import's UUIDv7 shape (time, version, the line as counter), without the random bits.
  const memberId = (line: string) =>
    `(lpad(to_hex(floor(extract(epoch FROM now()) * 1000)::bigint), 12, '0') || '70008000' || lpad(to_hex(${line}), 12, '0'))::uuid`;
  const member = memberId(`CASE WHEN ${repeat} THEN s.line - ${repeatOf} ELSE s.line END`);
  const digits = `NULLIF(right(regexp_replace(s.phone, '[^0-9]', '', 'g'), 11), '')`;
  // Untimed preparation between the timed steps (what the import computes, not what it writes):
  // each row's phone forms, after the COPY, and each row's tag ids, after the tags exist.
  const prepare: Record<string, { table: string; sql: string }> = {
    members: {
      table: 'bench_floor_phones',
      sql: `CREATE TEMP TABLE bench_floor_phones ON COMMIT DROP AS
       SELECT line, '+86' || d AS e164, encode(sha256(convert_to('phone:+86' || d, 'UTF8')), 'hex') AS digest,
              '+86' || left(d, 3) || '****' || right(d, 4) AS hint
         FROM (SELECT s.line, ${digits} AS d FROM bench_floor_stage s) x WHERE d IS NOT NULL`,
    },
    links: {
      table: 'bench_floor_tag_ids',
      sql: `CREATE TEMP TABLE bench_floor_tag_ids ON COMMIT DROP AS
       SELECT s.line, array_agg(t.id ORDER BY t.id) AS tag_ids
         FROM bench_floor_stage s CROSS JOIN LATERAL unnest(string_to_array(NULLIF(s.tags, ''), '|')) x
         JOIN tags t ON t.brand_id = $1 AND t.name = x
        GROUP BY s.line`,
    },
  };
  const tagNames = `unnest(string_to_array(NULLIF(s.tags, ''), '|'))`;
  const key = `v.value COLLATE "C", v.kind COLLATE "C", v.app_id COLLATE "C"`;
  const statements: Array<[step: string, sql: string]> = [
    [
      'members',
      `INSERT INTO members (id, brand_id, nickname, phone, source_channel, utm_source, utm_medium, utm_campaign,
                            utm_content, utm_term, city, birthday, consent_status, consent_at, consent_channel, joined_at)
       SELECT ${memberId('s.line')}, $1, NULLIF(s.nickname, ''), p.e164,
              COALESCE(lower(NULLIF(s.source_channel, '')), 'import'), NULLIF(s.utm_source, ''), NULLIF(s.utm_medium, ''),
              NULLIF(s.utm_campaign, ''), NULLIF(s.utm_content, ''), NULLIF(s.utm_term, ''), NULLIF(s.city, ''),
              NULLIF(s.birthday, '')::date, lower(NULLIF(s.consent, '')),
              CASE WHEN s.consent <> '' THEN now() END, CASE WHEN s.consent <> '' THEN 'import' END,
              COALESCE(NULLIF(s.joined_at, '')::timestamptz, now())
         FROM bench_floor_stage s LEFT JOIN bench_floor_phones p ON p.line = s.line
        WHERE NOT (${bad}) AND NOT (${repeat})
        ORDER BY s.line`,
    ],
    [
      'identities',
      `INSERT INTO member_identities (brand_id, member_id, kind, app_id, value, hint)
       SELECT DISTINCT ON (${key}) $1::uuid, ${member}, v.kind, v.app_id, v.value, v.hint
         FROM bench_floor_stage s
         LEFT JOIN bench_floor_phones p ON p.line = s.line
        CROSS JOIN LATERAL (VALUES
          ('external_userid'::text, ''::text, NULLIF(s.external_userid, ''), NULL::text),
          ('unionid', '', NULLIF(s.unionid, ''), NULL),
          ('openid', s.app_id, NULLIF(s.openid, ''), NULL),
          ('phone', '', p.digest, p.hint),
          ('store_customer_id', '', NULLIF(s.store_customer_id, ''), NULL)) AS v(kind, app_id, value, hint)
        WHERE NOT (${bad}) AND v.value IS NOT NULL
        ORDER BY ${key}, s.line`,
    ],
    [
      'tags',
      `INSERT INTO tags (brand_id, name)
       SELECT DISTINCT $1::uuid, x FROM bench_floor_stage s CROSS JOIN LATERAL ${tagNames} x WHERE NOT (${bad})
       ON CONFLICT (brand_id, name) DO NOTHING`,
    ],
    [
      'memberTags',
      `INSERT INTO member_tags (brand_id, member_id, tag_id)
       SELECT DISTINCT $1::uuid, ${member} AS member_id, t.id AS tag_id
         FROM bench_floor_stage s
        CROSS JOIN LATERAL ${tagNames} x
         JOIN tags t ON t.brand_id = $1 AND t.name = x
        WHERE NOT (${bad})
        ORDER BY member_id, tag_id`,
    ],
    [
      'links',
      `INSERT INTO member_import_links (member_id, import_id, line, brand_id, created, tag_ids)
       SELECT ${member} AS member_id, gen_random_uuid(), s.line, $1, NOT (${repeat}),
              CASE WHEN NOT (${repeat}) THEN g.tag_ids END
         FROM bench_floor_stage s
         LEFT JOIN bench_floor_tag_ids g ON g.line = s.line
        WHERE NOT (${bad})
        ORDER BY member_id, s.line`,
    ],
  ];
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const stepsMs: Record<string, number> = {};
  const written: Record<string, number> = {};
  try {
    await client.query('BEGIN');
    // the import's settings for its transaction
    await client.query(`SELECT set_config('work_mem', '256MB', true), set_config('jit', 'off', true)`);
    await client.query(`SELECT set_config('TimeZone', time_zone, true) FROM brands WHERE id = $1`, [brandId]);
    await client.query(
      `CREATE TEMP TABLE bench_floor_stage (line int GENERATED ALWAYS AS IDENTITY (START WITH 2),
         ${IMPORT_COLUMNS.map((c) => `${c} text`).join(', ')}) ON COMMIT DROP`,
    );
    const started = performance.now();
    const copy = client.query(
      copyFrom(
        `COPY bench_floor_stage (${IMPORT_COLUMNS.join(', ')}) FROM STDIN WITH (FORMAT csv, HEADER true)`,
      ),
    );
    await pipeline(createReadStream(path, { highWaterMark: 1_048_576 }), copy);
    stepsMs.copy = Math.round(performance.now() - started);
    if (copy.rowCount !== rows) throw new Error(`floor COPY loaded ${copy.rowCount} rows, expected ${rows}`);
    let untimed = 0;
    const outside = async (sql: string, params: unknown[] = []) => {
      const at = performance.now();
      await client.query(sql, params);
      untimed += performance.now() - at;
    };
    await outside(`ANALYZE bench_floor_stage`);
    for (const [step, sql] of statements) {
      const before = prepare[step];
      if (before) {
        await outside(before.sql, before.sql.includes('$1') ? [brandId] : []);
        await outside(`ANALYZE ${before.table}`);
      }
      const at = performance.now();
      const result = await client.query(sql, [brandId]);
      stepsMs[step] = Math.round(performance.now() - at);
      written[step] = result.rowCount ?? 0;
    }
    const ms = performance.now() - started - untimed;
    return {
      rowsPerSec: round((rows * 1000) / ms, 0),
      totalMs: Math.round(ms),
      stepsMs,
      untimedMs: Math.round(untimed),
      written,
    };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}

/** A fresh brand through the CLI, its owner's login, and an operator API key made with it. */
async function freshBrand(api: ChildApp): Promise<{ brandId: string; apiKey: string }> {
  const suffix = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const email = `bench-${suffix}@bench.siyu.test`;
  const password = `bench-${suffix}-password`;
  const { stdout } = await promisify(execFile)(process.execPath, [
    join(DIST_ROOT, 'apps/cli/src/main.js'),
    'brand:create',
    '--name',
    `Import bench ${suffix}`,
    '--owner-email',
    email,
    '--password',
    password,
  ]);
  const line = stdout.split('\n').find((l) => l.startsWith('{"brandId"'));
  if (!line) throw new Error(`brand:create printed no brand: ${stdout}`);
  const { brandId } = JSON.parse(line) as { brandId: string };
  const login = await call<{ accessToken: string }>(api, 'POST', '/v1/auth/login', undefined, {
    email,
    password,
  });
  const key = await call<{ key: string }>(
    api,
    'POST',
    '/v1/api-keys',
    { authorization: `Bearer ${login.accessToken}` },
    { name: 'members-import bench', role: 'operator' },
  );
  return { brandId, apiKey: key.key };
}

async function call<T>(
  api: ChildApp,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${api.baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** Uploads the file through the real multipart endpoint and polls until the import ends. */
async function importOnce(
  api: ChildApp,
  worker: ChildApp,
  apiKey: string,
  path: string,
  rows: number,
): Promise<ImportRun> {
  const headers = { 'x-api-key': apiKey };
  const form = new FormData();
  form.append('file', await openAsBlob(path, { type: 'text/csv' }), 'members.csv');
  const started = performance.now();
  const res = await fetch(`${api.baseUrl}/v1/members/imports`, { method: 'POST', headers, body: form });
  const text = await res.text();
  if (res.status !== 202) throw new Error(`POST /v1/members/imports -> ${res.status}: ${text.slice(0, 500)}`);
  const uploadMs = performance.now() - started;
  const { id } = JSON.parse(text) as ImportState;
  progress(`uploaded in ${Math.round(uploadMs)} ms; import ${id} queued`);
  let lastReported = 0;
  for (;;) {
    const state = await call<ImportState>(api, 'GET', `/v1/members/imports/${id}`, headers);
    if (state.status === 'failed') throw new Error(`import ${id} failed: ${state.error}`);
    if (state.status === 'completed') {
      const totalMs = performance.now() - started;
      const processMs =
        new Date(state.completedAt as string).getTime() - new Date(state.startedAt as string).getTime();
      return {
        rowsPerSec: round((rows * 1000) / totalMs, 0),
        totalMs: Math.round(totalMs),
        uploadMs: Math.round(uploadMs),
        processMs,
        inserted: state.inserted,
        updated: state.updated,
        failed: state.failed,
        phasesMs: phasesOf(worker, id),
      };
    }
    if (state.processedRows >= lastReported + 100_000) {
      lastReported = state.processedRows;
      progress(`import ${id}: ${state.processedRows} rows staged`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function vacuumMemberTables(databaseUrl: string): Promise<void> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`VACUUM (ANALYZE) tags, ${MEMBER_TABLES.join(', ')}`);
  } finally {
    await db.end();
  }
}

function check(what: string, actual: number, expected: number): void {
  if (actual !== expected) throw new Error(`${what}: got ${actual}, expected ${expected}`);
}

/**
 * A realistic 1,000,000-row members CSV imported end to end (multipart upload to the real API,
 * applied by the real worker) against a bare COPY of the same file, in the same run; then the same
 * file again, which must create no member.
 */
const bench: Bench = {
  description: 'rows/s of a members CSV import end to end (API + worker) vs a bare COPY of the same file',
  async run(args) {
    const rows = numberFlag(args, 'rows', 1_000_000);
    const env = loadEnvironment();
    progress('running migrations');
    await runMigrations(env, (line) => progress(line));

    const dir = mkdtempSync(join(tmpdir(), 'siyu-bench-import-'));
    const file = join(dir, 'members.csv');
    let api: ChildApp | undefined;
    let worker: ChildApp | undefined;
    let brandId: string | undefined;
    try {
      progress(`writing ${rows} rows to ${file}`);
      const expected: MembersCsvExpectation = await writeMembersCsv(file, rows);
      progress(
        `${(expected.bytes / 1_048_576).toFixed(1)} MiB; ${expected.bad} bad rows, ${expected.repeats} repeats, ${expected.members} members expected`,
      );

      progress('bare COPY into a text staging table');
      const bare = await bareCopy(env.DATABASE_URL, file, rows);
      progress(`bare COPY: ${bare.rowsPerSec} rows/s`);

      progress('starting the Siyu API and worker');
      [api, worker] = await Promise.all([
        startDistApp({
          name: 'siyu-api',
          script: 'apps/api/src/main.js',
          env: { LOG_LEVEL: SIYU_LOG_LEVEL },
        }),
        startDistApp({
          name: 'siyu-worker',
          script: 'apps/worker/src/main.js',
          // debug: its start-up line, and the import's time per phase (one line per import)
          env: { LOG_LEVEL: 'debug' },
          readyLine: /worker started/,
        }),
      ]);
      const brand = await freshBrand(api);
      brandId = brand.brandId;

      progress('floor: the same rows written by hand in one transaction, rolled back');
      const least = await floor(env.DATABASE_URL, file, rows, brandId);
      progress(`floor: ${least.rowsPerSec} rows/s (${JSON.stringify(least.stepsMs)})`);
      // untimed: the rolled-back rows out of the tables and their indexes before the import
      await vacuumMemberTables(env.DATABASE_URL);

      progress('Siyu: first import');
      const first = await importOnce(api, worker, brand.apiKey, file, rows);
      progress(`first import: ${first.rowsPerSec} rows/s (${first.totalMs} ms)`);
      check('first import: inserted', first.inserted, expected.members);
      check('first import: updated', first.updated, expected.repeats);
      check('first import: failed', first.failed, expected.bad);

      progress('Siyu: the same file again');
      const again = await importOnce(api, worker, brand.apiKey, file, rows);
      progress(`re-import: ${again.rowsPerSec} rows/s (${again.totalMs} ms)`);
      check('re-import: inserted', again.inserted, 0);
      check('re-import: updated', again.updated, rows - expected.bad);
      check('re-import: failed', again.failed, expected.bad);

      const db = new Client({ connectionString: env.DATABASE_URL });
      await db.connect();
      let membersInDb: number;
      try {
        const { rows: found } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM members WHERE brand_id = $1`,
          [brandId],
        );
        membersInDb = found[0].n;
      } finally {
        await db.end();
      }
      check('members in the database', membersInDb, expected.members);

      return {
        bench: 'members-import',
        machine: machineInfo(),
        rows,
        fileMiB: round(expected.bytes / 1_048_576, 1),
        expected: {
          members: expected.members,
          repeats: expected.repeats,
          bad: expected.bad,
          badByKind: expected.badByKind,
        },
        bareCopy: bare,
        floor: least,
        siyu: { logLevel: SIYU_LOG_LEVEL, ...first },
        reimport: again,
        membersInDb,
        ratio: {
          siyuToBare: ratio(first.rowsPerSec, bare.rowsPerSec),
          siyuToFloor: ratio(first.rowsPerSec, least.rowsPerSec),
          floorToBare: ratio(least.rowsPerSec, bare.rowsPerSec),
          reimportToBare: ratio(again.rowsPerSec, bare.rowsPerSec),
        },
        targetRowsPerSec: 50_000,
        targetMet: first.rowsPerSec >= 50_000,
        at: new Date().toISOString(),
      };
    } finally {
      for (const app of [api, worker]) {
        if (!app) continue;
        const exit = await app.stop();
        progress(`${app.name} stopped (${exit.signal ?? exit.code}) in ${exit.stopMs} ms`);
      }
      rmSync(dir, { recursive: true, force: true });
      if (brandId && !args.includes('--keep')) {
        progress(`deleting the bench brand ${brandId} and its members (--keep to keep them)`);
        const db = new Client({ connectionString: env.DATABASE_URL });
        await db.connect();
        try {
          // Statistics first (autovacuum is off here): the members' cascade deletes a member's
          // identities by (brand_id, member_id), and with the statistics of the empty tables the
          // last run left, that plan reads the brand's whole identity key for every member.
          await db.query(`ANALYZE ${MEMBER_TABLES.join(', ')}`);
          await db.query(`DELETE FROM brands WHERE id = $1`, [brandId]);
        } finally {
          await db.end();
        }
        // so that the next run starts from tables of the same shape, not from a million dead rows
        await vacuumMemberTables(env.DATABASE_URL);
      }
    }
  },
};

export default bench;
