import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import {
  COMMISSION_STATUSES,
  CommissionStatus,
  PARTNER_TIERS,
  PartnerTier,
  UPLIFT_STATES,
  UpliftState,
  sqlList,
} from '../partners.constants';

/**
 * One commission per attributed order (unique per brand and order, so concurrent attribution of
 * the same order creates one). The base part is `base_rate_bp` of `commissionable_minor`; an
 * incentive uplift adds `uplift_rate_bp`, accrued as `gated` until its KPI gates are judged when
 * its window closes (then released or forfeited). `amount_minor` is what the partner is owed now:
 * base plus a released uplift, after the period cap (`capped_minor` is what the cap removed).
 */
@Entity('partner_commissions')
@Index('partner_commissions_order_key', ['brandId', 'orderId'], { unique: true })
@Index('partner_commissions_partner_idx', ['partnerId', 'createdAt'])
@Index('partner_commissions_due_idx', ['brandId', 'holdUntil'], { where: `status = 'pending'` })
@Index('partner_commissions_settlement_idx', ['settlementId'], { where: 'settlement_id IS NOT NULL' })
@Check('partner_commissions_status', `status IN (${sqlList(COMMISSION_STATUSES)})`)
@Check('partner_commissions_tier', `tier IN (${sqlList(PARTNER_TIERS)})`)
@Check('partner_commissions_uplift_state', `uplift_state IN (${sqlList(UPLIFT_STATES)})`)
@Check(
  'partner_commissions_amounts',
  `commissionable_minor >= 0 AND base_rate_bp BETWEEN 0 AND 10000 AND uplift_rate_bp BETWEEN 0 AND 10000
   AND base_minor >= 0 AND uplift_minor >= 0 AND capped_minor >= 0 AND amount_minor >= 0`,
)
@Check('partner_commissions_uplift', `(uplift_state = 'none') = (uplift_id IS NULL)`)
@Check('partner_commissions_currency', `currency ~ '^[A-Z]{3}$'`)
export class PartnerCommission {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  partnerId: string;

  @ManyToOne('Partner', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partner_id' })
  partner?: unknown;

  @Column({ type: 'uuid' })
  orderId: string;

  @ManyToOne('Order', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id' })
  order?: unknown;

  /** How the order reached the partner: the attribution rule (`coupon`, `link_code`, `last_click`). */
  @Column({ type: 'varchar', length: 16 })
  attributedBy: string;

  /** The partner's tier when the commission was created (its rate and holding period). */
  @Column({ type: 'varchar', length: 16 })
  tier: PartnerTier;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** The order amount the rate applies to (paid minus refunded, in scope), in minor units. */
  @Column({ type: 'bigint' })
  commissionableMinor: string;

  @Column({ type: 'int' })
  baseRateBp: number;

  @Column({ type: 'bigint' })
  baseMinor: string;

  @Column({ type: 'uuid', nullable: true })
  upliftId: string | null;

  @Column({ type: 'int', default: 0 })
  upliftRateBp: number;

  /** The part of `commissionable_minor` in the uplift's scope (all of it without a scope). */
  @Column({ type: 'bigint', default: 0 })
  upliftBaseMinor: string;

  @Column({ type: 'bigint', default: 0 })
  upliftMinor: string;

  @Column({ type: 'varchar', length: 12, default: 'none' })
  upliftState: UpliftState;

  /** What the period cap removed from base + uplift. */
  @Column({ type: 'bigint', default: 0 })
  cappedMinor: string;

  /** Owed now: base + released uplift − capped. */
  @Column({ type: 'bigint' })
  amountMinor: string;

  @Column({ type: 'varchar', length: 12, default: 'pending' })
  status: CommissionStatus;

  /** The order's paid time: the commission's period (caps, settlement). */
  @Column({ type: 'timestamptz' })
  orderPaidAt: Date;

  /** The end of the holding period: a pending commission is approved after it. */
  @Column({ type: 'timestamptz' })
  holdUntil: Date;

  @Column({ type: 'timestamptz', nullable: true })
  approvedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  reversedAt: Date | null;

  /** Why it was reversed, held or rejected (e.g. `refunded_in_hold`, `fraud:self_purchase`). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  reason: string | null;

  /** The settlement batch that paid (or will pay) it. */
  @Column({ type: 'uuid', nullable: true })
  settlementId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
