import { Column, Entity, Index, JoinColumn, ManyToOne, OneToOne, PrimaryColumn } from 'typeorm';
import { Tier } from './tier.entity';

/**
 * A member's current tier. `below_since` is when a re-evaluation first found the member under their
 * tier's threshold (the grace period runs from it); NULL while they qualify.
 */
@Entity('member_tiers')
@Index('member_tiers_brand_tier_idx', ['brandId', 'tierId'])
export class MemberTier {
  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @OneToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  tierId: string;

  @ManyToOne(() => Tier, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'tier_id' })
  tier?: Tier;

  @Column({ type: 'timestamptz' })
  since: Date;

  @Column({ type: 'timestamptz', nullable: true })
  belowSince: Date | null;

  @Column({ type: 'timestamptz' })
  evaluatedAt: Date;
}
