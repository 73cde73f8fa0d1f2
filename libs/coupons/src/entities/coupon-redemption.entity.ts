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

/**
 * The redemption ledger: a `redemption` row per (code, order), unique, and a `rollback` row when
 * the order is refunded or cancelled (at most one per redemption). Rows are never edited; the
 * counters on coupons and coupon_templates follow them in the same transaction.
 */
@Entity('coupon_redemptions')
@Index('coupon_redemptions_order_key', ['couponId', 'orderRef'], {
  unique: true,
  where: `kind = 'redemption'`,
})
@Index('coupon_redemptions_rollback_key', ['reversesId'], { unique: true, where: `kind = 'rollback'` })
@Index('coupon_redemptions_template_idx', ['templateId', 'createdAt'])
@Index('coupon_redemptions_order_idx', ['orderId'], { where: 'order_id IS NOT NULL' })
@Index('coupon_redemptions_member_idx', ['memberId'], { where: 'member_id IS NOT NULL' })
@Check('coupon_redemptions_kind', `kind IN ('redemption', 'rollback')`)
@Check(
  'coupon_redemptions_shape',
  `(kind = 'redemption' AND reverses_id IS NULL) OR (kind = 'rollback' AND reverses_id IS NOT NULL)`,
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
  kind: 'redemption' | 'rollback';

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

  /** The redemption a rollback reverses. */
  @Column({ type: 'uuid', nullable: true })
  reversesId: string | null;

  @ManyToOne('CouponRedemption', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reverses_id' })
  reverses?: unknown;

  @Column({ type: 'bigint' })
  cartAmountMinor: string;

  /** What the order paid (the GMV the report credits to the coupon). */
  @Column({ type: 'bigint' })
  orderAmountMinor: string;

  /** The discount given (a rollback carries the amount it gives back). */
  @Column({ type: 'bigint' })
  discountMinor: string;

  @Column({ type: 'varchar', length: 40, nullable: true })
  channel: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  note: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
