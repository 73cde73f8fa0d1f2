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
import {
  FOLLOW_ENDED_BY,
  FOLLOW_STATUSES,
  FollowEndedBy,
  FollowStatus,
  sqlList,
} from '../communities.constants';

/**
 * A 1:1 WeCom relationship between a staff member and a customer (the customer is the staff
 * member's external contact), from change_external_contact callbacks. `ended` when either side
 * deleted the other; a member with no active relationship cannot get WeCom 1:1 messages.
 */
@Entity('community_contact_follows')
@Index('community_contact_follows_key', ['brandId', 'staffId', 'externalUserid'], { unique: true })
@Index('community_contact_follows_member_idx', ['memberId'], { where: 'member_id IS NOT NULL' })
@Index('community_contact_follows_external_idx', ['brandId', 'externalUserid'])
@Check('community_contact_follows_status', `status IN (${sqlList(FOLLOW_STATUSES)})`)
@Check(
  'community_contact_follows_ended',
  `(status = 'ended') = (ended_at IS NOT NULL) AND (ended_by IS NULL OR ended_by IN (${sqlList(FOLLOW_ENDED_BY)}))`,
)
export class ContactFollow {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  staffId: string;

  @ManyToOne('StaffAccount', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'staff_id' })
  staff?: unknown;

  @Column({ type: 'varchar', length: 64 })
  externalUserid: string;

  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'varchar', length: 8 })
  status: FollowStatus;

  /** The contact way's `state` the customer added through (渠道活码), for attribution. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  state: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  addedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  editedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  endedBy: FollowEndedBy | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
