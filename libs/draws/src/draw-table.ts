import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { DrawStatus, DrawState, PrizeKind } from './draws.constants';

export interface TablePrize {
  id: string;
  position: number;
  name: string;
  weight: number;
  kind: PrizeKind;
  couponTemplateId: string | null;
  note: string | null;
  stock: number | null;
}

/** A published draw's fixed table: prizes in position order, then the fallback slot. */
export interface DrawTable {
  seed: Buffer;
  prizes: TablePrize[];
  fallbackWeight: number;
  /** prizes' weights then the fallback weight: what `roll` walks. */
  weights: number[];
  totalWeight: number;
}

export function drawState(
  d: { status: DrawStatus; startsAt: Date; endsAt: Date },
  now: Date = new Date(),
): DrawState {
  if (d.status === 'draft') return 'draft';
  if (d.status === 'closed' || now.getTime() >= d.endsAt.getTime()) return 'closed';
  return now.getTime() < d.startsAt.getTime() ? 'scheduled' : 'open';
}

export const PRIZE_COLUMNS = `id, position, name, weight, kind, coupon_template_id AS "couponTemplateId", note, stock`;

/**
 * The tables of published draws, cached per process: publishing fixes a draw's prizes, weights and
 * seed for good (the commitment covers them), so an entry need not read them again. Remaining stock
 * is never cached.
 */
@Injectable()
export class DrawTables {
  private readonly cache = new Map<string, DrawTable>();
  private static readonly MAX = 1000;

  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async get(drawId: string, manager: EntityManager = this.ds.manager): Promise<DrawTable> {
    const hit = this.cache.get(drawId);
    if (hit) return hit;
    const [draw]: Array<{ seed: Buffer | null; fallback_weight: number }> = await manager.query(
      `SELECT seed, fallback_weight FROM draws WHERE id = $1 AND status <> 'draft'`,
      [drawId],
    );
    if (!draw?.seed) throw new Error(`draw ${drawId} has no committed table`);
    const prizes: TablePrize[] = await manager.query(
      `SELECT ${PRIZE_COLUMNS} FROM draw_prizes WHERE draw_id = $1 ORDER BY position`,
      [drawId],
    );
    const weights = [...prizes.map((p) => p.weight), draw.fallback_weight];
    const table: DrawTable = {
      seed: draw.seed,
      prizes,
      fallbackWeight: draw.fallback_weight,
      weights,
      totalWeight: weights.reduce((s, w) => s + w, 0),
    };
    if (this.cache.size >= DrawTables.MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(drawId, table);
    return table;
  }
}
