import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, decodeCursor, Page, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { FraudDecision } from './fraud.constants';
import { PartnerFraudException } from './fraud.errors';
import { FraudChecksService } from './fraud-checks.service';

export interface FraudFlagView {
  id: string;
  partnerId: string;
  partnerName: string;
  commissionId: string;
  orderId: string;
  kind: string;
  evidence: Record<string, unknown>;
  held: boolean;
  heldFrom: string | null;
  status: string;
  commissionStatus: string;
  reviewedAt: Date | null;
  reviewedByType: string | null;
  reviewedById: string | null;
  reviewNote: string | null;
  createdAt: Date;
}

export interface FraudFlagFilter {
  status?: string;
  kind?: string;
  partnerId?: string;
  limit: number;
  cursor?: string;
}

type Raw = Record<string, unknown>;

const SELECT = `f.id, f.partner_id, p.name AS partner_name, f.commission_id, f.order_id, f.kind, f.evidence, f.held,
  f.held_from, f.status, pc.status AS commission_status, f.reviewed_at, f.reviewed_by_type, f.reviewed_by_id,
  f.review_note, f.created_at, f.created_at::text AS cursor_at
  FROM partner_fraud_flags f JOIN partners p ON p.id = f.partner_id JOIN partner_commissions pc ON pc.id = f.commission_id`;

const toView = (r: Raw): FraudFlagView => ({
  id: r.id as string,
  partnerId: r.partner_id as string,
  partnerName: r.partner_name as string,
  commissionId: r.commission_id as string,
  orderId: r.order_id as string,
  kind: r.kind as string,
  evidence: r.evidence as Record<string, unknown>,
  held: r.held as boolean,
  heldFrom: (r.held_from as string | null) ?? null,
  status: r.status as string,
  commissionStatus: r.commission_status as string,
  reviewedAt: (r.reviewed_at as Date | null) ?? null,
  reviewedByType: (r.reviewed_by_type as string | null) ?? null,
  reviewedById: (r.reviewed_by_id as string | null) ?? null,
  reviewNote: (r.review_note as string | null) ?? null,
  createdAt: r.created_at as Date,
});

/**
 * Flags and their review. A flag is reviewed once: approving clears it (when no other flag of the
 * commission is still open, a held commission goes back to what it was — approved if it was, or if
 * its holding period is over, else pending); rejecting confirms fraud (a held commission becomes
 * rejected). Both are audited with the commission's status before and after, and rescore the partner.
 */
@Injectable()
export class FraudReviewService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly checks: FraudChecksService,
  ) {}

  async list(brandId: string, f: FraudFlagFilter): Promise<Page<FraudFlagView>> {
    const after = decodeCursor(f.cursor, 2) as [string, string] | null;
    const params: unknown[] = [brandId, f.limit + 1];
    const where = ['f.brand_id = $1'];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (f.status) add('f.status = ?', f.status);
    if (f.kind) add('f.kind = ?', f.kind);
    if (f.partnerId) add('f.partner_id = ?', f.partnerId);
    if (after) {
      params.push(after[0], after[1]);
      where.push(`(f.created_at, f.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const rows: Raw[] = await this.ds.query(
      `SELECT ${SELECT} WHERE ${where.join(' AND ')} ORDER BY f.created_at DESC, f.id DESC LIMIT $2`,
      params,
    );
    return toPage(rows, f.limit, (r) => [r.cursor_at as string, r.id as string], toView);
  }

  async get(brandId: string, id: string, m: EntityManager = this.ds.manager): Promise<FraudFlagView> {
    const [row]: Raw[] = await m.query(`SELECT ${SELECT} WHERE f.brand_id = $1 AND f.id = $2`, [brandId, id]);
    if (!row) throw PartnerFraudException.flagNotFound(id);
    return toView(row);
  }

  async review(actor: Actor, id: string, decision: FraudDecision, note?: string): Promise<FraudFlagView> {
    return this.ds.transaction(async (m) => {
      const before = await this.get(actor.brandId, id, m);
      // The commission row is the lock: two reviews of its flags never interleave.
      await m.query(`SELECT id FROM partner_commissions WHERE id = $1 FOR UPDATE`, [before.commissionId]);
      // UPDATE … RETURNING answers [rows, affected] through TypeORM.
      const [[flag]]: [Raw[], number] = await m.query(
        `UPDATE partner_fraud_flags SET status = $3, reviewed_at = now(), reviewed_by_type = $4, reviewed_by_id = $5,
                review_note = $6
          WHERE brand_id = $1 AND id = $2 AND status = 'open' RETURNING id`,
        [
          actor.brandId,
          id,
          decision === 'approve' ? 'approved' : 'rejected',
          actor.actorType,
          actor.actorId,
          note ?? null,
        ],
      );
      if (!flag) {
        const now = await this.get(actor.brandId, id, m);
        throw PartnerFraudException.reviewed(id, now.status);
      }
      if (decision === 'approve')
        await m.query(
          `UPDATE partner_commissions pc
              SET status = r.next, reason = NULL, updated_at = now(),
                  approved_at = CASE WHEN r.next = 'approved' THEN COALESCE(pc.approved_at, now()) ELSE pc.approved_at END
             FROM (SELECT CASE WHEN bool_or(f.held_from = 'approved') OR (SELECT hold_until FROM partner_commissions WHERE id = $1) <= now()
                               THEN 'approved' ELSE 'pending' END AS next
                     FROM partner_fraud_flags f WHERE f.commission_id = $1 AND f.held) r
            WHERE pc.id = $1 AND pc.status = 'held'
              AND NOT EXISTS (SELECT 1 FROM partner_fraud_flags o WHERE o.commission_id = $1 AND o.status = 'open')`,
          [before.commissionId],
        );
      else
        await m.query(
          `UPDATE partner_commissions SET status = 'rejected', reason = $2, updated_at = now()
            WHERE id = $1 AND status = 'held'`,
          [before.commissionId, `fraud:${before.kind}`],
        );
      await this.checks.rescore(m, actor.brandId, [{ partnerId: before.partnerId }]);
      const after = await this.get(actor.brandId, id, m);
      await this.audit.record(m, actor, {
        action: `partner_fraud_flag.${decision}`,
        entityType: 'partner_fraud_flag',
        entityId: id,
        before: {
          status: before.status,
          commissionId: before.commissionId,
          commissionStatus: before.commissionStatus,
        },
        after: {
          status: after.status,
          commissionId: after.commissionId,
          commissionStatus: after.commissionStatus,
          note: note ?? null,
        },
      });
      return after;
    });
  }

  /** The conversion-rate sweep now (the worker runs it hourly), audited; answers the flags it raised. */
  async sweepNow(actor: Actor, at = new Date()): Promise<FraudFlagView[]> {
    return this.ds.transaction(async (m) => {
      const flags = await this.checks.sweepConversionRates(m, actor.brandId, at);
      await this.checks.rescore(m, actor.brandId, null);
      await this.audit.record(m, actor, {
        action: 'partner_fraud.sweep',
        entityType: 'brand',
        entityId: actor.brandId,
        after: { at: at.toISOString(), flagged: flags.length, flagIds: flags.map((f) => f.id) },
      });
      if (flags.length === 0) return [];
      const rows: Raw[] = await m.query(
        `SELECT ${SELECT} WHERE f.brand_id = $1 AND f.id = ANY($2::uuid[]) ORDER BY f.created_at, f.id`,
        [actor.brandId, flags.map((f) => f.id)],
      );
      return rows.map(toView);
    });
  }
}
