import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import {
  AcquisitionStateMatch,
  AcquisitionStateRegistry,
  AcquisitionStateResolver,
  WelcomeContent,
} from '../acquisition-states.registry';
import { REFERRAL_STATE_PREFIX } from './referrals.constants';

type Raw = Record<string, unknown>;

/**
 * Resolves `rf_…` states for the add-contact handler: the invite's campaign gives the source
 * channel (default `wecom`), UTM (default source=referral, medium=invite, campaign=<campaign id>,
 * content=<invite code>), tags and welcome; the handler applies them and sends the welcome through
 * its priority path, exactly as for a channel code.
 */
@Injectable()
export class ReferralStateResolver implements AcquisitionStateResolver, OnModuleInit {
  readonly prefix = REFERRAL_STATE_PREFIX;

  constructor(private readonly registry: AcquisitionStateRegistry) {}

  onModuleInit(): void {
    this.registry.register(this);
  }

  async resolve(
    brandId: string,
    state: string,
    manager: EntityManager,
  ): Promise<AcquisitionStateMatch | null> {
    if (!state.startsWith(this.prefix)) return null;
    const [r]: Raw[] = await manager.query(
      `SELECT i.id, i.code, c.id AS campaign_id, c.source_channel, c.utm, c.tag_ids, c.welcome
         FROM acquisition_referral_invites i JOIN acquisition_referral_campaigns c ON c.id = i.campaign_id
        WHERE i.brand_id = $1 AND i.state = $2`,
      [brandId, state],
    );
    if (!r) return null;
    return {
      kind: 'referral',
      refId: r.id as string,
      sourceChannel: (r.source_channel as string | null) ?? 'wecom',
      utm: {
        source: 'referral',
        medium: 'invite',
        campaign: r.campaign_id as string,
        content: r.code as string,
        ...((r.utm as Record<string, string> | null) ?? {}),
      },
      tagIds: (r.tag_ids as string[]) ?? [],
      welcome: (r.welcome as WelcomeContent | null) ?? null,
    };
  }
}
