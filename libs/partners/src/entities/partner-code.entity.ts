import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/**
 * A coupon code given to a partner (a shared code issued through the coupons lib, whose source is
 * `partner` and source_ref the partner id, so attribution maps an order using it to the partner).
 */
@Entity('partner_codes')
@Index('partner_codes_partner_idx', ['partnerId', 'createdAt'])
@Index('partner_codes_coupon_key', ['couponId'], { unique: true })
export class PartnerCode {
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
  couponId: string;

  @Column({ type: 'uuid' })
  templateId: string;

  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Column({ type: 'int' })
  maxRedemptions: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
