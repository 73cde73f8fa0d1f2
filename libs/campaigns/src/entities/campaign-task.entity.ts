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

/**
 * A WeCom broadcast task (add_msg_template) of a campaign. Written as `submitting` and committed
 * before the call, so a crash during the call leaves a trace: a stale `submitting` task's rows may or
 * may not have reached WeCom, and are failed as `outcome_unknown` rather than sent again. After the
 * call it is `open` (results polled with get_groupmsg_send_result until every recipient is final, or
 * the deadline), then `done`, or `cancelled` by cancel_groupmsg_send.
 */
@Entity('campaign_tasks')
@Index('campaign_tasks_campaign_idx', ['campaignId', 'id'])
@Index('campaign_tasks_open_idx', ['status', 'id'], { where: `status IN ('submitting', 'open')` })
@Check('campaign_tasks_status', `status IN ('submitting', 'open', 'done', 'cancelled', 'unknown')`)
export class CampaignTask {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  campaignId: string;

  @ManyToOne('Campaign', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'varchar', length: 16 })
  kind: 'wecom_group' | 'wecom_single';

  @Column({ type: 'varchar', length: 16, default: 'submitting' })
  status: 'submitting' | 'open' | 'done' | 'cancelled' | 'unknown';

  @Column({ type: 'varchar', length: 64, nullable: true })
  sender: string | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  msgid: string | null;

  /** Result polls so far (sizes the backoff). */
  @Column({ type: 'int', default: 0 })
  polls: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  nextPollAt: Date;

  /** Unconfirmed recipients are failed after this. */
  @Column({ type: 'timestamptz' })
  deadline: Date;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
