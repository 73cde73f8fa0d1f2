import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { SegmentSnapshot } from './segment-snapshot.entity';

/** One member of a snapshot. The brand is the snapshot's (the snapshot row holds its foreign key). */
@Entity('segment_snapshot_members')
// Merges move a member's places to the survivor; the member's rows are found by this index.
@Index('segment_snapshot_members_member_idx', ['memberId'])
export class SegmentSnapshotMember {
  @PrimaryColumn({ type: 'uuid' })
  snapshotId: string;

  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne(() => SegmentSnapshot, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'snapshot_id' })
  snapshot?: SegmentSnapshot;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;
}
