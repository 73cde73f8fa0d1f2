import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/** One status the affiliate programme reported for a sub-order, with when Siyu saw it. */
export interface AffiliateStatusChange {
  status: string;
  estimatedCommissionMinor: string;
  finalCommissionMinor: string | null;
  seenAt: string;
}

/**
 * A sub-order of an affiliate programme's report (AliExpress Portals-style): the order it became in
 * commerce (external id = sub_order_id) and the commission the programme reports for it, with its
 * status history. The partners lib reads commissions from here.
 */
@Entity('affiliate_order_lines')
@Index('affiliate_order_lines_key', ['brandId', 'sourceId', 'subOrderId'], { unique: true })
@Index('affiliate_order_lines_order_idx', ['orderId'])
@Index('affiliate_order_lines_link_idx', ['brandId', 'linkCode'], { where: 'link_code IS NOT NULL' })
export class AffiliateOrderLine {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  sourceId: string;

  @ManyToOne('OrderSource', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'source_id' })
  source?: unknown;

  @Column({ type: 'varchar', length: 64 })
  subOrderId: string;

  @Column({ type: 'varchar', length: 64 })
  parentOrderId: string;

  /** The Siyu order (commerce's orders.id). */
  @Column({ type: 'uuid' })
  orderId: string;

  /** As the programme wrote it (`Payment Completed`, `FullRefund`, …). */
  @Column({ type: 'varchar', length: 40 })
  status: string;

  @Column({ type: 'bigint' })
  paidAmountMinor: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  /** Basis points: 7.5 % is 750. */
  @Column({ type: 'int' })
  commissionRateBp: number;

  @Column({ type: 'bigint' })
  estimatedCommissionMinor: string;

  @Column({ type: 'bigint', nullable: true })
  finalCommissionMinor: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  trackingId: string | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  linkCode: string | null;

  @Column({ type: 'timestamptz' })
  paidAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  statusHistory: AffiliateStatusChange[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
