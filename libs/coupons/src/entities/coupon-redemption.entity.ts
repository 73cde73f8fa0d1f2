import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** The ledger's row kinds; a partial refund and a rollback both reverse (part of) a redemption. */
export const REDEMPTION_KINDS = ['redemption', 'partial_refund', 'rollback'] as const;
export type RedemptionKind = (typeof REDEMPTION_KINDS)[number];

/**
 * The redemption ledger: a `redemption` row per (code, order), unique; a `partial_refund` row each
 * time its order is partly refunded (the refunded share of the discount and of the GMV; the code
 * stays used and the budgets stay spent), unique per (redemption, refunded total); and a
 * `rollback` row when the order is refunded in full or cancelled (at most one per redemption),
 * carrying what the partial refunds had not given back yet, so a redemption's rows always net to
 * zero once it is rolled back. Rows are never edited; the counters on coupons and coupon_templates
 * follow them in the same transaction.
 */
@Entity('coupon_redemptions')
@Index('coupon_redemptions_order_key', ['couponId', 'orderRef'], {
  unique: true,
  where: `kind = 'redemption'`,
})
@Index('coupon_redemptions_rollback_key', ['reversesId'], { unique: true, where: `kind = 'rollback'` })
@Index('coupon_redemptions_partial_refund_key', ['reversesId', 'refundedThroughMinor'], {
  unique: true,
  where: `kind = 'partial_refund'`,
})
// Indexes for the foreign keys' cascades: deleting a template's (or a brand's) million codes looks up
// each code's ledger rows, and each row's reversals; without them every lookup is a table scan.
@Index('coupon_redemptions_coupon_idx', ['couponId'])
@Index('coupon_redemptions_reverses_idx', ['reversesId'], { where: 'reverses_id IS NOT NULL' })
// The other coupons already redeemed for an order (the stacking check), by the order's reference.
@Index('coupon_redemptions_order_ref_idx', ['brandId', 'orderRef'], { where: `kind = 'redemption'` })
@Index('coupon_redemptions_template_idx', ['templateId', 'createdAt'])
@Index('coupon_redemptions_order_idx', ['orderId'], { where: 'order_id IS NOT NULL' })
@Index('coupon_redemptions_member_idx', ['memberId'], { where: 'member_id IS NOT NULL' })
@Check('coupon_redemptions_kind', `kind IN ('redemption', 'partial_refund', 'rollback')`)
@Check(
  'coupon_redemptions_shape',
  `(kind = 'redemption' AND reverses_id IS NULL AND refunded_through_minor IS NULL)
   OR (kind = 'partial_refund' AND reverses_id IS NOT NULL AND refunded_through_minor > 0)
   OR (kind = 'rollback' AND reverses_id IS NOT NULL AND refunded_through_minor IS NULL)`,
)
@Check(
  'coupon_redemptions_amounts',
  `discount_minor >= 0 AND cart_amount_minor >= 0 AND order_amount_minor >= 0`,
)
export class CouponRedemption {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 16 })
  kind: RedemptionKind;

  @Column({ type: 'uuid' })
  couponId: string;

  @ManyToOne('Coupon', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'coupon_id' })
  coupon?: unknown;

  @Column({ type: 'uuid' })
  templateId: string;

  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  /** A recorded order (libs/commerce), when the redemption came with one. */
  @Column({ type: 'uuid', nullable: true })
  orderId: string | null;

  @ManyToOne('Order', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'order_id' })
  order?: unknown;

  /** The order's reference: its id, or the caller's order number for POST /v1/coupons/redeem. */
  @Column({ type: 'varchar', length: 128 })
  orderRef: string;

  /** The redemption a partial refund or a rollback reverses. */
  @Column({ type: 'uuid', nullable: true })
  reversesId: string | null;

  @ManyToOne('CouponRedemption', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reverses_id' })
  reverses?: unknown;

  /**
   * A partial refund: how much of the order had been refunded in all when it was written (its
   * shares are of that total, less the earlier rows'), so the same refund total is written once.
   */
  @Column({ type: 'bigint', nullable: true })
  refundedThroughMinor: string | null;

  /** The cart the discount applied to (0 on a partial refund row). */
  @Column({ type: 'bigint' })
  cartAmountMinor: string;

  /** What the order paid (the GMV the report credits to the coupon); on a reversal, the GMV taken back. */
  @Column({ type: 'bigint' })
  orderAmountMinor: string;

  /** The discount given (a partial refund or a rollback carries the share it takes back). */
  @Column({ type: 'bigint' })
  discountMinor: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  channel: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
