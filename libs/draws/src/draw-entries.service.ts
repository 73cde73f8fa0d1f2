import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { groupMembershipSql } from '@siyu/communities';
import { DomainException, FieldError } from '@siyu/platform';
import { SegmentQueryService, SegmentsService } from '@siyu/segments';
import { DataSource, EntityManager } from 'typeorm';
import { roll } from './draw-fairness';
import { DrawPrizeFulfilment, DrawPrizeRegistry } from './draw-prize.registry';
import { DrawTables, TablePrize } from './draw-table';
import type { DrawStatus, EntryOutcome, FallbackReason } from './draws.constants';
import { DrawException } from './draws.errors';
import type { DrawEligibility } from './entities/draw.entity';

/** Who enters: the member themself (member token) or an operator / API client for a member. */
export interface EntryCaller {
  brandId: string;
  actorType: 'member' | 'operator' | 'api_key' | 'system';
  actorId: string | null;
}

export interface EntryResult {
  id: string;
  drawId: string;
  memberId: string;
  createdAt: Date;
  localDay: string;
  slot: number | null;
  outcome: EntryOutcome;
  prize: Pick<TablePrize, 'id' | 'name' | 'kind' | 'note'> | null;
  fallbackReason: FallbackReason | null;
  coupon: { id: string; code: string | null } | null;
  detail: string | null;
}

interface DrawHead {
  status: DrawStatus;
  starts_at: Date;
  ends_at: Date;
  limit_total: number | null;
  limit_per_day: number | null;
  eligibility: DrawEligibility;
  local_day: string;
  member_found: boolean;
  erased: boolean;
  merged: boolean;
}

/**
 * One entry, in one transaction: the draw is open (its row held FOR KEY SHARE, so a close waits for
 * entries in flight), the member is the brand's and eligible (checked in SQL for that member), the
 * per-member counters move by conditional upserts, the roll is HMAC(seed, entry id) on the fixed
 * table, a prize with stock takes one unit by a conditional UPDATE (none left: the fallback), a won
 * coupon is issued through the registry's fulfiller, and the entry row records all of it.
 */
@Injectable()
export class DrawEntriesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly tables: DrawTables,
    private readonly registry: DrawPrizeRegistry,
    private readonly segments: SegmentsService,
    private readonly segmentQuery: SegmentQueryService,
  ) {}

  async enter(
    caller: EntryCaller,
    drawId: string,
    memberId: string,
    at: Date = new Date(),
  ): Promise<EntryResult> {
    return this.ds.transaction(async (m) => {
      const [head]: DrawHead[] = await m.query(
        `SELECT d.status, d.starts_at, d.ends_at, d.limit_total, d.limit_per_day, d.eligibility,
                to_char($3::timestamptz AT TIME ZONE b.time_zone, 'YYYY-MM-DD') AS local_day,
                (mb.id IS NOT NULL) AS member_found,
                (mb.erased_at IS NOT NULL) AS erased,
                (mb.merged_into IS NOT NULL) AS merged
           FROM draws d
           JOIN brands b ON b.id = d.brand_id
           LEFT JOIN members mb ON mb.id = $4 AND mb.brand_id = d.brand_id
          WHERE d.id = $1 AND d.brand_id = $2
            FOR KEY SHARE OF d`,
        [drawId, caller.brandId, at, memberId],
      );
      if (!head || (head.status === 'draft' && caller.actorType === 'member'))
        throw DrawException.notFound(drawId);
      if (head.status === 'draft') throw DrawException.invalidState('enter', 'draft', ['open']);
      if (head.status === 'closed' || at.getTime() >= head.ends_at.getTime()) throw DrawException.closed();
      if (at.getTime() < head.starts_at.getTime()) throw DrawException.notOpen(head.starts_at);
      if (!head.member_found) throw DrawException.memberNotFound(memberId);
      if (head.erased || head.merged)
        throw DrawException.memberInactive(memberId, head.erased ? 'erased' : 'merged');

      await this.checkEligibility(m, caller.brandId, memberId, head.eligibility);
      await this.count(m, caller.brandId, drawId, memberId, 'total', head.limit_total, 'limitTotal');
      await this.count(
        m,
        caller.brandId,
        drawId,
        memberId,
        head.local_day,
        head.limit_per_day,
        'limitPerDay',
      );

      const table = await this.tables.get(drawId, m);
      const id = randomUUID();
      const rolled = roll(table.seed, id, table.weights);
      const prize = rolled.slot < table.prizes.length ? table.prizes[rolled.slot] : null;
      const result: EntryResult = {
        id,
        drawId,
        memberId,
        createdAt: at,
        localDay: head.local_day,
        slot: prize ? prize.position : null,
        outcome: 'fallback',
        prize: null,
        fallbackReason: 'drawn',
        coupon: null,
        detail: null,
      };
      if (prize) await this.award(m, caller.brandId, prize, result);
      await m.query(
        `INSERT INTO draw_entries (id, draw_id, brand_id, member_id, created_at, local_day, slot, outcome, prize_id,
                                   fallback_reason, coupon_id, coupon_code, detail, actor_type, actor_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
        [
          id,
          drawId,
          caller.brandId,
          memberId,
          at,
          head.local_day,
          result.slot,
          result.outcome,
          result.prize?.id ?? null,
          result.fallbackReason,
          result.coupon?.id ?? null,
          result.coupon?.code ?? null,
          result.detail,
          caller.actorType,
          caller.actorId,
        ],
      );
      return result;
    });
  }

  /** Takes a unit of stock (conditional UPDATE) and issues the prize; else the entry keeps the fallback. */
  private async award(
    m: EntityManager,
    brandId: string,
    prize: TablePrize,
    result: EntryResult,
  ): Promise<void> {
    if (prize.stock !== null) {
      const [rows]: [Array<{ remaining: number }>, number] = await m.query(
        `UPDATE draw_prizes SET remaining = remaining - 1 WHERE id = $1 AND remaining > 0 RETURNING remaining`,
        [prize.id],
      );
      if (rows.length === 0) {
        result.fallbackReason = 'out_of_stock';
        return;
      }
    }
    if (prize.kind === 'coupon') {
      const fulfilment = await this.fulfil(m, brandId, result, prize);
      if (!fulfilment.ok) {
        if (prize.stock !== null)
          await m.query(`UPDATE draw_prizes SET remaining = remaining + 1 WHERE id = $1`, [prize.id]);
        result.fallbackReason = 'prize_unavailable';
        result.detail = (fulfilment.reason ?? 'the prize could not be issued').slice(0, 200);
        return;
      }
      result.coupon = { id: fulfilment.couponId ?? '', code: fulfilment.code ?? null };
      if (!fulfilment.couponId) result.coupon = null;
    }
    result.outcome = 'won';
    result.fallbackReason = null;
    result.prize = { id: prize.id, name: prize.name, kind: prize.kind, note: prize.note };
  }

  /** The coupon, issued in the entry's transaction behind a savepoint (a refusal writes nothing). */
  private async fulfil(
    m: EntityManager,
    brandId: string,
    result: EntryResult,
    prize: TablePrize,
  ): Promise<DrawPrizeFulfilment> {
    const fulfiller = this.registry.get('coupon');
    if (!fulfiller || !prize.couponTemplateId)
      return { ok: false, reason: 'no coupon fulfiller is installed' };
    await m.query('SAVEPOINT draw_prize');
    let outcome: DrawPrizeFulfilment;
    try {
      outcome = await fulfiller.fulfil(m, {
        brandId,
        drawId: result.drawId,
        entryId: result.id,
        memberId: result.memberId,
        templateId: prize.couponTemplateId,
      });
    } catch (err) {
      await m.query('ROLLBACK TO SAVEPOINT draw_prize');
      if (err instanceof DomainException) return { ok: false, reason: err.code };
      throw err;
    }
    await m.query(outcome.ok ? 'RELEASE SAVEPOINT draw_prize' : 'ROLLBACK TO SAVEPOINT draw_prize');
    return outcome;
  }

  /** 403 naming each condition the member does not meet, decided in one SQL statement. */
  private async checkEligibility(
    m: EntityManager,
    brandId: string,
    memberId: string,
    e: DrawEligibility,
  ): Promise<void> {
    if (!e.tierIds && !e.segmentId && !e.groupIds) return;
    const params: unknown[] = [memberId, brandId];
    const cols: string[] = [];
    if (e.tierIds) {
      params.push(e.tierIds);
      cols.push(`EXISTS (SELECT 1 FROM member_tiers mt WHERE mt.member_id = mb.id AND mt.brand_id = mb.brand_id
                    AND mt.tier_id = ANY($${params.length}::uuid[])) AS tier_ok`);
    }
    if (e.groupIds) cols.push(`${groupMembershipSql('mb', params, { groupIds: e.groupIds })} AS group_ok`);
    if (e.segmentId) {
      const segment = await this.segments.get(brandId, e.segmentId).catch((err: unknown) => {
        if (err instanceof DomainException && err.status === 404) return null;
        throw err;
      });
      if (segment) {
        const prepared = await this.segments.prepareSaved(segment, m);
        cols.push(
          `EXISTS (SELECT 1 ${this.segmentQuery.from(prepared, params)} AND m.id = $1::uuid) AS segment_ok`,
        );
      } else cols.push(`false AS segment_ok`);
    }
    const [row]: Array<{ tier_ok?: boolean; group_ok?: boolean; segment_ok?: boolean }> = await m.query(
      `SELECT ${cols.join(', ')} FROM members mb WHERE mb.id = $1::uuid AND mb.brand_id = $2::uuid`,
      params,
    );
    const errors: FieldError[] = [];
    if (row.tier_ok === false)
      errors.push({ field: 'eligibility.tierIds', message: "the member's tier is not one the draw admits" });
    if (row.segment_ok === false)
      errors.push({ field: 'eligibility.segmentId', message: "the member is not in the draw's segment" });
    if (row.group_ok === false)
      errors.push({ field: 'eligibility.groupIds', message: "the member is not in the draw's group chats" });
    if (errors.length > 0) throw DrawException.notEligible(errors);
  }

  /** +1 on the member's counter for `period`, unless it is at `limit` (then 409, and nothing moved). */
  private async count(
    m: EntityManager,
    brandId: string,
    drawId: string,
    memberId: string,
    period: string,
    limit: number | null,
    field: 'limitTotal' | 'limitPerDay',
  ): Promise<void> {
    if (limit === null) return;
    const rows: Array<{ n: number }> = await m.query(
      `INSERT INTO draw_member_counts (draw_id, member_id, period, brand_id, n) VALUES ($1, $2, $3, $4, 1)
       ON CONFLICT (draw_id, member_id, period)
       DO UPDATE SET n = draw_member_counts.n + 1 WHERE draw_member_counts.n < $5
       RETURNING n`,
      [drawId, memberId, period, brandId, limit],
    );
    if (rows.length === 0) throw DrawException.limit(field, limit, period);
  }
}
