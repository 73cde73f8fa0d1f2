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
 * A correction to a commission that is already in a settlement (a refund after it was settled or
 * paid: negative; an uplift released after it: positive). It is paid or deducted on the partner's
 * next settlement (`settlement_id`).
 */
@Entity('partner_adjustments')
@Index('partner_adjustments_open_idx', ['partnerId', 'createdAt'], { where: 'settlement_id IS NULL' })
@Index('partner_adjustments_commission_idx', ['commissionId'])
@Check('partner_adjustments_amount', `amount_minor <> 0`)
export class PartnerAdjustment {
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
  commissionId: string;

  @ManyToOne('PartnerCommission', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'commission_id' })
  commission?: unknown;

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'bigint' })
  amountMinor: string;

  /** `refund_after_settlement`, `order_cancelled_after_settlement`, `uplift_released_after_settlement`. */
  @Column({ type: 'varchar', length: 48 })
  reason: string;

  @Column({ type: 'uuid', nullable: true })
  settlementId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
