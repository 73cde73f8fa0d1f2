import { pipeline, Readable, Transform } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify';
import { DataSource, EntityManager, QueryFailedError, QueryRunner } from 'typeorm';
import { AnalyticsException } from './analytics.errors';

/** The longest a report query may run before Postgres cancels it. */
export const REPORT_TIMEOUT_MS = 60_000;
const CSV_BATCH = 1_000;

/**
 * Planner settings for reports, set for their transaction only: hash aggregates over millions of
 * orders want more than the 4 MB default, and JIT compilation costs more than it saves here.
 * Nested-loop joins are discouraged: every report joins whole sets (a brand's members to its
 * orders), where a nested loop is only right for a handful of rows, and stale statistics (a brand
 * whose rows arrived since the last ANALYZE; autovacuum may be off) made the planner pick one
 * for 10,000 cohort members × 19,000 orders: a minutes-long cohort report on the demo brand.
 * Joins that can only be nested loops (RFM's `placed_at < as_of`, LATERAL) still are.
 */
export const REPORT_SETTINGS: Readonly<Record<string, string>> = {
  jit: 'off',
  work_mem: '128MB',
  enable_nestloop: 'off',
  statement_timeout: String(REPORT_TIMEOUT_MS),
};

/** A parameterised statement; its result rows are the report's rows. */
export interface ReportQuery {
  sql: string;
  params: unknown[];
}

/** A cell a spreadsheet would run as a formula gets a leading apostrophe (group and tier names). */
const inert = (v: unknown): unknown => (typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

const isTimeout = (err: unknown) =>
  (err as QueryFailedError & { driverError?: { code?: string } }).driverError?.code === '57014';

/**
 * Runs report statements read-only with REPORT_SETTINGS: as rows (JSON answers) or as CSV
 * streamed from a server-side cursor (exports), so Node holds one batch of result rows at a time.
 */
@Injectable()
export class ReportRunner {
  private readonly logger = new Logger(ReportRunner.name);

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private async prepare(m: EntityManager | QueryRunner): Promise<void> {
    await m.query('SET TRANSACTION READ ONLY');
    const entries = Object.entries(REPORT_SETTINGS);
    await m.query(
      `SELECT ${entries.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`,
      entries.flat(),
    );
  }

  /** All rows of one or more statements, in one repeatable-read snapshot (so parts agree). */
  async rows<T>(...queries: ReportQuery[]): Promise<T[][]> {
    try {
      return await this.ds.transaction('REPEATABLE READ', async (m) => {
        await this.prepare(m);
        const out: T[][] = [];
        for (const q of queries) out.push((await m.query(q.sql, q.params)) as T[]);
        return out;
      });
    } catch (err) {
      if (isTimeout(err)) throw AnalyticsException.timeout(REPORT_TIMEOUT_MS / 1000);
      throw err;
    }
  }

  /**
   * The statement's rows as CSV with `columns` (the row keys, in order) as the header, fetched
   * 1,000 at a time from a cursor. The connection is released when the rows run out, on error,
   * or when the client goes away.
   */
  async csv(q: ReportQuery, columns: readonly string[]): Promise<Readable> {
    const runner = this.ds.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await this.prepare(runner);
      await runner.query(`DECLARE report_export NO SCROLL CURSOR FOR ${q.sql}`, q.params);
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      if (isTimeout(err)) throw AnalyticsException.timeout(REPORT_TIMEOUT_MS / 1000);
      throw err;
    }
    let released = false;
    const release = async () => {
      if (released) return;
      released = true;
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    };
    async function* rows(): AsyncGenerator<Record<string, unknown>> {
      try {
        for (;;) {
          const batch: Record<string, unknown>[] = await runner.query(
            `FETCH ${CSV_BATCH} FROM report_export`,
          );
          if (batch.length === 0) break;
          yield* batch;
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
      transform(r: Record<string, unknown>, _enc, done) {
        done(
          null,
          columns.map((c) => {
            const v = r[c];
            return v instanceof Date ? v.toISOString() : inert(v);
          }),
        );
      },
    });
    const csv = stringify({ header: true, columns: [...columns] });
    pipeline(source, toCells, csv, (err) => {
      if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE')
        this.logger.warn({ err: { message: err.message } }, 'report export failed');
    });
    return csv;
  }
}
