import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, FieldError } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { OrderSource } from '../entities/order-source.entity';
import { OrderIntakeService } from '../order-intake.service';
import { AffiliateRow, orderForRow, parseAffiliateRow, RowContext } from './affiliate-row';

export type AffiliateOutcome = 'created' | 'updated' | 'unchanged' | 'failed';

export interface AffiliateRowResult {
  /** The row's line in the file (CSV) or its index in the request (JSON). */
  line: number;
  subOrderId: string | null;
  outcome: AffiliateOutcome;
  orderId?: string;
  errors?: FieldError[];
}

export interface RawAffiliateRow {
  line: number;
  values: Record<string, unknown>;
}

interface LineState {
  sub_order_id: string;
  status: string;
  estimated: string;
  final: string | null;
  finished_at: Date | null;
}

/** Commerce's field names in the report's terms, for errors about a row's order. */
const REPORT_FIELD: Record<string, string> = {
  amountMinor: 'paid_amount',
  placedAt: 'paid_time',
  status: 'order_status',
  currency: 'currency',
  externalId: 'sub_order_id',
  linkCode: 'custom_parameters',
};
const reportField = (f: string) =>
  REPORT_FIELD[f.split('.')[0]] ?? (f.startsWith('identities') ? 'custom_parameters' : f || 'row');

/**
 * Affiliate report rows (AliExpress Portals-style) → commerce orders (external id = sub_order_id)
 * and `affiliate_order_lines` (commission, status history). A row the same as what is recorded is
 * a no-op; a new status moves the order through commerce (paid → refunded / cancelled) and the
 * line with it, in one transaction per batch. Bad rows are reported and the good ones kept.
 */
@Injectable()
export class AffiliateOrdersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly intake: OrderIntakeService,
  ) {}

  async context(brandId: string): Promise<RowContext> {
    const [b]: Array<{ currency: string; time_zone: string }> = await this.ds.query(
      `SELECT currency, time_zone FROM brands WHERE id = $1`,
      [brandId],
    );
    return { currency: b.currency, timeZone: b.time_zone };
  }

  /**
   * Applies rows in order. A sub-order seen twice is applied in two passes, so a report holding a
   * status change (paid, then refunded) applies both. `afterPass` runs inside each pass's
   * transaction (an import's progress commits with the rows it counts).
   */
  async apply(
    actor: Actor,
    source: OrderSource,
    rows: RawAffiliateRow[],
    ctx: RowContext,
    afterPass?: (m: EntityManager, results: AffiliateRowResult[]) => Promise<void>,
  ): Promise<AffiliateRowResult[]> {
    const out: AffiliateRowResult[] = [];
    let pass: RawAffiliateRow[] = [];
    const seen = new Set<string>();
    const flush = async () => {
      if (pass.length === 0) return;
      out.push(...(await this.applyPass(actor, source, pass, ctx, afterPass)));
      pass = [];
      seen.clear();
    };
    for (const r of rows) {
      const key = String(r.values.sub_order_id ?? '').trim();
      if (key && seen.has(key)) await flush();
      if (key) seen.add(key);
      pass.push(r);
    }
    await flush();
    return out;
  }

  private async applyPass(
    actor: Actor,
    source: OrderSource,
    raw: RawAffiliateRow[],
    ctx: RowContext,
    afterPass?: (m: EntityManager, results: AffiliateRowResult[]) => Promise<void>,
  ): Promise<AffiliateRowResult[]> {
    const invalid: AffiliateRowResult[] = [];
    const valid: Array<{ line: number; row: AffiliateRow }> = [];
    for (const r of raw) {
      const parsed = parseAffiliateRow(r.values, ctx);
      if ('errors' in parsed) {
        const sub = typeof r.values.sub_order_id === 'string' ? r.values.sub_order_id.slice(0, 64) : null;
        invalid.push({ line: r.line, subOrderId: sub, outcome: 'failed', errors: parsed.errors });
      } else valid.push({ line: r.line, row: parsed.row });
    }
    return this.intake.transaction(async (m) => {
      const results = [...invalid, ...(await this.write(m, actor, source, valid))].sort(
        (a, b) => a.line - b.line,
      );
      if (afterPass) await afterPass(m, results);
      return results;
    });
  }

  private async write(
    m: EntityManager,
    actor: Actor,
    source: OrderSource,
    rows: Array<{ line: number; row: AffiliateRow }>,
  ): Promise<AffiliateRowResult[]> {
    if (rows.length === 0) return [];
    const current: LineState[] = await m.query(
      `SELECT sub_order_id, status, estimated_commission_minor::text AS estimated,
              final_commission_minor::text AS final, finished_at
         FROM affiliate_order_lines
        WHERE brand_id = $1 AND source_id = $2 AND sub_order_id = ANY($3::text[])
        ORDER BY sub_order_id FOR UPDATE`,
      [source.brandId, source.id, rows.map((r) => r.row.subOrderId)],
    );
    const byKey = new Map(current.map((c) => [c.sub_order_id, c]));
    const results: AffiliateRowResult[] = [];
    const changed = rows.filter(({ line, row }) => {
      const c = byKey.get(row.subOrderId);
      const same =
        c !== undefined &&
        c.status === row.status &&
        c.estimated === row.estimatedCommissionMinor &&
        c.final === row.finalCommissionMinor &&
        (c.finished_at?.getTime() ?? null) === (row.finishedAt?.getTime() ?? null);
      if (same) results.push({ line, subOrderId: row.subOrderId, outcome: 'unchanged' });
      return !same;
    });
    if (changed.length === 0) return results;

    const recorded = await this.intake.record(
      m,
      actor,
      changed.map((c) => orderForRow(c.row, source.slug)),
    );
    const lines: Array<Record<string, unknown>> = [];
    recorded.forEach((r, i) => {
      const { line, row } = changed[i];
      if (r.outcome === 'failed') {
        const errors = r.error.errors?.length ? r.error.errors : [{ field: '', message: r.error.message }];
        results.push({
          line,
          subOrderId: row.subOrderId,
          outcome: 'failed',
          errors: errors.map((e) => ({
            field: reportField(e.field.replace(/^orders\[\d+\]\.?/, '')),
            message: e.message,
          })),
        });
        return;
      }
      results.push({
        line,
        subOrderId: row.subOrderId,
        outcome: byKey.has(row.subOrderId) ? 'updated' : 'created',
        orderId: r.order.id,
      });
      lines.push({
        sub_order_id: row.subOrderId,
        parent_order_id: row.orderId,
        order_id: r.order.id,
        status: row.status,
        paid_amount_minor: row.paidAmountMinor,
        currency: row.currency,
        commission_rate_bp: row.commissionRateBp,
        estimated: row.estimatedCommissionMinor,
        final: row.finalCommissionMinor,
        tracking_id: row.trackingId,
        link_code: row.linkCode,
        paid_at: row.paidAt.toISOString(),
        finished_at: row.finishedAt?.toISOString() ?? null,
      });
    });
    if (lines.length > 0) await this.upsertLines(m, source, lines);
    return results;
  }

  /** New lines, or a line's new status and commission, each change appended to its history. */
  private async upsertLines(
    m: EntityManager,
    source: OrderSource,
    lines: Array<Record<string, unknown>>,
  ): Promise<void> {
    await m.query(
      `INSERT INTO affiliate_order_lines AS l (brand_id, source_id, sub_order_id, parent_order_id, order_id, status,
              paid_amount_minor, currency, commission_rate_bp, estimated_commission_minor, final_commission_minor,
              tracking_id, link_code, paid_at, finished_at, status_history)
       SELECT $1, $2, r.sub_order_id, r.parent_order_id, r.order_id, r.status, r.paid_amount_minor, r.currency,
              r.commission_rate_bp, r.estimated, r.final, r.tracking_id, r.link_code, r.paid_at, r.finished_at,
              jsonb_build_array(jsonb_build_object('status', r.status, 'estimatedCommissionMinor', r.estimated::text,
                'finalCommissionMinor', r.final::text, 'seenAt', now()))
         FROM jsonb_to_recordset($3::jsonb) AS r(sub_order_id text, parent_order_id text, order_id uuid, status text,
              paid_amount_minor bigint, currency text, commission_rate_bp int, estimated bigint, final bigint,
              tracking_id text, link_code text, paid_at timestamptz, finished_at timestamptz)
       ON CONFLICT (brand_id, source_id, sub_order_id) DO UPDATE
          SET status = EXCLUDED.status,
              commission_rate_bp = EXCLUDED.commission_rate_bp,
              estimated_commission_minor = EXCLUDED.estimated_commission_minor,
              final_commission_minor = EXCLUDED.final_commission_minor,
              tracking_id = COALESCE(EXCLUDED.tracking_id, l.tracking_id),
              link_code = COALESCE(EXCLUDED.link_code, l.link_code),
              finished_at = EXCLUDED.finished_at,
              status_history = l.status_history || EXCLUDED.status_history,
              updated_at = now()`,
      [source.brandId, source.id, JSON.stringify(lines)],
    );
  }

  /** A sub-order's line (commission and status history), for the API and the partners lib. */
  async line(brandId: string, sourceId: string, subOrderId: string): Promise<Record<string, unknown> | null> {
    const [row]: Array<Record<string, unknown>> = await this.ds.query(
      `SELECT sub_order_id, parent_order_id, order_id, status, paid_amount_minor::text AS paid_amount_minor, currency,
              commission_rate_bp, estimated_commission_minor::text AS estimated_commission_minor,
              final_commission_minor::text AS final_commission_minor, tracking_id, link_code, paid_at, finished_at,
              status_history, created_at, updated_at
         FROM affiliate_order_lines WHERE brand_id = $1 AND source_id = $2 AND sub_order_id = $3`,
      [brandId, sourceId, subOrderId],
    );
    return row ?? null;
  }
}
