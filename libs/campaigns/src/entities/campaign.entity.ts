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
import type { ChannelKind, ChannelMessage } from '@siyu/channels';
import { CAMPAIGN_STATUSES, CampaignStatus, sqlList } from '../campaigns.constants';

/** Who a campaign goes to: a segment, group chats, an explicit list of members, or a registered resolver's members. */
export type CampaignAudience =
  | { kind: 'segment'; segmentId: string }
  | { kind: 'groups'; groupIds?: string[]; chatIds?: string[]; tagIds?: string[]; all?: boolean }
  | { kind: 'list'; memberIds: string[] }
  | { kind: 'registered'; resolver: string; ref: string };

/** One version of the content; with several, recipients are split by `weight`. */
export interface CampaignVariant {
  name: string;
  weight: number;
  message: ChannelMessage;
}

/**
 * A campaign: content (one or more variants), an audience, a channel and a schedule. The row is the
 * truth of its state (invariant 1): `scheduled` has a start job, `sending` has chunk jobs for its
 * open chunks and collect jobs for its open WeCom tasks; the reconciler re-creates any that are gone.
 */
@Entity('campaigns')
@Index('campaigns_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Index('campaigns_active_idx', ['status', 'id'], { where: `status IN ('scheduled', 'sending', 'cancelled')` })
@Check('campaigns_status', `status IN (${sqlList(CAMPAIGN_STATUSES)})`)
@Check('campaigns_channel', `channel IN ('wecom_group', 'wecom_single', 'oa')`)
@Check('campaigns_name_not_blank', `btrim(name) <> ''`)
export class Campaign {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  channel: ChannelKind;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status: CampaignStatus;

  @Column({ type: 'jsonb' })
  audience: CampaignAudience;

  @Column({ type: 'jsonb' })
  variants: CampaignVariant[];

  /** OA: the channel_oa_apps row that sends. */
  @Column({ type: 'uuid', nullable: true })
  oaAppId: string | null;

  /** WeCom 1:1: only customers of this staff userid (null: each customer's latest staff contact). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  sender: string | null;

  /** Sent even inside the brand's quiet hours (e.g. a "we are live" notice the brand allows). */
  @Column({ type: 'boolean', default: false })
  quietHoursExempt: boolean;

  /** Not counted against, nor stopped by, the brand's per-member frequency cap (service messages). */
  @Column({ type: 'boolean', default: false })
  frequencyCapExempt: boolean;

  /** When it is to start sending (UTC); null until scheduled. */
  @Column({ type: 'timestamptz', nullable: true })
  sendAt: Date | null;

  /** The schedule as the operator entered it, and the zone it was read in. */
  @Column({ type: 'varchar', length: 19, nullable: true })
  sendAtLocal: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  timeZone: string | null;

  /**
   * Each member gets it at `sendAtLocal` in their own time zone (members without one: `timeZone`);
   * `sendAt` is then the earliest of those instants, when the campaign starts.
   */
  @Column({ type: 'boolean', default: false })
  memberTimeZone: boolean;

  /** Bumped by every (re)schedule: the start job's id carries it, so an old job is a no-op. */
  @Column({ type: 'int', default: 0 })
  scheduleVersion: number;

  /** Recipients snapshotted into the ledger, and how long the snapshot took. */
  @Column({ type: 'int', nullable: true })
  audienceSize: number | null;

  @Column({ type: 'int', nullable: true })
  snapshotMs: number | null;

  /** While quiet hours hold the sending: until when. */
  @Column({ type: 'timestamptz', nullable: true })
  heldUntil: Date | null;

  @Column({ type: 'text', nullable: true })
  failureReason: string | null;

  /** Bumped on resume and resend: chunk jobs' ids carry it, so the new jobs are not the old, finished ones. */
  @Column({ type: 'int', default: 0 })
  round: number;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
