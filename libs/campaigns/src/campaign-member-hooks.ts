import { Injectable, OnModuleInit } from '@nestjs/common';
import { MemberMergeRegistry, MemberTimelineRegistry, MemberTimelineSource } from '@siyu/members';

/**
 * The member timeline's campaign entries, read from the ledger where they are: every delivery the
 * engine attempted for the member (claimed: sent, failed, or skipped at send time by consent, the
 * frequency cap or WeCom's limit), as `campaign.<status>`. Rows skipped when the audience was
 * snapshotted (never attempted) are in the campaign's report, not the timeline. Reads
 * campaign_deliveries_member_recent_idx.
 */
export const CAMPAIGN_TIMELINE_SOURCE: MemberTimelineSource = {
  name: 'campaign_delivery',
  select: `SELECT d.id, NULL::text AS ref, ('campaign.' || d.status)::text AS type,
                  jsonb_strip_nulls(jsonb_build_object(
                    'campaignId', d.campaign_id, 'deliveryId', d.id::text, 'status', d.status,
                    'reason', d.reason, 'variant', d.variant)) AS data,
                  'system'::text AS actor_type, NULL::uuid AS actor_id,
                  coalesce(d.sent_at, d.claimed_at) AS occurred_at
             FROM campaign_deliveries d
            WHERE d.member_id = $2 AND d.claimed_at IS NOT NULL AND d.brand_id = $1
              AND d.status IN ('submitted', 'sent', 'skipped', 'failed')`,
};

/**
 * Campaign deliveries belong to a member: a merge moves them to the survivor (so the frequency cap,
 * the timeline and segments on campaigns received see one person), and the timeline shows them.
 * campaign_deliveries has no foreign key to members (it is the hot ledger), so the merge is told
 * its column.
 */
@Injectable()
export class CampaignMemberHooks implements OnModuleInit {
  constructor(
    private readonly merges: MemberMergeRegistry,
    private readonly timeline: MemberTimelineRegistry,
  ) {}

  onModuleInit(): void {
    this.merges.registerColumn('campaign_deliveries', 'member_id');
    this.timeline.register(CAMPAIGN_TIMELINE_SOURCE);
  }
}
