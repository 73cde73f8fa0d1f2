import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AuditService,
  Page,
  newestFirstPage,
  newestFirstQuery,
  systemActor,
  ValidationException,
} from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { ADD_UNCAPPED_UPLIFT_SQL, capSql } from '../commissions/commission-sql';
import type { PartnerUpliftCreateDto, PartnerUpliftQueryDto } from '../dto/partner-uplift.dto';
import { PartnerUplift } from '../entities/partner-uplift.entity';
import { UUID_RE } from '../partners-core.constants';
import { PartnerException } from '../partners.errors';

interface PartnerKpis {
  partner_id: string;
  orders: number;
  gmv: string;
  new_buyers: number;
}

export interface UpliftOutcome {
  upliftId: string;
  partnerId: string;
  released: boolean;
  orders: number;
  gmvMinor: string;
  newBuyerShareBp: number;
}

/**
 * Incentive uplifts: created by marketers, accrued as `gated` on commissions, and judged once their
 * window has closed, partner by partner: all gates met releases the uplift (into the amount owed,
 * within the month's cap, or as a positive adjustment on the next settlement where the commission
 * was settled already), else it is forfeited.
 */
@Injectable()
export class PartnerUpliftsService {
  private readonly logger = new Logger(PartnerUpliftsService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, dto: PartnerUpliftCreateDto): Promise<PartnerUplift> {
    if ((dto.partnerId === undefined) === (dto.tier === undefined))
      throw new ValidationException([
        { field: 'partnerId', message: 'give either partnerId or tier (one of them)' },
      ]);
    const startsAt = new Date(dto.startsAt);
    const endsAt = new Date(dto.endsAt);
    if (endsAt <= startsAt)
      throw new ValidationException([{ field: 'endsAt', message: 'must be after startsAt' }]);
    return this.ds.transaction(async (m) => {
      if (dto.partnerId) {
        const [p]: unknown[] = await m.query(`SELECT 1 FROM partners WHERE brand_id = $1 AND id = $2`, [
          actor.brandId,
          dto.partnerId,
        ]);
        if (!p)
          throw PartnerException.invalid([{ field: 'partnerId', message: 'is not a partner of this brand' }]);
      }
      const repo = m.getRepository(PartnerUplift);
      const u = await repo.save(
        repo.create({
          brandId: actor.brandId,
          name: dto.name.trim(),
          partnerId: dto.partnerId ?? null,
          tier: dto.tier ?? null,
          rateBp: dto.rateBp,
          startsAt,
          endsAt,
          skus: dto.skus ?? [],
          categories: dto.categories ?? [],
          minOrders: dto.minOrders ?? null,
          minGmvMinor: dto.minGmvMinor !== undefined ? BigInt(dto.minGmvMinor).toString() : null,
          minNewBuyerShareBp: dto.minNewBuyerShareBp ?? null,
          createdById: actor.actorId,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'partner_uplift.created',
        entityType: 'partner_uplift',
        entityId: u.id,
        after: { ...u, brand: undefined },
      });
      return u;
    });
  }

  async get(brandId: string, id: string): Promise<PartnerUplift> {
    const u = UUID_RE.test(id) ? await this.ds.getRepository(PartnerUplift).findOneBy({ brandId, id }) : null;
    if (!u) throw PartnerException.upliftNotFound(id);
    return u;
  }

  async list(brandId: string, q: PartnerUpliftQueryDto): Promise<Page<PartnerUplift>> {
    const qb = newestFirstQuery(this.ds.getRepository(PartnerUplift), 'u', brandId, q);
    if (q.partnerId) qb.andWhere('u.partner_id = :partnerId', { partnerId: q.partnerId });
    return newestFirstPage(qb, q.limit);
  }

  /** The scheduled close: every uplift whose window has passed, each in its own transaction. */
  async closeDue(): Promise<UpliftOutcome[]> {
    const out: UpliftOutcome[] = [];
    for (;;) {
      const batch = await this.ds.transaction(async (m) => {
        const [u]: Array<{ id: string }> = await m.query(
          `SELECT id FROM partner_uplifts WHERE closed_at IS NULL AND ends_at <= now()
            ORDER BY ends_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
        );
        return u ? this.close(m, u.id) : null;
      });
      if (batch === null) break;
      out.push(...batch);
    }
    return out;
  }

  /** Judges one uplift (its row locked by the caller) partner by partner, then marks it closed. */
  private async close(m: EntityManager, upliftId: string): Promise<UpliftOutcome[]> {
    const u = await m.getRepository(PartnerUplift).findOneByOrFail({ id: upliftId });
    const kpis: PartnerKpis[] = await m.query(
      `SELECT c.partner_id, count(*)::int AS orders, coalesce(sum(c.commissionable_minor), 0)::text AS gmv,
              (count(*) FILTER (WHERE NOT o.is_repurchase))::int AS new_buyers
         FROM partner_commissions c JOIN orders o ON o.id = c.order_id
        WHERE c.brand_id = $1 AND c.status NOT IN ('reversed', 'rejected')
          AND c.order_paid_at >= $2 AND c.order_paid_at < $3
          AND c.partner_id IN (SELECT DISTINCT partner_id FROM partner_commissions WHERE uplift_id = $4)
        GROUP BY c.partner_id`,
      [u.brandId, u.startsAt, u.endsAt, u.id],
    );
    const gated: Array<{ partner_id: string }> = await m.query(
      `SELECT DISTINCT partner_id FROM partner_commissions WHERE uplift_id = $1 AND uplift_state = 'gated'`,
      [u.id],
    );
    const outcomes: UpliftOutcome[] = [];
    const actor = systemActor(u.brandId);
    for (const { partner_id: partnerId } of gated) {
      const k = kpis.find((x) => x.partner_id === partnerId) ?? {
        partner_id: partnerId,
        orders: 0,
        gmv: '0',
        new_buyers: 0,
      };
      const shareBp = k.orders === 0 ? 0 : Math.floor((k.new_buyers * 10_000) / k.orders);
      const released =
        k.orders >= (u.minOrders ?? 0) &&
        BigInt(k.gmv) >= BigInt(u.minGmvMinor ?? '0') &&
        (u.minNewBuyerShareBp === null || k.new_buyers * 10_000 >= u.minNewBuyerShareBp * k.orders);
      if (released) await this.release(m, u.id, partnerId);
      // Forfeited: the gates were missed; and a reversed or rejected commission's uplift is never owed.
      await m.query(
        `UPDATE partner_commissions SET uplift_state = 'forfeited', updated_at = now()
          WHERE uplift_id = $1 AND partner_id = $2 AND uplift_state = 'gated'`,
        [u.id, partnerId],
      );
      const outcome = {
        upliftId: u.id,
        partnerId,
        released,
        orders: k.orders,
        gmvMinor: k.gmv,
        newBuyerShareBp: shareBp,
      };
      outcomes.push(outcome);
      await this.audit.record(m, actor, {
        action: released ? 'partner_uplift.released' : 'partner_uplift.forfeited',
        entityType: 'partner',
        entityId: partnerId,
        after: {
          ...outcome,
          gates: {
            minOrders: u.minOrders,
            minGmvMinor: u.minGmvMinor,
            minNewBuyerShareBp: u.minNewBuyerShareBp,
          },
          window: { from: u.startsAt.toISOString(), to: u.endsAt.toISOString() },
        },
      });
    }
    await m.query(`UPDATE partner_uplifts SET closed_at = now() WHERE id = $1`, [u.id]);
    await this.audit.record(m, actor, {
      action: 'partner_uplift.closed',
      entityType: 'partner_uplift',
      entityId: u.id,
      after: { partners: outcomes.length, released: outcomes.filter((o) => o.released).length },
    });
    return outcomes;
  }

  /** Gates met: unsettled commissions take the uplift into what is owed (within the cap); settled ones get an adjustment. */
  private async release(m: EntityManager, upliftId: string, partnerId: string): Promise<void> {
    const [open]: [Array<{ id: string }>, number] = await m.query(
      `UPDATE partner_commissions SET uplift_state = 'released', updated_at = now()
        WHERE uplift_id = $1 AND partner_id = $2 AND uplift_state = 'gated' AND settlement_id IS NULL
          AND status IN ('pending', 'approved', 'held')
        RETURNING id`,
      [upliftId, partnerId],
    );
    if (open.length > 0) {
      const ids = open.map((r) => r.id);
      await m.query(ADD_UNCAPPED_UPLIFT_SQL, [ids]);
      await m.query(capSql('uplift'), [ids]);
    }
    await m.query(
      `WITH s AS (
         UPDATE partner_commissions SET uplift_state = 'released', updated_at = now()
          WHERE uplift_id = $1 AND partner_id = $2 AND uplift_state = 'gated'
            AND (settlement_id IS NOT NULL OR status = 'paid') AND uplift_minor > 0
         RETURNING id, brand_id, partner_id, order_id, currency, uplift_minor)
       INSERT INTO partner_adjustments (brand_id, partner_id, commission_id, order_id, currency, amount_minor, reason)
       SELECT brand_id, partner_id, id, order_id, currency, uplift_minor, 'uplift_released_after_settlement' FROM s`,
      [upliftId, partnerId],
    );
  }
}
