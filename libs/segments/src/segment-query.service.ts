import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { BrandsService, DomainException, FieldError } from '@siyu/platform';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { checkRule, CheckedNode, conditionsOf } from './rule/rule-checker';
import { compileFrom, SegmentScope } from './rule/rule-compiler';
import { Queryable } from './rule/segment-field';
import { SegmentFieldRegistry } from './rule/segment-field.registry';
import { SegmentException } from './segments.errors';

/** The longest a count, preview or page of a segment may run before it is cancelled. */
export const SEGMENT_QUERY_TIMEOUT_MS = 30_000;

/**
 * Planner settings for segment queries, set for their transaction only. JIT compilation costs
 * 0.5–1 s on a query whose plan the cost model thinks is big (a million members) and buys nothing
 * for a count; hash joins over a brand's tag and tier sets want more than the 4 MB default.
 */
export const SEGMENT_QUERY_SETTINGS: Readonly<Record<string, string>> = { jit: 'off', work_mem: '64MB' };

/** A rule made ready to run: checked, and the brand's scope (time zone, now) attached. */
export interface PreparedSegment {
  node: CheckedNode;
  scope: SegmentScope;
}

/**
 * Rules to SQL: validation (shape, catalogue, values), the brand's references (tag and tier ids),
 * the compiled WHERE clause, and the queries every caller shares (count, member ids).
 */
@Injectable()
export class SegmentQueryService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly fields: SegmentFieldRegistry,
    private readonly brands: BrandsService,
  ) {}

  /** Validates the shape and values of a rule; 400 SEGMENT_RULE_INVALID with the path otherwise. */
  check(raw: unknown, root = 'rule'): CheckedNode {
    return checkRule(raw, this.fields, root);
  }

  /** 400 naming each id of a condition that is not the brand's (another brand's tag, a deleted tier). */
  async checkRefs(brandId: string, node: CheckedNode, db: Queryable = this.ds): Promise<void> {
    const errors: FieldError[] = [];
    for (const { def, cond } of conditionsOf(node)) {
      if (!def.unknownRefs) continue;
      const unknown = new Set(await def.unknownRefs(db, brandId, cond));
      if (unknown.size === 0) continue;
      const values = Array.isArray(cond.value) ? (cond.value as unknown[]) : [cond.value];
      values.forEach((v, i) => {
        if (unknown.has(v as string))
          errors.push({
            field: Array.isArray(cond.value) ? `${cond.path}.value[${i}]` : `${cond.path}.value`,
            message: `${cond.field}: ${String(v)} is not one of this brand's ids`,
          });
      });
    }
    if (errors.length > 0) throw SegmentException.ruleInvalid(errors);
  }

  /** Checks a rule and its references, and attaches the brand's scope. */
  async prepare(
    brandId: string,
    raw: unknown,
    opts: { includeErased?: boolean; root?: string; checkRefs?: boolean; now?: Date } = {},
    manager?: EntityManager,
  ): Promise<PreparedSegment> {
    const node = this.check(raw, opts.root);
    if (opts.checkRefs !== false) await this.checkRefs(brandId, node, manager ?? this.ds);
    return { node, scope: await this.scope(brandId, opts, manager) };
  }

  async scope(
    brandId: string,
    opts: { includeErased?: boolean; now?: Date } = {},
    manager?: EntityManager,
  ): Promise<SegmentScope> {
    const brand = await this.brands.get(brandId, manager);
    return {
      brandId,
      now: opts.now ?? new Date(),
      timeZone: brand.timeZone,
      includeErased: opts.includeErased ?? false,
    };
  }

  /** `FROM members m WHERE …` of the segment (`m` is a member row), its values appended to `params`. */
  from(p: PreparedSegment, params: unknown[]): string {
    return compileFrom(p.node, p.scope, params);
  }

  /** `SELECT m.id AS member_id FROM …`: the audience, for embedding in a larger statement. */
  memberIdsSql(p: PreparedSegment, params: unknown[]): string {
    return `SELECT m.id AS member_id ${this.from(p, params)}`;
  }

  /** How many members match: on `manager` (the caller's transaction) or bounded in one of its own. */
  async count(p: PreparedSegment, manager?: EntityManager): Promise<number> {
    const params: unknown[] = [];
    const sql = `SELECT count(*)::int AS n ${this.from(p, params)}`;
    const run = (m: EntityManager) => m.query(sql, params) as Promise<Array<{ n: number }>>;
    const [row] = manager ? await this.tuned(manager, run) : await this.bounded(run);
    return row.n;
  }

  /**
   * Runs `fn` on the caller's transaction with SEGMENT_QUERY_SETTINGS, then puts the caller's own
   * settings back (they are transaction-local either way).
   */
  async tuned<T>(manager: EntityManager, fn: (m: EntityManager) => Promise<T>): Promise<T> {
    const names = Object.keys(SEGMENT_QUERY_SETTINGS);
    const [before]: Array<Record<string, string>> = await manager.query(
      `SELECT ${names.map((n, i) => `current_setting($${i + 1}) AS "${n}"`).join(', ')}`,
      names,
    );
    await this.apply(manager, SEGMENT_QUERY_SETTINGS);
    try {
      return await fn(manager);
    } finally {
      // an aborted transaction refuses the reset, and then ends without the settings anyway
      await this.apply(manager, before).catch(() => undefined);
    }
  }

  /** Sets transaction-local settings (SEGMENT_QUERY_SETTINGS by default) on `manager`'s transaction. */
  async apply(
    manager: EntityManager,
    settings: Readonly<Record<string, string>> = SEGMENT_QUERY_SETTINGS,
  ): Promise<void> {
    const entries = Object.entries(settings);
    await manager.query(
      `SELECT ${entries.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`,
      entries.flat(),
    );
  }

  /**
   * Runs `fn` in a read-only transaction of its own with a statement timeout, so one heavy rule
   * cannot hold a connection for long. A cancelled query answers 503, not 500.
   */
  async bounded<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.ds.transaction(async (m) => {
        await m.query('SET TRANSACTION READ ONLY');
        await this.apply(m, {
          ...SEGMENT_QUERY_SETTINGS,
          statement_timeout: String(SEGMENT_QUERY_TIMEOUT_MS),
        });
        return fn(m);
      });
    } catch (err) {
      const code = (err as QueryFailedError & { driverError?: { code?: string } }).driverError?.code;
      if (code === '57014')
        throw new DomainException(
          'SEGMENT_QUERY_TIMEOUT',
          503,
          `The segment query ran longer than ${SEGMENT_QUERY_TIMEOUT_MS / 1000} s; simplify the rule or try again later`,
        );
      throw err;
    }
  }
}
