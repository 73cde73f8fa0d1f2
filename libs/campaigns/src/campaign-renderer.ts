import { Injectable } from '@nestjs/common';
import type { ChannelMessage } from '@siyu/channels';
import { EntityManager } from 'typeorm';
import {
  MemberValues,
  memberValue,
  messageVariables,
  renderMessage,
  Variable,
} from './content/campaign-content';
import { CampaignVariableRegistry } from './content/campaign-variables';
import type { Campaign } from './entities/campaign.entity';

/** A ledger row claimed for sending, and (after rendering) its message. */
export interface ClaimedRow {
  id: string;
  memberId: string | null;
  groupId: string | null;
  variant: number;
  address: string | null;
  sender: string | null;
  attempts: number;
  message: ChannelMessage;
}

/**
 * Renders each claimed row's variant for its recipient: member fields read in one query, `link` and
 * `coupon` values from their resolvers in the claim's transaction. A message without variables is
 * the variant's own, shared by every row.
 */
@Injectable()
export class CampaignRenderer {
  constructor(private readonly registry: CampaignVariableRegistry) {}

  async render(
    m: EntityManager,
    c: Pick<Campaign, 'id' | 'brandId' | 'variants'>,
    rows: Array<Omit<ClaimedRow, 'message'>>,
    /** The rows' member fields when the caller already read them (the claim's rules statement). */
    known?: Map<string, MemberValues>,
  ): Promise<ClaimedRow[]> {
    const byVariant = c.variants.map((v) => ({
      message: v.message,
      variables: messageVariables(v.message).variables,
    }));
    const needMembers = byVariant.some((v) => v.variables.some((x) => x.kind === 'member'));
    const members = known ?? new Map<string, MemberValues>();
    const memberIds = rows.map((r) => r.memberId).filter((x): x is string => !!x);
    if (needMembers && !known && memberIds.length > 0) {
      const found: Array<{ id: string } & MemberValues> = await m.query(
        `SELECT id, nickname, city FROM members WHERE id = ANY($1::uuid[])`,
        [memberIds],
      );
      for (const f of found) members.set(f.id, f);
    }
    const refValues = new Map<string, Map<string, string>>();
    for (const [vi, v] of byVariant.entries()) {
      const refs = v.variables.filter((x): x is Extract<Variable, { kind: 'ref' }> => x.kind === 'ref');
      const recipients = rows
        .filter((r) => r.variant === vi)
        .map((r) => ({ deliveryId: String(r.id), memberId: r.memberId, groupId: r.groupId }));
      if (recipients.length === 0) continue;
      for (const ref of refs) {
        const resolver = this.registry.get(ref.ref);
        if (!resolver) throw new Error(`no resolver for {{${ref.ref}:…}} variables is registered`);
        refValues.set(
          ref.raw,
          new Map([
            ...(refValues.get(ref.raw) ?? new Map<string, string>()),
            ...(await resolver.resolve(m, { brandId: c.brandId, campaignId: c.id, id: ref.id, recipients })),
          ]),
        );
      }
    }
    return rows.map((r) => {
      const v = byVariant[r.variant] ?? byVariant[0];
      if (v.variables.length === 0) return { ...r, message: v.message };
      const member = r.memberId ? (members.get(r.memberId) ?? null) : null;
      return {
        ...r,
        message: renderMessage(v.message, (x) =>
          x.kind === 'member' ? memberValue(x, member) : (refValues.get(x.raw)?.get(String(r.id)) ?? ''),
        ),
      };
    });
  }
}
