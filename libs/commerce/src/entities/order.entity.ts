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
import { ORDER_SOURCE_PATTERN, ORDER_STATUSES, OrderStatus } from '../commerce.constants';

const statuses = ORDER_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * An order from any source (the brand's store, a marketplace, an affiliate report, the API),
 * unique per (brand, source, external id). Money is integer minor units of `currency`.
 * `member_id` is NULL while no member matches the order's customer identities
 * (`order_identity_claims`); it is filled in when one appears.
 */
@Entity('orders')
@Check('orders_status', `status IN (${statuses})`)
@Check('orders_source', `source ~ '${ORDER_SOURCE_PATTERN}'`)
@Check('orders_currency', `currency ~ '^[A-Z]{3}$'`)
@Check('orders_amounts', `amount_minor >= 0 AND refunded_minor >= 0 AND refunded_minor <= amount_minor`)
@Index('orders_source_key', ['brandId', 'source', 'externalId'], { unique: true })
@Index('orders_member_placed_idx', ['memberId', 'placedAt'])
@Index('orders_brand_placed_idx', ['brandId', 'placedAt', 'id'])
@Index('orders_unmatched_idx', ['brandId', 'createdAt'], { where: 'member_id IS NULL' })
// (member_id, placed_at) INCLUDE (amount_minor, refunded_minor) WHERE counted: segments' windowed
// order counts and spend as index-only scans; written by hand in the Segments migration.
@Index('orders_counted_member_placed_idx', { synchronize: false })
export class Order {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'varchar', length: 40 })
  source: string;

  @Column({ type: 'varchar', length: 128 })
  externalId: string;

  @Column({ type: 'varchar', length: 20 })
  status: OrderStatus;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** What the customer paid, in minor units. */
  @Column({ type: 'bigint' })
  amountMinor: string;

  /** The sum of the order's refunds, in minor units. */
  @Column({ type: 'bigint', default: 0 })
  refundedMinor: string;

  @Column({ type: 'timestamptz' })
  placedAt: Date;

  /** The member's second or later counted order (by `placed_at`). */
  @Column({ type: 'boolean', default: false })
  isRepurchase: boolean;

  /** Coupon codes the customer used, as given (the coupons issue redeems them). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  couponCodes: string[];

  /** The tracked-link code the order carried (attribution reads it). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  linkCode: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
