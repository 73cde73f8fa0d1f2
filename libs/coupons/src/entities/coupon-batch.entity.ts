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
 * A bulk generation of bearer codes or an issue to a segment. The row is the work (invariant 1):
 * its budget is reserved when it is created, `done` moves after each committed chunk, and a retried
 * job resumes from it.
 */
@Entity('coupon_batches')
@Index('coupon_batches_template_idx', ['templateId', 'createdAt'])
@Index('coupon_batches_open_idx', ['id'], { where: `status IN ('pending', 'running')` })
@Check('coupon_batches_kind', `kind IN ('codes', 'segment')`)
@Check('coupon_batches_status', `status IN ('pending', 'running', 'done', 'failed')`)
@Check('coupon_batches_progress', `requested >= 0 AND done >= 0 AND done <= requested`)
export class CouponBatch {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  templateId: string;

  @ManyToOne('CouponTemplate', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: unknown;

  @Column({ type: 'varchar', length: 16 })
  kind: 'codes' | 'segment';

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: 'pending' | 'running' | 'done' | 'failed';

  @Column({ type: 'int' })
  requested: number;

  @Column({ type: 'int', default: 0 })
  done: number;

  /** segment: members skipped because they already hold the per-member limit. */
  @Column({ type: 'int', default: 0 })
  skipped: number;

  @Column({ type: 'uuid', nullable: true })
  segmentId: string | null;

  @Column({ type: 'uuid', nullable: true })
  snapshotId: string | null;

  /** A partner's or a print run's label; with the batch id it is the codes' source_ref. */
  @Column({ type: 'varchar', length: 200, nullable: true })
  label: string | null;

  @Column({ type: 'varchar', length: 16, default: 'bulk' })
  source: string;

  /** segment: the last member id issued (the keyset a resumed job continues from). */
  @Column({ type: 'uuid', nullable: true })
  cursor: string | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}
