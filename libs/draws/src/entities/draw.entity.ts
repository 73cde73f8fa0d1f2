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
import { DRAW_STATUSES, DrawStatus, sqlList } from '../draws.constants';

/** Who may enter: all conditions given must hold for the member (checked in SQL at entry). */
export interface DrawEligibility {
  /** The member's current tier is one of these. */
  tierIds?: string[];
  /** The member matches this saved segment now. */
  segmentId?: string;
  /** The member is in one of these group chats now (Siyu group ids). */
  groupIds?: string[];
}

/**
 * A lucky draw. Once published its table (prizes, weights, stock, fallback weight) and its seed are
 * fixed: the seed's SHA-256 (`commitment`) is public from then on, the seed itself only once the
 * draw is closed (closed early, or past `ends_at`).
 */
@Entity('draws')
@Index('draws_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Check('draws_status', `status IN (${sqlList(DRAW_STATUSES)})`)
@Check('draws_window', `ends_at > starts_at`)
@Check('draws_name_not_blank', `btrim(name) <> ''`)
@Check(
  'draws_limits_positive',
  `(limit_total IS NULL OR limit_total > 0) AND (limit_per_day IS NULL OR limit_per_day > 0)`,
)
@Check('draws_fallback_weight', `fallback_weight >= 0`)
@Check(
  'draws_committed',
  `status = 'draft' OR (seed IS NOT NULL AND commitment IS NOT NULL AND published_at IS NOT NULL)`,
)
export class Draw {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  /** The rules as published to members (how to enter, delivery of physical prizes, contact). */
  @Column({ type: 'text', default: '' })
  rules: string;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status: DrawStatus;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  eligibility: DrawEligibility;

  /** Entries per member over the whole draw (null: no limit). */
  @Column({ type: 'int', nullable: true })
  limitTotal: number | null;

  /** Entries per member per calendar day in the brand's time zone (null: no limit). */
  @Column({ type: 'int', nullable: true })
  limitPerDay: number | null;

  @Column({ type: 'varchar', length: 120 })
  fallbackName: string;

  /** The fallback's own slot in the table (0: only exhausted prizes fall to it). */
  @Column({ type: 'int', default: 0 })
  fallbackWeight: number;

  /** 32 secret bytes from the CSPRNG; never shown before the draw is closed. */
  @Column({ type: 'bytea', nullable: true, select: false })
  seed: Buffer | null;

  /** SHA-256(seed), hex: published when the draw is. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  commitment: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
