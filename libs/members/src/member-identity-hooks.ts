import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface MemberIdentitiesAdded {
  brandId: string;
  /** The members that gained identities; absent when a bulk path (an import) added them to many. */
  memberIds?: string[];
  source: 'upsert' | 'import';
}

/**
 * Runs inside the transaction that added the identities, after they were written, so a listener's
 * writes (commerce matching unmatched orders to the member) commit or roll back with them.
 */
export type MemberIdentitiesListener = (
  manager: EntityManager,
  change: MemberIdentitiesAdded,
) => Promise<void>;

/**
 * Where other libs hook into "a member gained identities" without members depending on them
 * (commerce registers its order matcher from its module's onModuleInit).
 */
@Injectable()
export class MemberIdentityHooks {
  private readonly listeners: MemberIdentitiesListener[] = [];

  onIdentitiesAdded(listener: MemberIdentitiesListener): void {
    this.listeners.push(listener);
  }

  async identitiesAdded(manager: EntityManager, change: MemberIdentitiesAdded): Promise<void> {
    if (change.memberIds?.length === 0) return;
    for (const listener of this.listeners) await listener(manager, change);
  }
}
