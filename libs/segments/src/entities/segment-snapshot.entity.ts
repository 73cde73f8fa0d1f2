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
import type { SegmentRule } from '../rule/segment-rule';
import { Segment } from './segment.entity';

/** An audience frozen at one instant (a campaign's recipients), with the rule that made it. */
@Entity('segment_snapshots')
@Index('segment_snapshots_segment_idx', ['brandId', 'segmentId', 'createdAt'])
@Check('segment_snapshots_member_count', `member_count >= 0`)
export class SegmentSnapshot {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** The saved segment it came from; null for an ad-hoc rule, or once the segment is deleted. */
  @Column({ type: 'uuid', nullable: true })
  segmentId: string | null;

  @ManyToOne(() => Segment, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'segment_id' })
  segment?: Segment;

  @Column({ type: 'jsonb' })
  rule: SegmentRule;

  /** What it is for, e.g. `campaign:<id>` (free text from the caller). */
  @Column({ type: 'varchar', length: 120, nullable: true })
  label: string | null;

  @Column({ type: 'int' })
  memberCount: number;

  /** The instant relative conditions were evaluated at. */
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
