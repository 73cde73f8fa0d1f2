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
  CHURN_ALERT_CHANNELS,
  CHURN_ALERT_STATUSES,
  ChurnAlertChannel,
  ChurnAlertStatus,
  sqlList,
} from '../churn.constants';

/** One alert to send for a churn event (a row first, then its BullMQ job; the reconciler re-adds lost jobs). */
@Entity('acquisition_churn_alerts')
@Index('acquisition_churn_alerts_key', ['churnEventId', 'channel'], { unique: true })
@Index('acquisition_churn_alerts_open_idx', ['id'], { where: `status IN ('pending', 'sending')` })
@Check('acquisition_churn_alerts_channel', `channel IN (${sqlList(CHURN_ALERT_CHANNELS)})`)
@Check('acquisition_churn_alerts_status', `status IN (${sqlList(CHURN_ALERT_STATUSES)})`)
export class ChurnAlert {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'bigint' })
  churnEventId: string;

  @ManyToOne('ChurnEvent', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'churn_event_id' })
  churnEvent?: unknown;

  @Column({ type: 'varchar', length: 10 })
  channel: ChurnAlertChannel;

  @Column({ type: 'varchar', length: 10, default: 'pending' })
  status: ChurnAlertStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
