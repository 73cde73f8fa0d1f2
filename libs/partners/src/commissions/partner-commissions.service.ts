import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, Page, newestFirstPage, newestFirstQuery } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { PartnerCommissionQueryDto } from '../dto/partner-settlement.dto';
import { PartnerCommission } from '../entities/partner-commission.entity';
import { PartnerHooks } from '../partner-hooks';
import { CLAWBACK_SETTLED_SQL, CREATE_COMMISSIONS_SQL, REDUCE_UNSETTLED_SQL, capSql } from './commission-sql';

/** Pending commissions approved per statement by the scheduled approval. */
const APPROVE_CHUNK = 5_000;

/**
 * Commissions: created in the order's transaction for orders attributed to a partner (one per
 * order), reduced or reversed when the order is refunded or cancelled (or clawed back on the next
 * settlement once settled), approved when their holding period has passed.
 */
@Injectable()
export class PartnerCommissionsService {
  private readonly logger = new Logger(PartnerCommissionsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly hooks: PartnerHooks,
    private readonly audit: AuditService,
  ) {}

  /**
   * In the order's transaction, after attribution: one commission per partner-attributed paid order
   * (none again for an order that has one), capped per month, the partners' first sale set once,
   * then the PartnerHooks listeners (fraud checks) see the new commissions.
   */
  async createForOrders(m: EntityManager, brandId: string, orderIds: string[]): Promise<string[]> {
    if (orderIds.length === 0) return [];
    // The partners' rows, in id order: one transaction at a time fills a partner's monthly cap.
    const partners: Array<{ partner_id: string }> = await m.query(
      `SELECT DISTINCT a.partner_id FROM order_attributions a
        WHERE a.brand_id = $1 AND a.order_id = ANY($2::uuid[]) AND a.partner_id IS NOT NULL`,
      [brandId, orderIds],
    );
    if (partners.length === 0) return [];
    await m.query(
      `SELECT id FROM partners WHERE brand_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [brandId, partners.map((p) => p.partner_id)],
    );
    const created: Array<{ id: string; partner_id: string; order_paid_at: Date }> = await m.query(
      CREATE_COMMISSIONS_SQL,
      [brandId, orderIds],
    );
    if (created.length === 0) return [];
    const ids = created.map((c) => c.id);
    await m.query(capSql('base'), [ids]);
    await m.query(
      `UPDATE partners p SET first_sale_at = f.first_sale, updated_at = now()
         FROM (SELECT c.partner_id, min(c.order_paid_at) AS first_sale
                 FROM partner_commissions c JOIN partners a ON a.id = c.partner_id
                WHERE c.id = ANY($2::uuid[]) AND c.order_paid_at >= a.activated_at GROUP BY c.partner_id) f
        WHERE p.brand_id = $1 AND p.id = f.partner_id AND p.first_sale_at IS NULL`,
      [brandId, ids],
    );
    await this.hooks.commissionsCreated(m, { brandId, commissionIds: ids });
    return ids;
  }

  /** Orders of members just matched or merged: those now attributed to a partner get their commission. */
  async createForMembers(m: EntityManager, brandId: string, memberIds: string[]): Promise<string[]> {
    if (memberIds.length === 0) return [];
    const rows: Array<{ id: string }> = await m.query(
      `SELECT o.id FROM orders o JOIN order_attributions a ON a.order_id = o.id
        WHERE o.brand_id = $1 AND o.member_id = ANY($2::uuid[]) AND a.partner_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM partner_commissions c WHERE c.brand_id = o.brand_id AND c.order_id = o.id)`,
      [brandId, memberIds],
    );
    return this.createForOrders(
      m,
      brandId,
      rows.map((r) => r.id),
    );
  }

  /**
   * In the order's transaction, after a refund or a status change: unsettled commissions are
   * recomputed (reversed when nothing is left); settled ones get a negative adjustment.
   */
  async orderChanged(
    m: EntityManager,
    brandId: string,
    orderIds: string[],
  ): Promise<{ reduced: number; clawbacks: number }> {
    if (orderIds.length === 0) return { reduced: 0, clawbacks: 0 };
    const locked: unknown[] = await m.query(
      `SELECT id FROM partner_commissions WHERE brand_id = $1 AND order_id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [brandId, orderIds],
    );
    if (locked.length === 0) return { reduced: 0, clawbacks: 0 };
    const [reduced]: [unknown[], number] = await m.query(REDUCE_UNSETTLED_SQL, [brandId, orderIds]);
    const clawbacks: unknown[] = await m.query(CLAWBACK_SETTLED_SQL, [brandId, orderIds]);
    return { reduced: reduced.length, clawbacks: clawbacks.length };
  }

  /**
   * The scheduled approval (all brands, or one): pending commissions whose holding period passed
   * (held ones wait for review). Idempotent: what is approved is no longer pending.
   */
  async approveDue(brandId: string | null = null): Promise<number> {
    let total = 0;
    for (;;) {
      const [rows]: [unknown[], number] = await this.ds.query(
        `UPDATE partner_commissions SET status = 'approved', approved_at = now(), updated_at = now()
          WHERE id IN (SELECT id FROM partner_commissions
                        WHERE status = 'pending' AND hold_until <= now() AND ($2::uuid IS NULL OR brand_id = $2)
                        ORDER BY hold_until LIMIT $1 FOR UPDATE SKIP LOCKED)
            AND status = 'pending'
          RETURNING id`,
        [APPROVE_CHUNK, brandId],
      );
      total += rows.length;
      if (rows.length < APPROVE_CHUNK) break;
    }
    if (total > 0) this.logger.log({ approved: total, brandId }, 'partner commissions approved');
    return total;
  }

  /** POST /v1/partner-commissions/approvals: the brand's due approvals now, not at the next tick; audited. */
  async approveDueNow(actor: Actor): Promise<number> {
    const approved = await this.approveDue(actor.brandId);
    await this.ds.transaction((m) =>
      this.audit.record(m, actor, {
        action: 'partner_commissions.approved',
        entityType: 'partner_commissions',
        entityId: actor.brandId,
        after: { approved },
      }),
    );
    return approved;
  }

  async list(brandId: string, q: PartnerCommissionQueryDto): Promise<Page<PartnerCommission>> {
    const qb = newestFirstQuery(this.ds.getRepository(PartnerCommission), 'c', brandId, q);
    if (q.partnerId) qb.andWhere('c.partner_id = :partnerId', { partnerId: q.partnerId });
    if (q.status) qb.andWhere('c.status = :status', { status: q.status });
    return newestFirstPage(qb, q.limit);
  }
}
