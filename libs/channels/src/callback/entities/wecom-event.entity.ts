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

export const WECOM_EVENT_STATUSES = ['pending', 'processing', 'done', 'failed', 'ignored'] as const;
export type WecomEventStatus = (typeof WECOM_EVENT_STATUSES)[number];

/**
 * A WeCom callback event, stored once (unique per brand by the hash of its decrypted XML) before
 * it is handled: Postgres holds it, a job carries its id, and the reconciler re-enqueues events
 * still pending or failed. `payload` is the parsed event with free-text personal fields redacted.
 */
@Entity('channel_wecom_events')
@Index('channel_wecom_events_dedupe_key', ['brandId', 'dedupeKey'], { unique: true })
@Index('channel_wecom_events_open_idx', ['status', 'id'], {
  where: `status IN ('pending', 'processing', 'failed')`,
})
@Index('channel_wecom_events_brand_idx', ['brandId', 'id'])
@Check('channel_wecom_events_status', `status IN (${WECOM_EVENT_STATUSES.map((s) => `'${s}'`).join(', ')})`)
@Check('channel_wecom_events_attempts', `attempts >= 0`)
export class WecomEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** sha256 (hex) of the decrypted XML: WeCom re-sends the same XML when it got no answer. */
  @Column({ type: 'varchar', length: 64 })
  dedupeKey: string;

  /** `Event` (change_external_chat…) or, for plain messages, `MsgType`. */
  @Column({ type: 'varchar', length: 64 })
  event: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  changeType: string | null;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: WecomEventStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  processedAt: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
