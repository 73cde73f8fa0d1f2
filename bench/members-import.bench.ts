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
        siyu: { logLevel: SIYU_LOG_LEVEL, ...first },
        reimport: again,
        membersInDb,
        ratio: {
          siyuToBare: ratio(first.rowsPerSec, bare.rowsPerSec),
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
          // so that the next run starts from tables of the same shape, not from a million dead rows
          await db.query(`VACUUM (ANALYZE) ${MEMBER_TABLES.join(', ')}`);
        } finally {
          await db.end();
        }
      }
    }
  },
};

export default bench;
