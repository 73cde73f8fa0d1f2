import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** A recipient as a resolver sees it: its ledger row, and the member or group it is. */
export interface VariableRecipient {
  deliveryId: string;
  memberId: string | null;
  groupId: string | null;
}

/**
 * Resolves `{{<ref>:<id>}}` variables (`link` for tracked links, `coupon` for coupon templates) per
 * recipient. The lib that owns links or coupons registers one from its module's onModuleInit; the
 * campaign engine calls `check` when a campaign is saved and `resolve` when it sends a batch, in the
 * transaction that claims the batch (so an issued coupon and the claim commit together).
 */
export interface CampaignVariableResolver {
  readonly ref: string;
  /** The ids that do not exist for the brand (or may not be used in a campaign), with the reason. */
  check(brandId: string, ids: string[]): Promise<Array<{ id: string; reason: string }>>;
  /** One value per recipient (deliveryId → text) for variable `id`; a recipient left out gets ''. */
  resolve(
    manager: EntityManager,
    ctx: { brandId: string; campaignId: string; id: string; recipients: VariableRecipient[] },
  ): Promise<Map<string, string>>;
}

@Injectable()
export class CampaignVariableRegistry {
  private readonly resolvers = new Map<string, CampaignVariableResolver>();

  register(resolver: CampaignVariableResolver): void {
    this.resolvers.set(resolver.ref, resolver);
  }

  get(ref: string): CampaignVariableResolver | undefined {
    return this.resolvers.get(ref);
  }

  refs(): string[] {
    return [...this.resolvers.keys()];
  }
}
