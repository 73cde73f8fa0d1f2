import { SegmentMemberRecord } from './dto/segment-member-response.dto';

/** What segments show of a member `m` (its tier, RFM group and tag names included). */
export const SEGMENT_MEMBER_COLUMNS = `m.id, m.nickname, m.phone, m.source_channel, m.city, m.consent_status,
  m.order_count, m.paid_spend_minor, m.last_order_at, m.joined_at,
  (SELECT t.name FROM member_tiers mtr JOIN tiers t ON t.id = mtr.tier_id AND t.brand_id = m.brand_id
    WHERE mtr.member_id = m.id) AS tier,
  (SELECT rfm.rfm_group FROM member_rfm rfm WHERE rfm.member_id = m.id AND rfm.brand_id = m.brand_id) AS rfm_group,
  ARRAY(SELECT g.name FROM member_tags mt JOIN tags g ON g.id = mt.tag_id
    WHERE mt.member_id = m.id AND mt.brand_id = m.brand_id ORDER BY g.name) AS tags`;

export const toSegmentMember = (r: Record<string, unknown>): SegmentMemberRecord => ({
  id: r.id as string,
  nickname: r.nickname as string | null,
  phone: r.phone as string | null,
  sourceChannel: r.source_channel as string,
  city: r.city as string | null,
  consentStatus: r.consent_status as string | null,
  tier: r.tier as string | null,
  rfmGroup: r.rfm_group as string | null,
  orderCount: Number(r.order_count),
  paidSpendMinor: String(r.paid_spend_minor),
  lastOrderAt: (r.last_order_at as Date | null) ?? null,
  joinedAt: r.joined_at as Date,
  tags: (r.tags as string[] | null) ?? [],
});
