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
import { MEMBERSHIP_TYPES, MembershipType, sqlList } from '../communities.constants';

/**
 * One stay of one person in one group chat: joined_at until left_at (NULL while they are in it).
 * Leaving and joining again is a new row, so the history is kept; at most one open row per
 * (group, userid). Customers link to their member (`member_id`); staff rows have none.
 */
@Entity('community_group_members')
@Index('community_group_members_active_key', ['groupId', 'userid'], {
  unique: true,
  where: 'left_at IS NULL',
})
@Index('community_group_members_group_idx', ['groupId', 'id'])
@Index('community_group_members_member_idx', ['memberId', 'groupId'], { where: 'member_id IS NOT NULL' })
@Index('community_group_members_userid_idx', ['brandId', 'userid'])
@Check('community_group_members_type', `member_type IN (${sqlList(MEMBERSHIP_TYPES)})`)
@Check('community_group_members_stay', `left_at IS NULL OR left_at >= joined_at`)
@Check('community_group_members_staff_unlinked', `member_type = 'external' OR member_id IS NULL`)
export class GroupMembership {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  groupId: string;

  @ManyToOne('GroupChat', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: unknown;

  /** The staff userid or the customer's external_userid. */
  @Column({ type: 'varchar', length: 64 })
  userid: string;

  @Column({ type: 'varchar', length: 8 })
  memberType: MembershipType;

  /** The customer's member (NULL for staff). */
  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'timestamptz' })
  joinedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  leftAt: Date | null;

  /** groupchat/get join_scene: 1 invited directly, 2 by invitation link, 3 scanned the group QR code (callbacks: 0 invited, 3 QR). */
  @Column({ type: 'smallint', nullable: true })
  joinScene: number | null;

  /** Callback QuitScene: 0 left by themselves, 1 removed by the owner or an admin. */
  @Column({ type: 'smallint', nullable: true })
  quitScene: number | null;

  /** The staff userid who invited them, when WeCom says. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  invitorUserid: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
