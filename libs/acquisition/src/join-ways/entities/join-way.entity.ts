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
import { JOIN_WAY_STATUSES, JoinWayStatus, sqlList } from '../join-ways.constants';

/**
 * A group code (客户群进群方式, groupchat/add_join_way): an ordered pool of the brand's customer
 * groups; WeCom routes scans to `active_chat_ids` (at most 5, the first of the pool not yet full).
 * When a group fills, the join way is updated to route to the next ones (see JoinWaysService.rollover).
 */
@Entity('acquisition_join_ways')
@Index('acquisition_join_ways_state_key', ['brandId', 'state'], { unique: true, where: 'deleted_at IS NULL' })
@Index('acquisition_join_ways_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Check('acquisition_join_ways_status', `status IN (${sqlList(JOIN_WAY_STATUSES)})`)
@Check('acquisition_join_ways_group_limit', `group_limit BETWEEN 1 AND 500`)
@Check(
  'acquisition_join_ways_pool',
  `cardinality(chat_ids) BETWEEN 1 AND 20 AND cardinality(active_chat_ids) <= 5`,
)
@Check('acquisition_join_ways_deleted', `(status = 'deleted') = (deleted_at IS NOT NULL)`)
export class JoinWay {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 60 })
  name: string;

  /** The join way's `state` (≤ 30 characters, unique in the brand): add_member callbacks carry it. */
  @Column({ type: 'varchar', length: 30 })
  state: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  configId: string | null;

  @Column({ type: 'text', nullable: true })
  qrCode: string | null;

  /** The ordered pool of group chat_ids (1–20); rooms WeCom auto-created are appended. */
  @Column({ type: 'text', array: true })
  chatIds: string[];

  /** What WeCom routes to now (≤ 5). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  activeChatIds: string[];

  /** Groups of the pool found full (member_count ≥ group_limit) at the last rollover. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  fullChatIds: string[];

  @Column({ type: 'boolean', default: false })
  autoCreateRoom: boolean;

  @Column({ type: 'varchar', length: 40, nullable: true })
  roomBaseName: string | null;

  @Column({ type: 'int', nullable: true })
  roomBaseId: number | null;

  /** A group counts as full at this many people (WeCom's limit is 500; lower for tests and small groups). */
  @Column({ type: 'int', default: 500 })
  groupLimit: number;

  /** The group welcome template (入群欢迎语) text. */
  @Column({ type: 'text', nullable: true })
  welcomeText: string | null;

  /** The template's id at WeCom (group_welcome_template/add), which the group owner's welcome uses. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  welcomeTemplateId: string | null;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: JoinWayStatus;

  @Column({ type: 'timestamptz', nullable: true })
  rolledOverAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  deletedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
