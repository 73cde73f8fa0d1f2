import {
  Check,
  Column,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/**
 * A slice of a campaign's delivery ledger (ids `firstId`…`lastId`) that one job works through. The
 * job carries only the chunk's id; `open` chunks of a sending campaign must have a job (the
 * reconciler re-adds it). `counts` is recomputed from the rows after each batch ("variant:status" →
 * rows), so progress sums a few thousand chunks instead of counting a million rows.
 */
@Entity('campaign_chunks')
@Index('campaign_chunks_campaign_no_key', ['campaignId', 'chunkNo'], { unique: true })
@Index('campaign_chunks_open_idx', ['campaignId', 'id'], { where: `status = 'open'` })
@Check('campaign_chunks_status', `status IN ('open', 'done')`)
@Check('campaign_chunks_range', `first_id <= last_id`)
export class CampaignChunk {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  campaignId: string;

  @ManyToOne('Campaign', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: unknown;

  @Column({ type: 'int' })
  chunkNo: number;

  @Column({ type: 'bigint' })
  firstId: string;

  @Column({ type: 'bigint' })
  lastId: string;

  @Column({ type: 'int' })
  total: number;

  /** The earliest local send time among its rows (member-time-zone campaigns): its job waits for it. */
  @Column({ type: 'timestamptz', nullable: true })
  notBefore: Date | null;

  @Column({ type: 'varchar', length: 8, default: 'open' })
  status: 'open' | 'done';

  @Column({ type: 'jsonb', default: () => `'{}'` })
  counts: Record<string, number>;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
