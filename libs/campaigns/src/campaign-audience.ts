import { Injectable } from '@nestjs/common';
import { ChannelAccountsService } from '@siyu/channels';
import { groupAudienceSql, wecomContactTargetSql } from '@siyu/communities';
import { AudienceRegistry } from '@siyu/members';
import { FieldError } from '@siyu/platform';
import type { EntityManager } from 'typeorm';
import { CampaignException } from './campaigns.errors';
import type { Campaign } from './entities/campaign.entity';

/** The distinct time zones the brand's reachable members have given (members_brand_time_zone_idx). */
export async function memberTimeZones(m: EntityManager, brandId: string): Promise<string[]> {
  const rows: Array<{ time_zone: string }> = await m.query(
    `SELECT DISTINCT time_zone FROM members
      WHERE brand_id = $1 AND time_zone IS NOT NULL AND erased_at IS NULL AND merged_into IS NULL`,
    [brandId],
  );
  return rows.map((r) => r.time_zone);
}

/**
 * The recipients of a campaign as one `SELECT` (columns `recipient_key, member_id, group_id,
 * address, sender, skip_reason, time_zone` — the member's own zone, or NULL), built from its audience and channel, with its bind values appended
 * to `params`. A recipient who cannot be sent to is still selected, with `skip_reason`, so the
 * ledger and the report say why (opted_out, erased, merged, no_openid, no_wecom_contact).
 */
@Injectable()
export class CampaignAudienceSql {
  constructor(
    private readonly audiences: AudienceRegistry,
    private readonly accounts: ChannelAccountsService,
  ) {}

  async build(campaign: Campaign, params: unknown[]): Promise<string> {
    const bind = (value: unknown, cast: string) => {
      params.push(value);
      return `$${params.length}::${cast}`;
    };
    const a = campaign.audience;
    if (campaign.channel === 'wecom_group') {
      if (a.kind !== 'groups')
        throw CampaignException.invalid([
          { field: 'audience.kind', message: 'a group-chat campaign goes to group chats: use kind "groups"' },
        ]);
      const groups = groupAudienceSql(
        campaign.brandId,
        { groupIds: a.groupIds, chatIds: a.chatIds, tagIds: a.tagIds },
        bind,
        { all: a.all === true, ownerActiveOnly: false },
      );
      return `SELECT g.group_id AS recipient_key, NULL::uuid AS member_id, g.group_id, g.chat_id AS address,
       g.owner_userid AS sender, CASE WHEN NOT g.owner_active THEN 'owner_inactive' END AS skip_reason,
       NULL::text AS time_zone
  FROM (${groups}) g`;
    }
    if (a.kind === 'groups')
      throw CampaignException.invalid([
        {
          field: 'audience.kind',
          message:
            'a 1:1 or Official Account campaign goes to members: use kind "segment", "list" or "registered"',
        },
      ]);
    const memberIds = await this.memberIdsSql(campaign, bind, params);
    const brand = bind(campaign.brandId, 'uuid');
    const unreachable = `CASE WHEN m.erased_at IS NOT NULL THEN 'erased'
            WHEN m.merged_into IS NOT NULL THEN 'merged'
            WHEN m.consent_status = 'opted_out' THEN 'opted_out'`;
    if (campaign.channel === 'oa') {
      const appId = await this.oaAppId(campaign);
      return `SELECT m.id AS recipient_key, m.id AS member_id, NULL::uuid AS group_id, i.value AS address,
       NULL::text AS sender,
       ${unreachable} WHEN i.value IS NULL THEN 'no_openid' END AS skip_reason, m.time_zone
  FROM (${memberIds}) a
  JOIN members m ON m.id = a.member_id AND m.brand_id = ${brand}
  LEFT JOIN LATERAL (SELECT mi.value FROM member_identities mi
                      WHERE mi.member_id = m.id AND mi.kind = 'openid' AND mi.app_id = ${bind(appId, 'text')}
                      ORDER BY mi.id LIMIT 1) i ON true`;
    }
    const target = wecomContactTargetSql(
      'm',
      bind,
      campaign.sender ? { staffUserIds: [campaign.sender] } : {},
    );
    return `SELECT m.id AS recipient_key, m.id AS member_id, NULL::uuid AS group_id, t.external_userid AS address,
       t.staff_userid AS sender,
       ${unreachable} WHEN t.external_userid IS NULL THEN 'no_wecom_contact' END AS skip_reason, m.time_zone
  FROM (${memberIds}) a
  JOIN members m ON m.id = a.member_id AND m.brand_id = ${brand}
  LEFT JOIN LATERAL (${target}) t ON true`;
  }

  /** The OA app's AppID (openids are per app); 422 when the campaign names none or another brand's. */
  async oaAppId(campaign: Campaign): Promise<string> {
    if (!campaign.oaAppId)
      throw CampaignException.invalid([
        { field: 'oaAppId', message: 'an Official Account campaign needs its OA app' },
      ]);
    try {
      return (await this.accounts.getOaApp(campaign.brandId, campaign.oaAppId)).appId;
    } catch (err) {
      if ((err as { status?: number }).status === 404)
        throw CampaignException.invalid([
          { field: 'oaAppId', message: `OA app ${campaign.oaAppId} was not found` },
        ]);
      throw err;
    }
  }

  hasResolver(kind: string): boolean {
    return this.audiences.get(kind) !== undefined;
  }

  private async memberIdsSql(
    campaign: Campaign,
    bind: (value: unknown, cast: string) => string,
    params: unknown[],
  ): Promise<string> {
    const a = campaign.audience;
    if (a.kind === 'list') return `SELECT DISTINCT unnest(${bind(a.memberIds, 'uuid[]')}) AS member_id`;
    if (a.kind === 'segment')
      return this.resolved(campaign.brandId, 'segment', a.segmentId, params, 'audience.segmentId');
    if (a.kind === 'registered')
      return this.resolved(campaign.brandId, a.resolver, a.ref, params, 'audience.ref');
    throw new Error(`unexpected audience ${a.kind}`);
  }

  /** The resolver's SELECT of member ids; its 404 (an unknown or another brand's ref) is a 422 here. */
  private async resolved(
    brandId: string,
    kind: string,
    ref: string,
    params: unknown[],
    field: string,
  ): Promise<string> {
    const resolver = this.audiences.get(kind);
    if (!resolver)
      throw CampaignException.invalid([
        { field: 'audience.resolver', message: `no audience resolver "${kind}" is registered` },
      ]);
    try {
      return await resolver.resolve(brandId, ref, params);
    } catch (err) {
      if ((err as { status?: number }).status === 404) {
        const errors: FieldError[] = [{ field, message: `${kind} ${ref} was not found` }];
        throw CampaignException.invalid(errors);
      }
      throw err;
    }
  }
}
