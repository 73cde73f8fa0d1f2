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
} from 'typeorm';

/**
 * A reconciliation run: an affiliate programme's report of the commission the brand earned, for
 * one order source and paid-time period, matched line by line against Siyu's own ledger
 * (affiliate_order_lines and their orders). Counts per kind and the two sides' totals are kept
 * with the run; the lines are in partner_reconciliation_lines.
 */
@Entity('partner_reconciliations')
@Index('partner_reconciliations_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Check('partner_reconciliations_period', `period_from < period_to`)
export class PartnerReconciliation {
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

  @Column({ type: 'timestamptz' })
  periodFrom: Date;

  @Column({ type: 'timestamptz' })
  periodTo: Date;

  @Column({ type: 'varchar', length: 255 })
  filename: string;

  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ type: 'bigint' })
  byteSize: string;

  @Column({ type: 'int' })
  reportRows: number;

  @Column({ type: 'int', default: 0 }) matchedCount: number;
  @Column({ type: 'int', default: 0 }) amountMismatchCount: number;
  @Column({ type: 'int', default: 0 }) statusMismatchCount: number;
  @Column({ type: 'int', default: 0 }) missingInSiyuCount: number;
  @Column({ type: 'int', default: 0 }) missingInReportCount: number;
  @Column({ type: 'int', default: 0 }) invalidCount: number;

  /** Σ the report's commission (final, else estimated) over its valid rows. */
  @Column({ type: 'bigint', default: 0 })
  reportCommissionMinor: string;

  /** Σ Siyu's commission over its lines in the period and the report's sub-orders it knows. */
  @Column({ type: 'bigint', default: 0 })
  siyuCommissionMinor: string;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 16 })
  createdByType: string;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** The uploaded file in pieces while the run reads it (deleted in the same transaction). */
@Entity('partner_reconciliation_chunks')
export class PartnerReconciliationChunk {
  @PrimaryColumn({ type: 'uuid' })
  reconciliationId: string;

  @PrimaryColumn({ type: 'int' })
  seq: number;

  @ManyToOne('PartnerReconciliation', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reconciliation_id' })
  reconciliation?: unknown;

  @Column({ type: 'bytea' })
  data: Buffer;
}
