import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** Commissions that were just created (one per attributed order), by id. */
export interface CommissionsCreated {
  brandId: string;
  commissionIds: string[];
}

/**
 * Runs inside the transaction that created the commissions (the order's transaction), so a
 * listener's writes (a fraud flag that holds the commission) commit or roll back with them.
 */
export type CommissionsListener = (manager: EntityManager, change: CommissionsCreated) => Promise<void>;

/**
 * Where the partner pieces hook into each other without a cycle: the fraud checks register from
 * their module's onModuleInit and see every new commission before it can be approved.
 */
@Injectable()
export class PartnerHooks {
  private readonly created: CommissionsListener[] = [];

  onCommissionsCreated(listener: CommissionsListener): void {
    this.created.push(listener);
  }

  async commissionsCreated(manager: EntityManager, change: CommissionsCreated): Promise<void> {
    if (change.commissionIds.length === 0) return;
    for (const listener of this.created) await listener(manager, change);
  }
}
