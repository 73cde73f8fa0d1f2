import { Check, Column, Entity, Index, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { ATTRIBUTION_RULES, AttributionRule, sqlList } from '../conversions.constants';

/**
 * Why an order happened, one row per order, written set-wise in the order's transaction and again
 * by a recompute. It holds pointers only, never money: revenue is read from `orders` (net of
 * refunds), so a refund changes nothing here and nothing is counted twice. `first_*` is the
 * member's first tracked click before the order (first touch), whatever rule won.
 */
@Entity('order_attributions')
@Check('order_attributions_rule', `rule IN (${sqlList(ATTRIBUTION_RULES)})`)
@Index('order_attributions_campaign_idx', ['campaignId'], { where: 'campaign_id IS NOT NULL' })
@Index('order_attributions_link_idx', ['linkId'], { where: 'link_id IS NOT NULL' })
@Index('order_attributions_partner_idx', ['partnerId'], { where: 'partner_id IS NOT NULL' })
@Index('order_attributions_brand_idx', ['brandId', 'rule'])
export class OrderAttribution {
  @PrimaryColumn({ type: 'uuid' })
  orderId: string;

  @OneToOne('Order', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id' })
  order?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'varchar', length: 16 })
  rule: AttributionRule;

  @Column({ type: 'uuid', nullable: true })
  campaignId: string | null;

  @Column({ type: 'smallint', nullable: true })
  campaignVariant: number | null;

  @Column({ type: 'uuid', nullable: true })
  linkId: string | null;

  @Column({ type: 'bigint', nullable: true })
  clickId: string | null;

  @Column({ type: 'uuid', nullable: true })
  couponId: string | null;

  @Column({ type: 'uuid', nullable: true })
  groupId: string | null;

  @Column({ type: 'uuid', nullable: true })
  liveSessionId: string | null;

  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  /** The link code the order carried or the per-recipient code that was clicked. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  linkCode: string | null;

  @Column({ type: 'bigint', nullable: true })
  firstClickId: string | null;

  @Column({ type: 'uuid', nullable: true })
  firstLinkId: string | null;

  @Column({ type: 'uuid', nullable: true })
  firstCampaignId: string | null;

  @Column({ type: 'int' })
  windowDays: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  attributedAt: Date;
}
