import { Column, Entity, Index, JoinColumn, ManyToOne, OneToOne, PrimaryColumn } from 'typeorm';
import { Tier } from './tier.entity';

/**
 * A member's current tier. `below_since` is when a re-evaluation first found the member under their
 * tier's threshold (the grace period runs from it); NULL while they qualify.
 *
 * No index holds `tier_id`, so a tier change, like a grace start or end, can be a heap-only (HOT)
 * update: no new entry in either index. The brand's rows are found by `member_tiers_brand_idx`
 * (the tier key's RESTRICT check when a tier is deleted, the members per tier).
 */
@Entity('member_tiers')
@Index('member_tiers_brand_idx', ['brandId'])
export class MemberTier {
  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @OneToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  tierId: string;

  /**
   * One key for the brand and the tier: the tier must be one of the row's brand's (which also
   * proves the brand exists), checked once per written row instead of twice.
   */
  @ManyToOne(() => Tier, { onDelete: 'RESTRICT' })
  @JoinColumn([
    { name: 'brand_id', referencedColumnName: 'brandId' },
    { name: 'tier_id', referencedColumnName: 'id' },
  ])
  tier?: Tier;

  @Column({ type: 'timestamptz' })
  since: Date;

  @Column({ type: 'timestamptz', nullable: true })
  belowSince: Date | null;

  @Column({ type: 'timestamptz' })
  evaluatedAt: Date;
}
