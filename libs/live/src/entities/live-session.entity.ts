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
import { LIVE_PLATFORMS, LIVE_STATUSES, LivePlatform, LiveStatus, sqlList } from '../live.constants';

/**
 * A live-commerce session: where and when the brand goes live, who hears about it (group chats
 * and/or segments) and its live-only coupon. Times are UTC; the API reads and shows them in the
 * brand's zone. Its reminders are `live_reminders`, each sent through campaigns.
 */
@Entity('live_sessions')
@Index('live_sessions_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Check('live_sessions_status', `status IN (${sqlList(LIVE_STATUSES)})`)
@Check('live_sessions_platform', `platform IN (${sqlList(LIVE_PLATFORMS)})`)
@Check('live_sessions_window', `planned_end_at > planned_start_at`)
@Check('live_sessions_title_not_blank', `btrim(title) <> ''`)
@Check('live_sessions_counts', `rsvp_count >= 0 AND coupon_grace_minutes >= 0`)
export class LiveSession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'varchar', length: 20 })
  platform: LivePlatform;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  roomUrl: string | null;

  /** WeChat Channels (视频号) finder user name, when the room is on Channels. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  finderId: string | null;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  coverImageUrl: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  host: string | null;

  @Column({ type: 'timestamptz' })
  plannedStartAt: Date;

  @Column({ type: 'timestamptz' })
  plannedEndAt: Date;

  @Column({ type: 'varchar', length: 16, default: 'planned' })
  status: LiveStatus;

  /** Targeted group chats (community_groups ids): one wecom_group campaign per reminder. */
  @Column({ type: 'uuid', array: true, default: () => `'{}'` })
  groupIds: string[];

  /** Targeted segments: one wecom_single campaign per reminder, to their union. */
  @Column({ type: 'uuid', array: true, default: () => `'{}'` })
  segmentIds: string[];

  /** The live-only coupon: its template's window is kept at start → end + grace. */
  @Column({ type: 'uuid', nullable: true })
  couponTemplateId: string | null;

  @Column({ type: 'int', default: 30 })
  couponGraceMinutes: number;

  @Column({ type: 'int', default: 0 })
  rsvpCount: number;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
