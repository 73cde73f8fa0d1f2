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
import type { ActorType } from '@siyu/platform';
import { sqlValues, TIER_CHANGE_REASONS, TierChangeReason } from '../tiers.constants';

/**
 * A member's tier history: one row per change, never edited. It is also the member timeline's
 * `tier.changed` entry (read through MemberTimelineRegistry, not copied into member_events).
 */
@Entity('tier_changes')
@Check('tier_changes_reason', `reason IN (${sqlValues(TIER_CHANGE_REASONS)})`)
@Index('tier_changes_member_idx', ['memberId', 'at'])
@Index('tier_changes_brand_at_idx', ['brandId', 'at', 'id'])
export class TierChange {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  memberId: string;

  /**
   * One composite key to the member of the same brand (`members_brand_id_key`): a change can only
   * name a member of its own brand, and each written row pays one key check, not one for the brand
   * and one for the member. Deleting a brand reaches these rows through its members.
   * By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
   */
  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'brand_id', referencedColumnName: 'brandId' },
    { name: 'member_id', referencedColumnName: 'id' },
  ])
  member?: unknown;

  /** NULL when the member had no tier yet. */
  @Column({ type: 'uuid', nullable: true })
  fromTierId: string | null;

  @Column({ type: 'uuid' })
  toTierId: string;

  @Column({ type: 'varchar', length: 16 })
  reason: TierChangeReason;

  /** The progress that decided it (qualifying spend or orders, threshold, grace). */
  @Column({ type: 'jsonb', nullable: true })
  data: Record<string, unknown> | null;

  /** Who made it when an operator did (a ladder save); NULL: the system (orders, schedules, merges). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  actorType: ActorType | null;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  at: Date;
}
