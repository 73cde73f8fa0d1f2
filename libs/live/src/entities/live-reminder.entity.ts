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
import { REMINDER_KINDS, REMINDER_STATUSES, ReminderKind, ReminderStatus, sqlList } from '../live.constants';

/**
 * One announcement of a session: when it is due and the campaigns that carry it (a group campaign
 * and/or a 1:1 campaign). The row exists before its campaigns; a replaced plan cancels it.
 */
@Entity('live_reminders')
@Index('live_reminders_session_idx', ['sessionId', 'position'])
@Check('live_reminders_kind', `kind IN (${sqlList(REMINDER_KINDS)})`)
@Check('live_reminders_status', `status IN (${sqlList(REMINDER_STATUSES)})`)
@Check('live_reminders_minutes', `minutes IS NULL OR minutes >= 0`)
export class LiveReminder {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne('LiveSession', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: unknown;

  @Column({ type: 'varchar', length: 16 })
  kind: ReminderKind;

  /** before_start / after_end: the offset in minutes. */
  @Column({ type: 'int', nullable: true })
  minutes: number | null;

  @Column({ type: 'text' })
  text: string;

  /** Its place in the plan (cancel notices come after). */
  @Column({ type: 'int' })
  position: number;

  @Column({ type: 'timestamptz' })
  dueAt: Date;

  @Column({ type: 'varchar', length: 16 })
  status: ReminderStatus;

  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Column({ type: 'uuid', nullable: true })
  groupCampaignId: string | null;

  @Column({ type: 'uuid', nullable: true })
  memberCampaignId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
