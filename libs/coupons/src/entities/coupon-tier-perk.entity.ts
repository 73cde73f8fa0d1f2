import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** A tier's perk: reaching the tier issues one coupon of the template. */
@Entity('coupon_tier_perks')
@Index('coupon_tier_perks_key', ['tierId', 'templateId'], { unique: true })
@Index('coupon_tier_perks_brand_idx', ['brandId'])
export class CouponTierPerk {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  tierId: string;

  @ManyToOne('Tier', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tier_id' })
  tier?: unknown;

  @Column({ type: 'uuid' })
  templateId: string;

  @ManyToOne('CouponTemplate', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/**
 * How far the perk consumer has read tier_changes, per brand (moved in the transaction that issues
 * the perks of the changes it passes).
 */
@Entity('coupon_tier_cursors')
export class CouponTierCursor {
  @PrimaryColumn({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'bigint', default: 0 })
  lastChangeId: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

/**
 * The tier changes whose perks were handled (issued, refused, or none due), one row each: a change
 * that commits after the cursor passed its id is still found by the recheck window and handled once.
 */
@Entity('coupon_tier_perk_changes')
@Index('coupon_tier_perk_changes_brand_idx', ['brandId', 'changeId'])
export class CouponTierPerkChange {
  @PrimaryColumn({ type: 'bigint' })
  changeId: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  outcome: unknown[];

  @CreateDateColumn({ type: 'timestamptz' })
  processedAt: Date;
}
