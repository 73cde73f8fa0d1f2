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
import { GROUP_CAPACITY, GROUP_STATUSES, GroupStatus, sqlList } from '../communities.constants';

/**
 * A WeCom customer group chat (客户群), unique per brand by chat_id. Kept current by the sync job
 * (groupchat/list + groupchat/get) and by change_external_chat callbacks. A group the callbacks
 * announced but that was not fetched yet is a stub (`synced_at` NULL, `needs_refresh`).
 */
@Entity('community_groups')
@Index('community_groups_chat_key', ['brandId', 'chatId'], { unique: true })
@Index('community_groups_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Index('community_groups_owner_idx', ['ownerStaffId'])
@Check('community_groups_status', `status IN (${sqlList(GROUP_STATUSES)})`)
@Check('community_groups_dismissed', `(status = 'dismissed') = (dismissed_at IS NOT NULL)`)
@Check(
  'community_groups_counts',
  `member_count >= 0 AND external_member_count >= 0 AND external_member_count <= member_count`,
)
@Check('community_groups_capacity', `capacity > 0`)
@Check('community_groups_wecom_status', `wecom_status BETWEEN 0 AND 3`)
@Check('community_groups_chat_id', `chat_id <> ''`)
export class GroupChat {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 64 })
  chatId: string;

  @Column({ type: 'varchar', length: 200, default: '' })
  name: string;

  /** The group owner (群主); NULL only for a stub not fetched yet. */
  @Column({ type: 'uuid', nullable: true })
  ownerStaffId: string | null;

  @ManyToOne('StaffAccount', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'owner_staff_id' })
  owner?: unknown;

  @Column({ type: 'text', nullable: true })
  notice: string | null;

  /** People in the group now (active memberships, staff and customers). */
  @Column({ type: 'int', default: 0 })
  memberCount: number;

  /** Of which customers (external contacts). */
  @Column({ type: 'int', default: 0 })
  externalMemberCount: number;

  @Column({ type: 'int', default: GROUP_CAPACITY })
  capacity: number;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: GroupStatus;

  /** groupchat/list's status: 0 normal, 1 owner left (pending handover), 2 handover in progress, 3 handover done. */
  @Column({ type: 'smallint', default: 0 })
  wecomStatus: number;

  /** When the group was created in WeCom (create_time). */
  @Column({ type: 'timestamptz', nullable: true })
  wecomCreatedAt: Date | null;

  /** WeCom's member_version (groupchat/get) or the last callback's CurMemVer: a gap means a refresh. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  memberVersion: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  dismissedAt: Date | null;

  /** The last time the whole group (details and members) was read with groupchat/get. */
  @Column({ type: 'timestamptz', nullable: true })
  syncedAt: Date | null;

  /** The last time WeCom showed the group exists (a list page, a get, a callback). */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  lastSeenAt: Date;

  /** A callback could not be applied from its own fields and the fetch failed: the next sync reads it whole. */
  @Column({ type: 'boolean', default: false })
  needsRefresh: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
