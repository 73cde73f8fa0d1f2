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
import { Brand } from '../../tenancy/entities/brand.entity';

export type WorkStatus = 'pending' | 'running' | 'done' | 'failed';

/**
 * A durable unit of queued work (invariant 1): the row exists before its BullMQ job, the job carries
 * only the row id, and the reconciler re-enqueues rows that are still pending when their job is gone.
 */
@Entity('work_items')
@Check('work_items_status', `status IN ('pending', 'running', 'done', 'failed')`)
@Check('work_items_attempts', `attempts >= 0`)
@Index('work_items_dedupe_key', ['queue', 'dedupeKey'], { unique: true })
@Index('work_items_open_idx', ['status', 'runAt'], { where: `status IN ('pending', 'running')` })
export class WorkItem {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid', nullable: true })
  brandId: string | null;

  @ManyToOne(() => Brand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: Brand;

  @Column({ type: 'varchar', length: 64 })
  queue: string;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  /** Optional idempotency key: enqueueing the same key twice yields the same row. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  dedupeKey: string | null;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: WorkStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  runAt: Date;

  /** A running claim expires at this time; a crashed worker's row becomes claimable again. */
  @Column({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
