import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { sqlValues, TIER_EVALUATION_TRIGGERS, TierEvaluationTrigger } from '../tiers.constants';

/**
 * One whole-brand evaluation run (a scheduled or caught-up re-evaluation, an operator's on-demand
 * run, or a ladder save) and what it did. Its tier_changes rows carry its id in `data.evaluationId`.
 * Upgrades on an order are per member and leave no row here (their tier_changes say 'order').
 */
@Entity('tier_evaluations')
@Check('tier_evaluations_trigger', `trigger IN (${sqlValues(TIER_EVALUATION_TRIGGERS)})`)
@Index('tier_evaluations_brand_idx', ['brandId', 'id'])
export class TierEvaluation {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 16 })
  trigger: TierEvaluationTrigger;

  /** The on-demand run's work item (POST /v1/tiers/reevaluate answers with its id). */
  @Column({ type: 'bigint', nullable: true })
  workItemId: string | null;

  /** The instant the members were evaluated at (windows and grace are computed from it). */
  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'timestamptz', default: () => 'clock_timestamp()' })
  startedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  /** Members who had no tier and were given one. */
  @Column({ type: 'int', default: 0 })
  assigned: number;

  @Column({ type: 'int', default: 0 })
  upgraded: number;

  @Column({ type: 'int', default: 0 })
  downgraded: number;

  /** Members moved off a tier the ladder no longer has. */
  @Column({ type: 'int', default: 0 })
  remapped: number;

  /** Members found below their tier's threshold for the first time (grace started). */
  @Column({ type: 'int', default: 0 })
  graceStarted: number;

  /** Members in grace who qualify again. */
  @Column({ type: 'int', default: 0 })
  graceCleared: number;

  @Column({ type: 'bigint', nullable: true })
  firstChangeId: string | null;

  @Column({ type: 'bigint', nullable: true })
  lastChangeId: string | null;
}
