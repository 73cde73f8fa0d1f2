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
 * The history of a partner's lifecycle: every status or tier change (activation, promotion,
 * demotion, suspension, ban), who or what made it (`actor_id` null: the scheduled evaluation) and
 * the evidence (the figures a rule was judged on).
 */
@Entity('partner_tier_changes')
@Index('partner_tier_changes_partner_idx', ['partnerId', 'id'])
export class PartnerTierChange {
  @PrimaryGeneratedColumn({ type: 'bigint' })
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

  @Column({ type: 'varchar', length: 16 })
  fromStatus: string;

  @Column({ type: 'varchar', length: 16 })
  toStatus: string;

  @Column({ type: 'varchar', length: 16, nullable: true })
  fromTier: string | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  toTier: string | null;

  /** `activated`, `promoted`, `demoted`, `suspended`, `reinstated`, `banned`, `set_by_operator`. */
  @Column({ type: 'varchar', length: 24 })
  reason: string;

  @Column({ type: 'jsonb', nullable: true })
  evidence: Record<string, unknown> | null;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  changedAt: Date;
}
