import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

export interface DrawPrizeFulfilment {
  ok: boolean;
  couponId?: string;
  code?: string;
  /** ok = false: why (e.g. the template's budget is spent); shown on the entry, which gets the fallback. */
  reason?: string;
}

/**
 * Issues prizes of one kind. The lib that owns them (coupons) registers one from its module's
 * onModuleInit; draws call `check` when a draw is saved or published, and `fulfil` inside the
 * entry's transaction right after the unit of stock is taken, so a won coupon is issued at once and
 * commits or rolls back with the win. `fulfil` returns `{ ok: false, reason }` (writing nothing) when
 * it cannot issue; the entry then gets the fallback and the unit of stock goes back.
 */
export interface DrawPrizeFulfiller {
  readonly kind: 'coupon';
  /** The template ids that are not the brand's or cannot be issued as draw prizes, with the reason. */
  check(brandId: string, templateIds: string[]): Promise<Array<{ id: string; reason: string }>>;
  fulfil(
    manager: EntityManager,
    ctx: { brandId: string; drawId: string; entryId: string; memberId: string; templateId: string },
  ): Promise<DrawPrizeFulfilment>;
}

@Injectable()
export class DrawPrizeRegistry {
  private readonly fulfillers = new Map<string, DrawPrizeFulfiller>();

  register(fulfiller: DrawPrizeFulfiller): void {
    this.fulfillers.set(fulfiller.kind, fulfiller);
  }

  get(kind: string): DrawPrizeFulfiller | undefined {
    return this.fulfillers.get(kind);
  }
}
