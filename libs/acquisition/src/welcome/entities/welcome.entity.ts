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
import type { WecomMessage } from '@siyu/channels';
import { sqlList } from '../../channel-codes/channel-codes.constants';
import { WELCOME_STATUSES, WelcomeStatus } from '../welcome.constants';

/**
 * One welcome message to send with an add event's WelcomeCode, rendered when the add was
 * recorded (per-contact link, issued coupon). A row before it is a job (invariant 1); the worker
 * claims it before the call; sent, expired (41050) and already_chatted (41051) are final.
 */
@Entity('acquisition_welcomes')
@Index('acquisition_welcomes_contact_key', ['contactId'], { unique: true })
@Index('acquisition_welcomes_open_idx', ['expiresAt'], { where: `status IN ('pending', 'sending')` })
@Check('acquisition_welcomes_status', `status IN (${sqlList(WELCOME_STATUSES)})`)
export class Welcome {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'bigint' })
  contactId: string;

  @ManyToOne('AcquisitionContact', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'contact_id' })
  contact?: unknown;

  @Column({ type: 'varchar', length: 256 })
  welcomeCode: string;

  @Column({ type: 'jsonb' })
  message: WecomMessage;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: WelcomeStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reason: string | null;

  /** When the callback reached Siyu. */
  @Column({ type: 'timestamptz' })
  receivedAt: Date;

  /** The WelcomeCode's end: the add event's time plus 20 s. */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  /** When a worker first claimed it (the welcome queue's wait is created → claimed). */
  @Column({ type: 'timestamptz', nullable: true })
  claimedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
