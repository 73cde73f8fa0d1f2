import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type AffiliateImportStatus = 'pending' | 'running' | 'completed' | 'failed';

/**
 * An uploaded affiliate order report: the row is the job (invariant 1). The worker applies it in
 * batches, each in its own transaction, moving `processed_rows` so progress is readable and a
 * retried job resumes after the last committed batch.
 */
@Entity('affiliate_imports')
@Index('affiliate_imports_source_idx', ['brandId', 'sourceId', 'createdAt', 'id'])
@Check('affiliate_imports_status', `status IN ('pending', 'running', 'completed', 'failed')`)
export class AffiliateImport {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  sourceId: string;

  @ManyToOne('OrderSource', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'source_id' })
  source?: unknown;

  @Column({ type: 'varchar', length: 255 })
  filename: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: AffiliateImportStatus;

  @Column({ type: 'bigint', default: 0 })
  byteSize: string;

  @Column({ type: 'int', default: 0 })
  totalRows: number;

  @Column({ type: 'int', default: 0 })
  processedRows: number;

  @Column({ type: 'int', default: 0 })
  createdCount: number;

  @Column({ type: 'int', default: 0 })
  updatedCount: number;

  @Column({ type: 'int', default: 0 })
  unchangedCount: number;

  @Column({ type: 'int', default: 0 })
  failedCount: number;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'varchar', length: 16 })
  createdByType: string;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @Column({ type: 'bigint', nullable: true })
  workItemId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}

/** The uploaded file, in pieces, until the import completes. */
@Entity('affiliate_import_chunks')
export class AffiliateImportChunk {
  @PrimaryColumn({ type: 'uuid' })
  importId: string;

  @PrimaryColumn({ type: 'int' })
  seq: number;

  @ManyToOne('AffiliateImport', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id' })
  import?: unknown;

  @Column({ type: 'bytea' })
  data: Buffer;
}

/** A row the import skipped: its line in the file, the field and why. */
@Entity('affiliate_import_errors')
export class AffiliateImportError {
  @PrimaryColumn({ type: 'uuid' })
  importId: string;

  @PrimaryColumn({ type: 'int' })
  line: number;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  field: string;

  @ManyToOne('AffiliateImport', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id' })
  import?: unknown;

  @Column({ type: 'text' })
  reason: string;
}
