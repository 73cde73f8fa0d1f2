import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AuditService,
  Page,
  newestFirstPage,
  newestFirstQuery,
  ValidationException,
} from '@siyu/platform';
import { stringify } from 'csv-stringify/sync';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import type {
  PartnerPayoutRecordDto,
  PartnerSettlementCreateDto,
  PartnerSettlementQueryDto,
} from '../dto/partner-settlement.dto';
import { PartnerSettlementLine } from '../entities/partner-settlement-line.entity';
import { PartnerSettlement } from '../entities/partner-settlement.entity';
import { Partner } from '../entities/partner.entity';
import { UUID_RE } from '../partners-core.constants';
import { PartnerException } from '../partners.errors';
import { TIER_SETTINGS_SQL } from '../tiers/partner-tier-settings.service';

export interface SettlementStatement {
  settlement: PartnerSettlement;
  lines: PartnerSettlementLine[];
}

/** Columns of the CSV statement, in order. */
const CSV_COLUMNS: Array<keyof PartnerSettlementLine> = [
  'kind',
  'orderSource',
  'orderExternalId',
  'orderId',
  'orderPaidAt',
  'commissionId',
  'adjustmentId',
  'commissionableMinor',
  'baseRateBp',
  'baseMinor',
  'upliftRateBp',
  'upliftMinor',
  'upliftState',
  'cappedMinor',
  'amountMinor',
  'reason',
];

/**
 * Settlement batches: per partner and period, the approved commissions of orders paid before the
 * period's end that no batch holds yet, and the open adjustments, copied as lines with their orders.
 * Under the partner's tier minimum payout the batch is `carried` (it binds nothing; the next period
 * takes it all). Confirmed batches are immutable (a trigger enforces it); a payout marks them paid.
 */
@Injectable()
export class PartnerSettlementsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, dto: PartnerSettlementCreateDto): Promise<SettlementStatement> {
    const [brand]: Array<{ time_zone: string; currency: string }> = await this.ds.query(
      `SELECT time_zone, currency FROM brands WHERE id = $1`,
      [actor.brandId],
    );
    const { from, to } = period(dto, brand.time_zone);
    return this.ds.transaction(async (m) => {
      const partner = await this.lockPartner(m, actor.brandId, dto.partnerId);
      // Under the partner's lock: a batch (not carried) whose period overlaps this one is refused.
      const [overlap]: Array<{ id: string }> = await m.query(
        `SELECT id FROM partner_settlements
          WHERE partner_id = $1 AND status <> 'carried' AND period_from < $3 AND period_to > $2 LIMIT 1`,
        [partner.id, from, to],
      );
      if (overlap) throw PartnerException.settlementExists(overlap.id);
      const [min]: Array<{ min_payout_minor: string }> = await m.query(
        `SELECT ts.min_payout_minor::text FROM ${TIER_SETTINGS_SQL} ts WHERE ts.brand_id = $1 AND ts.tier = $2`,
        [actor.brandId, partner.tier ?? 'pilot'],
      );
      const [sums]: Array<{ commissions: string; adjustments: string; lines: number }> = await m.query(
        `SELECT (SELECT coalesce(sum(amount_minor), 0) FROM partner_commissions
                  WHERE partner_id = $1 AND status = 'approved' AND settlement_id IS NULL AND order_paid_at < $2)::text AS commissions,
                (SELECT coalesce(sum(amount_minor), 0) FROM partner_adjustments
                  WHERE partner_id = $1 AND settlement_id IS NULL AND created_at < $2)::text AS adjustments,
                ((SELECT count(*) FROM partner_commissions
                   WHERE partner_id = $1 AND status = 'approved' AND settlement_id IS NULL AND order_paid_at < $2)
                 + (SELECT count(*) FROM partner_adjustments WHERE partner_id = $1 AND settlement_id IS NULL AND created_at < $2))::int AS lines`,
        [partner.id, to],
      );
      const total = BigInt(sums.commissions) + BigInt(sums.adjustments);
      const carried = total < BigInt(min.min_payout_minor) || sums.lines === 0;
      const repo = m.getRepository(PartnerSettlement);
      const s = await repo.save(
        repo.create({
          brandId: actor.brandId,
          partnerId: partner.id,
          periodFrom: from,
          periodTo: to,
          currency: brand.currency,
          status: carried ? 'carried' : 'draft',
          commissionsMinor: sums.commissions,
          adjustmentsMinor: sums.adjustments,
          totalMinor: total.toString(),
          minPayoutMinor: min.min_payout_minor,
          lineCount: carried ? 0 : sums.lines,
          createdById: actor.actorId,
        }),
      );
      if (!carried) await this.bindLines(m, s, to);
      await this.audit.record(m, actor, {
        action: carried ? 'partner_settlement.carried' : 'partner_settlement.created',
        entityType: 'partner_settlement',
        entityId: s.id,
        after: {
          partnerId: partner.id,
          periodFrom: from.toISOString(),
          periodTo: to.toISOString(),
          commissionsMinor: s.commissionsMinor,
          adjustmentsMinor: s.adjustmentsMinor,
          totalMinor: s.totalMinor,
          minPayoutMinor: s.minPayoutMinor,
          lines: s.lineCount,
        },
      });
      return { settlement: s, lines: await this.lines(m, s.id) };
    });
  }

  /** Copies the commissions and adjustments into lines (with their orders) and binds them to the batch. */
  private async bindLines(m: EntityManager, s: PartnerSettlement, to: Date): Promise<void> {
    await m.query(
      `WITH c AS (
         UPDATE partner_commissions SET settlement_id = $2, updated_at = now()
          WHERE partner_id = $1 AND status = 'approved' AND settlement_id IS NULL AND order_paid_at < $3
         RETURNING *)
       INSERT INTO partner_settlement_lines (settlement_id, brand_id, kind, commission_id, adjustment_id, order_id, order_source,
              order_external_id, order_paid_at, commissionable_minor, base_rate_bp, base_minor, uplift_rate_bp, uplift_minor,
              uplift_state, capped_minor, amount_minor, reason)
       SELECT $2, c.brand_id, 'commission', c.id, NULL, c.order_id, o.source, o.external_id, c.order_paid_at,
              c.commissionable_minor, c.base_rate_bp, c.base_minor, c.uplift_rate_bp, c.uplift_minor, c.uplift_state,
              c.capped_minor, c.amount_minor, NULL
         FROM c JOIN orders o ON o.id = c.order_id
        ORDER BY c.order_paid_at, c.id`,
      [s.partnerId, s.id, to],
    );
    await m.query(
      `WITH a AS (
         UPDATE partner_adjustments SET settlement_id = $2
          WHERE partner_id = $1 AND settlement_id IS NULL AND created_at < $3
         RETURNING *)
       INSERT INTO partner_settlement_lines (settlement_id, brand_id, kind, commission_id, adjustment_id, order_id, order_source,
              order_external_id, order_paid_at, commissionable_minor, base_rate_bp, base_minor, uplift_rate_bp, uplift_minor,
              uplift_state, capped_minor, amount_minor, reason)
       SELECT $2, a.brand_id, 'adjustment', a.commission_id, a.id, a.order_id, o.source, o.external_id, c.order_paid_at,
              c.commissionable_minor, c.base_rate_bp, c.base_minor, c.uplift_rate_bp, c.uplift_minor, c.uplift_state,
              c.capped_minor, a.amount_minor, a.reason
         FROM a JOIN partner_commissions c ON c.id = a.commission_id JOIN orders o ON o.id = a.order_id
        ORDER BY a.created_at, a.id`,
      [s.partnerId, s.id, to],
    );
  }

  async confirm(actor: Actor, id: string): Promise<SettlementStatement> {
    return this.ds.transaction(async (m) => {
      const s = await this.lockSettlement(m, actor.brandId, id);
      if (s.status !== 'draft') throw PartnerException.settlementState('confirm', s.status, ['draft']);
      await m.query(
        `UPDATE partner_settlements SET status = 'confirmed', confirmed_at = now(), updated_at = now() WHERE id = $1`,
        [s.id],
      );
      await this.audit.record(m, actor, {
        action: 'partner_settlement.confirmed',
        entityType: 'partner_settlement',
        entityId: s.id,
        before: { status: 'draft' },
        after: { status: 'confirmed', totalMinor: s.totalMinor, lines: s.lineCount },
      });
      return {
        settlement: await this.lockSettlement(m, actor.brandId, id),
        lines: await this.lines(m, s.id),
      };
    });
  }

  /** Records the payout of a confirmed batch: it and its commissions are paid. */
  async recordPayout(actor: Actor, id: string, dto: PartnerPayoutRecordDto): Promise<SettlementStatement> {
    const paidAt = dto.paidAt ? new Date(dto.paidAt) : new Date();
    if (paidAt.getTime() > Date.now() + 60_000)
      throw new ValidationException([{ field: 'paidAt', message: 'must not be in the future' }]);
    return this.ds.transaction(async (m) => {
      const s = await this.lockSettlement(m, actor.brandId, id);
      if (s.status !== 'confirmed')
        throw PartnerException.settlementState('record a payout for', s.status, ['confirmed']);
      await m.query(
        `UPDATE partner_settlements SET status = 'paid', paid_at = $2, payout_reference = $3, updated_at = now() WHERE id = $1`,
        [s.id, paidAt, dto.reference.trim()],
      );
      const [paid]: [unknown[], number] = await m.query(
        `UPDATE partner_commissions SET status = 'paid', paid_at = $2, updated_at = now()
          WHERE settlement_id = $1 AND status = 'approved' RETURNING id`,
        [s.id, paidAt],
      );
      await this.audit.record(m, actor, {
        action: 'partner_settlement.paid',
        entityType: 'partner_settlement',
        entityId: s.id,
        before: { status: 'confirmed' },
        after: {
          status: 'paid',
          paidAt: paidAt.toISOString(),
          reference: dto.reference.trim(),
          commissions: paid.length,
        },
      });
      return {
        settlement: await this.lockSettlement(m, actor.brandId, id),
        lines: await this.lines(m, s.id),
      };
    });
  }

  async get(brandId: string, id: string): Promise<SettlementStatement> {
    const s = UUID_RE.test(id)
      ? await this.ds.getRepository(PartnerSettlement).findOneBy({ brandId, id })
      : null;
    if (!s) throw PartnerException.settlementNotFound(id);
    return { settlement: s, lines: await this.lines(this.ds.manager, s.id) };
  }

  async list(brandId: string, q: PartnerSettlementQueryDto): Promise<Page<PartnerSettlement>> {
    const qb = newestFirstQuery(this.ds.getRepository(PartnerSettlement), 's', brandId, q);
    if (q.partnerId) qb.andWhere('s.partner_id = :partnerId', { partnerId: q.partnerId });
    return newestFirstPage(qb, q.limit);
  }

  /** The statement as CSV: one row per line, with the order each figure comes from, and a total row. */
  async csv(brandId: string, id: string): Promise<string> {
    const { settlement: s, lines } = await this.get(brandId, id);
    const rows: unknown[][] = [CSV_COLUMNS.map((c) => snake(c))];
    for (const l of lines)
      rows.push(CSV_COLUMNS.map((c) => (l[c] instanceof Date ? (l[c] as Date).toISOString() : (l[c] ?? ''))));
    rows.push(['total', '', '', '', '', '', '', '', '', '', '', '', '', '', s.totalMinor, s.status]);
    return stringify(rows);
  }

  private lines(m: EntityManager, settlementId: string): Promise<PartnerSettlementLine[]> {
    return m.getRepository(PartnerSettlementLine).find({ where: { settlementId }, order: { id: 'ASC' } });
  }

  private async lockSettlement(m: EntityManager, brandId: string, id: string): Promise<PartnerSettlement> {
    const s = UUID_RE.test(id)
      ? await m
          .getRepository(PartnerSettlement)
          .createQueryBuilder('s')
          .setLock('pessimistic_write')
          .where('s.brand_id = :brandId AND s.id = :id', { brandId, id })
          .getOne()
      : null;
    if (!s) throw PartnerException.settlementNotFound(id);
    return s;
  }

  private async lockPartner(m: EntityManager, brandId: string, id: string): Promise<Partner> {
    const p = await m
      .getRepository(Partner)
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where('p.brand_id = :brandId AND p.id = :id', { brandId, id })
      .getOne();
    // The partner is named in the body: another brand's id is a field that names nothing of ours.
    if (!p) throw PartnerException.notFound(id);
    return p;
  }
}

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The period: the given dates (brand zone, `to` exclusive), or else last calendar month. */
function period(dto: PartnerSettlementCreateDto, zone: string): { from: Date; to: Date } {
  const now = DateTime.now().setZone(zone);
  const parse = (v: string, field: string) => {
    const d = DateTime.fromISO(v, { zone });
    if (!d.isValid) throw new ValidationException([{ field, message: 'is not a calendar date' }]);
    return d;
  };
  const from = dto.from ? parse(dto.from, 'from') : now.startOf('month').minus({ months: 1 });
  const to = dto.to ? parse(dto.to, 'to') : dto.from ? from.plus({ months: 1 }) : now.startOf('month');
  if (to <= from) throw new ValidationException([{ field: 'to', message: 'must be after from' }]);
  if (to.diff(from, 'days').days > 366)
    throw new ValidationException([{ field: 'to', message: 'the period may span at most 366 days' }]);
  return { from: from.toJSDate(), to: to.toJSDate() };
}
