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
import type { SegmentRule } from '../rule/segment-rule';

/** A saved rule with its cached member count (refreshed on save and by a queued refresh). */
@Entity('segments')
@Index('segments_brand_name_key', ['brandId', 'name'], { unique: true })
@Check('segments_name_not_blank', `btrim(name) <> ''`)
@Check('segments_member_count', `member_count IS NULL OR member_count >= 0`)
export class Segment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'jsonb' })
  rule: SegmentRule;

  /** Count erased members (personal data gone, aggregates kept) too; snapshots never include them. */
  @Column({ type: 'boolean', default: false })
  includeErased: boolean;

  @Column({ type: 'int', nullable: true })
  memberCount: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  countedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
