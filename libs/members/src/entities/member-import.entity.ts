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
import type { ActorType } from '@siyu/platform';

export const IMPORT_STATUSES = ['queued', 'processing', 'completed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** A CSV upload of members; its bytes wait in `member_import_chunks` until the worker applies them. */
@Entity('member_imports')
@Check('member_imports_status', `status IN ('queued', 'processing', 'completed', 'failed')`)
@Check(
  'member_imports_counts',
  `processed_rows >= 0 AND inserted_count >= 0 AND updated_count >= 0 AND failed_count >= 0`,
)
@Index('member_imports_brand_idx', ['brandId', 'createdAt', 'id'])
export class MemberImport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 255 })
  filename: string;

  @Column({ type: 'varchar', length: 16, default: 'queued' })
  status: ImportStatus;

  @Column({ type: 'bigint', default: 0 })
  byteSize: string;

  @Column({ type: 'char', length: 64, nullable: true })
  sha256: string | null;

  @Column({ type: 'int', nullable: true })
  totalRows: number | null;

  @Column({ type: 'int', default: 0 })
  processedRows: number;

  @Column({ type: 'int', default: 0 })
  insertedCount: number;

  @Column({ type: 'int', default: 0 })
  updatedCount: number;

  @Column({ type: 'int', default: 0 })
  failedCount: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'bigint', nullable: true })
  workItemId: string | null;

  @ManyToOne('WorkItem', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'work_item_id' })
  workItem?: unknown;

  @Column({ type: 'varchar', length: 16 })
  createdByType: ActorType;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
