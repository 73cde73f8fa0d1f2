import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, NotFoundException, Page, toPage } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { MemberTierResponseDto, TierChangeResponseDto, TierRefDto } from './dto/member-tier-response.dto';
import { graceEnd, windowStart } from './tier-time';
import { TierChangeReason } from './tiers.constants';
import { changeFrom, TierChangeRow, TierRecord, TiersRepository } from './tiers.repository';

export interface TierChangeFilter {
  memberId?: string;
  tierId?: string;
  reason?: TierChangeReason;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

const HISTORY_LIMIT = 50;

export function changeDto(c: TierChangeRow): TierChangeResponseDto {
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    id: c.id,
    memberId: c.memberId,
    fromTierId: c.fromTierId,
    toTierId: c.toTierId,
    fromName: typeof c.data.fromName === 'string' ? c.data.fromName : null,
    fromRank: num(c.data.fromRank),
    toName: String(c.data.toName ?? ''),
    toRank: Number(c.data.toRank),
    reason: c.reason,
    data: c.data,
    at: c.at,
  };
}

const ref = (t: TierRecord): TierRefDto => ({ id: t.id, name: t.name, rank: t.rank, threshold: t.threshold });

/** A member's tier, progress and history; the brand's change log. */
@Injectable()
export class TierHistoryService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: TiersRepository,
  ) {}

  async memberTier(brandId: string, memberId: string, at = new Date()): Promise<MemberTierResponseDto> {
    const [member]: Array<{ id: string }> = await this.ds.query(
      `SELECT id FROM members WHERE brand_id = $1 AND id = $2`,
      [brandId, memberId],
    );
    if (!member) throw new NotFoundException('member', memberId);
    const [ladder, tiers, rows, history] = await Promise.all([
      this.repo.ladder(brandId),
      this.repo.tiers(brandId),
      this.ds.query(
        `SELECT tier_id, since, below_since FROM member_tiers WHERE brand_id = $1 AND member_id = $2`,
        [brandId, memberId],
      ) as Promise<Array<{ tier_id: string; since: Date; below_since: Date | null }>>,
      this.ds.query(
        `SELECT * FROM tier_changes WHERE brand_id = $1 AND member_id = $2 ORDER BY at DESC, id DESC LIMIT $3`,
        [brandId, memberId, HISTORY_LIMIT],
      ) as Promise<Record<string, unknown>[]>,
    ]);
    const row = rows[0];
    const tier = row ? (tiers.find((t) => t.id === row.tier_id) ?? null) : null;
    let progress: MemberTierResponseDto['progress'] = null;
    if (ladder && tiers.length > 0) {
      const start = windowStart(at, ladder.timeZone, ladder.windowDays);
      const value = (await this.repo.values(brandId, ladder.basis, start, [memberId])).get(memberId) ?? '0';
      const v = BigInt(value);
      const qualifies = [...tiers].reverse().find((t) => BigInt(t.threshold) <= v) ?? null;
      const next = tier ? (tiers.find((t) => t.rank === tier.rank + 1) ?? null) : null;
      const from = BigInt(tier?.threshold ?? '0');
      const span = next ? BigInt(next.threshold) - from : 0n;
      progress = {
        basis: ladder.basis,
        windowDays: ladder.windowDays,
        windowStart: start,
        value,
        qualifiesFor: qualifies ? ref(qualifies) : null,
        next: next ? ref(next) : null,
        remainingToNext: next ? String(v >= BigInt(next.threshold) ? 0n : BigInt(next.threshold) - v) : null,
        percentToNext:
          next && span > 0n ? Math.max(0, Math.min(100, Number(((v - from) * 10_000n) / span) / 100)) : null,
      };
    }
    return {
      memberId,
      tier: tier ? ref(tier) : null,
      since: row?.since ?? null,
      belowSince: row?.below_since ?? null,
      graceEndsAt:
        row?.below_since && ladder ? graceEnd(row.below_since, ladder.timeZone, ladder.graceDays) : null,
      progress,
      history: history.map((r) => changeDto(changeFrom(r))),
    };
  }

  /** The brand's tier changes, newest first, keyset-paginated on (at, id). */
  async changes(brandId: string, f: TierChangeFilter): Promise<Page<TierChangeResponseDto>> {
    const params: unknown[] = [brandId];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['c.brand_id = $1'];
    if (f.memberId) where.push(`c.member_id = ${p(f.memberId)}`);
    if (f.tierId) {
      const t = p(f.tierId);
      where.push(`(c.to_tier_id = ${t} OR c.from_tier_id = ${t})`);
    }
    if (f.reason) where.push(`c.reason = ${p(f.reason)}`);
    if (f.from) where.push(`c.at >= ${p(f.from)}`);
    if (f.to) where.push(`c.at < ${p(f.to)}`);
    const after = decodeCursor(f.cursor, 2) as [string, string] | null;
    if (after) where.push(`(c.at, c.id) < (${p(after[0])}::timestamptz, ${p(after[1])}::bigint)`);
    const rows: Record<string, unknown>[] = await this.ds.query(
      `SELECT c.*, c.at::text AS cursor_at FROM tier_changes c
        WHERE ${where.join(' AND ')}
        ORDER BY c.at DESC, c.id DESC LIMIT ${p(f.limit + 1)}`,
      params,
    );
    return toPage(
      rows,
      f.limit,
      (r) => [r.cursor_at as string, String(r.id)],
      (r) => changeDto(changeFrom(r)),
    );
  }
}
