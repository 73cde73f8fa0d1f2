import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  JoinColumn,
  OneToOne,
  PrimaryColumn,
  UpdateDateColumn,
} from 'typeorm';
import { sqlValues, TIER_BASES, TIER_REEVALUATIONS, TierBasis, TierReevaluation } from '../tiers.constants';

/**
 * A brand's ladder settings: what the thresholds measure, over which window (NULL = lifetime, else
 * rolling N days), how long a member may stay below their tier's threshold before a re-evaluation
 * downgrades them (`grace_days`), and when re-evaluation runs in the brand's time zone.
 */
@Entity('tier_ladders')
@Check('tier_ladders_basis', `basis IN (${sqlValues(TIER_BASES)})`)
@Check('tier_ladders_window', `window_days IS NULL OR window_days > 0`)
@Check('tier_ladders_grace', `grace_days >= 0`)
@Check('tier_ladders_reevaluation', `reevaluation IN (${sqlValues(TIER_REEVALUATIONS)})`)
@Check('tier_ladders_reevaluation_time', `reevaluation_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'`)
export class TierLadder {
  @PrimaryColumn({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @OneToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 16, default: 'paid_spend' })
  basis: TierBasis;

  @Column({ type: 'int', nullable: true })
  windowDays: number | null;

  @Column({ type: 'int', default: 30 })
  graceDays: number;

  @Column({ type: 'varchar', length: 8, default: 'monthly' })
  reevaluation: TierReevaluation;

  /** HH:MM in the brand's time zone. */
  @Column({ type: 'varchar', length: 5, default: '03:00' })
  reevaluationTime: string;

  @Column({ type: 'timestamptz', nullable: true })
  lastEvaluatedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
