import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, Page, toPage } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { DrawTables } from './draw-table';
import type { DrawState, EntryOutcome, FallbackReason, PrizeKind } from './draws.constants';
import { DrawException } from './draws.errors';
import { DrawsService } from './draws.service';

/** A ratio as a decimal string with 6 places (weights are exact integers; this is for people). */
const ratio = (num: number, den: number) => (den > 0 ? (num / den).toFixed(6) : '0.000000');

export const FAIRNESS_SCHEME = {
  commitment: 'SHA-256(seed), hex; published when the draw is published, before it opens',
  seed: '32 bytes from a CSPRNG, hex; revealed once the draw is closed',
  mac: 'HMAC-SHA256(key = seed bytes, message = entry id as lowercase UUID text, UTF-8)',
  mapping:
    'r = MAC read as an unsigned big-endian 256-bit integer mod totalWeight; the slot is the first i with r < weights[0] + … + weights[i]',
  table: 'slots 0…n-1 are the prizes in position order, slot n is the fallback (its weight may be 0)',
  stock:
    'an entry whose slot is a prize with no stock left gets the fallback (fallbackReason out_of_stock): an exhausted prize’s share falls to the fallback',
} as const;

export interface DrawPrizeStats {
  id: string;
  position: number;
  name: string;
  kind: PrizeKind;
  stock: number | null;
  remaining: number | null;
  won: number;
  outOfStock: number;
  unavailable: number;
}

export interface DrawStats {
  drawId: string;
  state: DrawState;
  entries: number;
  entrants: number;
  winners: number;
  fallback: { name: string; drawn: number; outOfStock: number; prizeUnavailable: number };
  prizes: DrawPrizeStats[];
}

export interface EntryView {
  id: string;
  memberId: string;
  createdAt: Date;
  localDay: string;
  slot: number | null;
  outcome: EntryOutcome;
  prize: { id: string; name: string; kind: PrizeKind } | null;
  fallbackReason: FallbackReason | null;
  coupon: { id: string; code: string | null } | null;
  detail: string | null;
  actorType: string;
}

interface EntryRow {
  id: string;
  member_id: string;
  created_at: Date;
  local_day: string;
  slot: number | null;
  outcome: EntryOutcome;
  prize_id: string | null;
  prize_name: string | null;
  prize_kind: PrizeKind | null;
  fallback_reason: FallbackReason | null;
  coupon_id: string | null;
  coupon_code: string | null;
  detail: string | null;
  actor_type: string;
}

const toEntry = (r: EntryRow): EntryView => ({
  id: r.id,
  memberId: r.member_id,
  createdAt: r.created_at,
  localDay: r.local_day,
  slot: r.slot,
  outcome: r.outcome,
  prize: r.prize_id ? { id: r.prize_id, name: r.prize_name ?? '', kind: r.prize_kind as PrizeKind } : null,
  fallbackReason: r.fallback_reason,
  coupon: r.coupon_id ? { id: r.coupon_id, code: r.coupon_code } : null,
  detail: r.detail,
  actorType: r.actor_type,
});

/** Read side of draws: the public disclosure, the fairness record, stats and the entries. */
@Injectable()
export class DrawReportsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly draws: DrawsService,
    private readonly tables: DrawTables,
  ) {}

  /** What must be published before a draw: prizes, quantities, odds, rules, and the stock rule. */
  async disclosure(brandId: string, id: string, opts: { publishedOnly?: boolean } = {}) {
    const { draw, prizes, state } = await this.draws.get(brandId, id, opts);
    const total = prizes.reduce((s, p) => s + p.weight, 0) + draw.fallbackWeight;
    const exhausted = prizes.filter((p) => p.remaining === 0);
    const exhaustedWeight = exhausted.reduce((s, p) => s + p.weight, 0);
    const [brand]: Array<{ time_zone: string; name: string }> = await this.ds.query(
      `SELECT time_zone, name FROM brands WHERE id = $1`,
      [brandId],
    );
    const e = draw.eligibility;
    const [names]: Array<{ tiers: string[] | null; segment: string | null; groups: string[] | null }> =
      await this.ds.query(
        `SELECT (SELECT array_agg(name ORDER BY rank) FROM tiers WHERE brand_id = $1 AND id = ANY($2::uuid[])) AS tiers,
              (SELECT name FROM segments WHERE brand_id = $1 AND id = $3::uuid) AS segment,
              (SELECT array_agg(name ORDER BY name) FROM community_groups WHERE brand_id = $1 AND id = ANY($4::uuid[])) AS groups`,
        [brandId, e.tierIds ?? [], e.segmentId ?? null, e.groupIds ?? []],
      );
    return {
      drawId: draw.id,
      brand: brand.name,
      name: draw.name,
      rules: draw.rules,
      state,
      startsAt: draw.startsAt,
      endsAt: draw.endsAt,
      timeZone: brand.time_zone,
      eligibility: {
        tiers: e.tierIds ? (names.tiers ?? []) : null,
        segment: e.segmentId ? names.segment : null,
        groupChats: e.groupIds ? (names.groups ?? []) : null,
        summary:
          [
            e.tierIds ? `members of tier ${(names.tiers ?? []).join(' / ')}` : null,
            e.segmentId ? `members of segment "${names.segment ?? ''}"` : null,
            e.groupIds ? `members of group chat ${(names.groups ?? []).join(' / ')}` : null,
          ]
            .filter(Boolean)
            .join('; ') || 'every member of the brand',
      },
      limits: {
        perMember: draw.limitTotal,
        perMemberPerDay: draw.limitPerDay,
        dayStartsAt: `00:00 ${brand.time_zone}`,
      },
      totalWeight: total,
      prizes: prizes.map((p) => ({
        id: p.id,
        position: p.position,
        name: p.name,
        kind: p.kind,
        note: p.note,
        quantity: p.stock,
        remaining: p.remaining,
        weight: p.weight,
        odds: ratio(p.weight, total),
        oddsNow: p.remaining === 0 ? ratio(0, total) : ratio(p.weight, total),
      })),
      fallback: {
        name: draw.fallbackName,
        weight: draw.fallbackWeight,
        odds: ratio(draw.fallbackWeight, total),
        oddsNow: ratio(draw.fallbackWeight + exhaustedWeight, total),
      },
      stockRule: `When a prize's stock is gone, an entry that draws it gets "${draw.fallbackName}": the exhausted prize's share (its weight) falls to the fallback. The odds of the other prizes do not change.${exhausted.length ? ` Out of stock now: ${exhausted.map((p) => p.name).join(', ')}.` : ''}`,
      fairness: {
        commitment: draw.commitment,
        seedRevealed: state === 'closed' && draw.status !== 'draft',
        scheme: FAIRNESS_SCHEME,
        verify: `/v1/draws/${draw.id}/verify`,
      },
    };
  }

  /**
   * Everything needed to recompute every result: the commitment, the seed once closed, the fixed
   * table and the entries (ids, the slot each drew, what each got), keyset-paginated by time.
   */
  async verify(
    brandId: string,
    id: string,
    q: { limit: number; cursor?: string },
    opts: { publishedOnly?: boolean } = {},
  ) {
    const { draw, state } = await this.draws.get(brandId, id, opts);
    if (draw.status === 'draft')
      throw DrawException.invalidState('verify', 'draft', ['scheduled', 'open', 'closed']);
    const table = await this.tables.get(id);
    const revealed = state === 'closed';
    const [createdAt, afterId] = (decodeCursor(q.cursor, 2) ?? []) as string[];
    const params: unknown[] = [id, brandId, q.limit + 1];
    let keyset = '';
    if (createdAt) {
      params.push(createdAt, afterId);
      keyset = `AND (e.created_at, e.id) > ($4::timestamptz, $5::uuid)`;
    }
    const rows: EntryRow[] = await this.ds.query(
      `${ENTRY_SELECT} WHERE e.draw_id = $1 AND e.brand_id = $2 ${keyset}
        ORDER BY e.created_at, e.id LIMIT $3`,
      params,
    );
    const page = toPage(
      rows,
      q.limit,
      (r) => [r.created_at.toISOString(), r.id],
      (r) => ({
        id: r.id,
        createdAt: r.created_at,
        slot: r.slot ?? table.prizes.length,
        outcome: r.outcome,
        prizeId: r.prize_id,
        fallbackReason: r.fallback_reason,
      }),
    );
    return {
      drawId: id,
      state,
      commitment: draw.commitment,
      seed: revealed ? table.seed.toString('hex') : null,
      seedRevealed: revealed,
      scheme: FAIRNESS_SCHEME,
      table: {
        totalWeight: table.totalWeight,
        slots: [
          ...table.prizes.map((p) => ({
            slot: p.position,
            prizeId: p.id,
            name: p.name,
            weight: p.weight,
            stock: p.stock,
            fallback: false,
          })),
          {
            slot: table.prizes.length,
            prizeId: null,
            name: draw.fallbackName,
            weight: table.fallbackWeight,
            stock: null,
            fallback: true,
          },
        ],
      },
      stats: await this.stats(brandId, id),
      entries: page.items,
      nextCursor: page.nextCursor,
    };
  }

  async stats(brandId: string, id: string): Promise<DrawStats> {
    const { draw, prizes, state } = await this.draws.get(brandId, id);
    const [totals]: Array<{ entries: number; entrants: number }> = await this.ds.query(
      `SELECT count(*)::int AS entries, count(DISTINCT member_id)::int AS entrants
         FROM draw_entries WHERE draw_id = $1 AND brand_id = $2`,
      [id, brandId],
    );
    const groups: Array<{
      slot: number | null;
      outcome: EntryOutcome;
      reason: FallbackReason | null;
      n: number;
    }> = await this.ds.query(
      `SELECT slot, outcome, fallback_reason AS reason, count(*)::int AS n
           FROM draw_entries WHERE draw_id = $1 AND brand_id = $2 GROUP BY 1, 2, 3`,
      [id, brandId],
    );
    const sum = (f: (g: (typeof groups)[number]) => boolean) => groups.filter(f).reduce((s, g) => s + g.n, 0);
    const perPrize = prizes.map((p) => ({
      id: p.id,
      position: p.position,
      name: p.name,
      kind: p.kind,
      stock: p.stock,
      remaining: p.remaining,
      won: sum((g) => g.slot === p.position && g.outcome === 'won'),
      outOfStock: sum((g) => g.slot === p.position && g.reason === 'out_of_stock'),
      unavailable: sum((g) => g.slot === p.position && g.reason === 'prize_unavailable'),
    }));
    return {
      drawId: id,
      state,
      entries: totals.entries,
      entrants: totals.entrants,
      winners: sum((g) => g.outcome === 'won'),
      fallback: {
        name: draw.fallbackName,
        drawn: sum((g) => g.reason === 'drawn'),
        outOfStock: sum((g) => g.reason === 'out_of_stock'),
        prizeUnavailable: sum((g) => g.reason === 'prize_unavailable'),
      },
      prizes: perPrize,
    };
  }

  /** Entries newest first; a member sees only their own (`memberId` forced by the caller). */
  async entries(
    brandId: string,
    id: string,
    q: { limit: number; cursor?: string; memberId?: string; outcome?: EntryOutcome },
    opts: { publishedOnly?: boolean } = {},
  ): Promise<Page<EntryView>> {
    await this.draws.get(brandId, id, opts);
    const [createdAt, afterId] = (decodeCursor(q.cursor, 2) ?? []) as string[];
    const params: unknown[] = [id, brandId, q.limit + 1];
    const where = ['e.draw_id = $1', 'e.brand_id = $2'];
    if (createdAt) {
      params.push(createdAt, afterId);
      where.push(`(e.created_at, e.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    if (q.memberId) {
      params.push(q.memberId);
      where.push(`e.member_id = $${params.length}::uuid`);
    }
    if (q.outcome) {
      params.push(q.outcome);
      where.push(`e.outcome = $${params.length}`);
    }
    const rows: EntryRow[] = await this.ds.query(
      `${ENTRY_SELECT} WHERE ${where.join(' AND ')} ORDER BY e.created_at DESC, e.id DESC LIMIT $3`,
      params,
    );
    return toPage(rows, q.limit, (r) => [r.created_at.toISOString(), r.id], toEntry);
  }
}

const ENTRY_SELECT = `SELECT e.id, e.member_id, e.created_at, to_char(e.local_day, 'YYYY-MM-DD') AS local_day, e.slot,
       e.outcome, e.prize_id, p.name AS prize_name, p.kind AS prize_kind, e.fallback_reason, e.coupon_id,
       e.coupon_code, e.detail, e.actor_type
  FROM draw_entries e LEFT JOIN draw_prizes p ON p.id = e.prize_id`;
