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

/**
 * One rung of a brand's ladder. `rank` 0 is the entry tier (threshold 0); a member holds the highest
 * rank whose `threshold` (minor units or an order count, per the ladder's basis) they reach.
 * `perks` is read by the libs that grant them (a coupon template, a welcome message).
 */
@Entity('tiers')
@Check('tiers_rank', `rank >= 0`)
@Check('tiers_threshold', `threshold >= 0 AND (rank > 0 OR threshold = 0)`)
@Index('tiers_rank_key', ['brandId', 'rank'], { unique: true })
@Index('tiers_name_key', ['brandId', 'name'], { unique: true })
/** What member_tiers' (brand_id, tier_id) foreign key refers to. */
@Index('tiers_brand_id_key', ['brandId', 'id'], { unique: true })
export class Tier {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 40 })
  name: string;

  @Column({ type: 'smallint' })
  rank: number;

  @Column({ type: 'bigint' })
  threshold: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  perks: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
