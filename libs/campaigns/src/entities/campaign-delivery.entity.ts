import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DELIVERY_STATUSES, DeliveryStatus, sqlList } from '../campaigns.constants';

/**
 * The delivery ledger (invariant 2): one row per (campaign, recipient), written by the fan-out's
 * `INSERT … SELECT … ON CONFLICT DO NOTHING`. A worker claims rows (`UPDATE … RETURNING`) before it
 * sends, and the channel call carries an idempotency key derived from the row. The recipient is a
 * member (1:1 and OA) or a group chat (group broadcasts); `address` is what the channel needs
 * (external_userid, openid, chat_id), fixed at the snapshot.
 */
@Entity('campaign_deliveries')
@Index('campaign_deliveries_recipient_key', ['campaignId', 'recipientKey'], { unique: true })
@Index('campaign_deliveries_member_recent_idx', ['memberId', 'claimedAt'], {
  where: `member_id IS NOT NULL AND claimed_at IS NOT NULL`,
})
@Index('campaign_deliveries_group_recent_idx', ['groupId', 'claimedAt'], {
  where: `group_id IS NOT NULL AND claimed_at IS NOT NULL`,
})
@Index('campaign_deliveries_reasons_idx', ['campaignId', 'status', 'reason'], {
  where: `status IN ('skipped', 'failed', 'cancelled')`,
})
@Index('campaign_deliveries_task_idx', ['taskId'], { where: `task_id IS NOT NULL` })
@Check('campaign_deliveries_status', `status IN (${sqlList(DELIVERY_STATUSES)})`)
@Check('campaign_deliveries_recipient', `member_id IS NOT NULL OR group_id IS NOT NULL`)
export class CampaignDelivery {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  campaignId: string;

  @ManyToOne('Campaign', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  /** The member's or the group's id: unique per campaign. */
  @Column({ type: 'uuid' })
  recipientKey: string;

  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @Column({ type: 'uuid', nullable: true })
  groupId: string | null;

  @Column({ type: 'smallint', default: 0 })
  variant: number;

  @Column({ type: 'varchar', length: 128, nullable: true })
  address: string | null;

  /** The staff userid who sends (WeCom). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  sender: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'varchar', length: 64, nullable: true })
  reason: string | null;

  @Column({ type: 'int', nullable: true })
  errcode: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  nextAttemptAt: Date | null;

  /** A member-time-zone campaign: not before the member's local send time, in this zone. */
  @Column({ type: 'timestamptz', nullable: true })
  notBefore: Date | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  timeZone: string | null;

  /** When the row was last claimed; frequency caps count claims within their window. */
  @Column({ type: 'timestamptz', nullable: true })
  claimedAt: Date | null;

  /** A `sending` row past this is a claim whose worker is gone. */
  @Column({ type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @Column({ type: 'bigint', nullable: true })
  taskId: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  providerMessageId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
