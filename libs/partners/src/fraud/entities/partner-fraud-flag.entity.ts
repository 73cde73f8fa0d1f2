import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { sqlList } from '../../partners.constants';
import { FRAUD_CHECKS, FRAUD_FLAG_STATUSES, FraudCheck, FraudFlagStatus } from '../fraud.constants';

/**
 * One fraud check's finding on one commission (unique per commission and check, so a re-run is a
 * no-op), with its evidence. `held` says whether the flag put the commission on hold (it could
 * only if it was pending or approved and not yet in a settlement). Reviewed once: approved
 * (cleared) or rejected (fraud confirmed).
 */
@Entity('partner_fraud_flags')
@Index('partner_fraud_flags_commission_key', ['commissionId', 'kind'], { unique: true })
@Index('partner_fraud_flags_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Index('partner_fraud_flags_partner_idx', ['partnerId', 'createdAt'])
@Check('partner_fraud_flags_kind', `kind IN (${sqlList(FRAUD_CHECKS)})`)
@Check('partner_fraud_flags_status', `status IN (${sqlList(FRAUD_FLAG_STATUSES)})`)
@Check('partner_fraud_flags_reviewed', `(status = 'open') = (reviewed_at IS NULL)`)
export class PartnerFraudFlag {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  partnerId: string;

  @ManyToOne('Partner', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partner_id' })
  partner?: unknown;

  @Column({ type: 'uuid' })
  commissionId: string;

  @ManyToOne('PartnerCommission', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'commission_id' })
  commission?: unknown;

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'varchar', length: 24 })
  kind: FraudCheck;

  /** What the check saw (counts, windows, the rule that matched); ids and hashes only, no personal data. */
  @Column({ type: 'jsonb' })
  evidence: Record<string, unknown>;

  /** The commission's status before the hold (null when it was not held). */
  @Column({ type: 'varchar', length: 12, nullable: true })
  heldFrom: string | null;

  @Column({ type: 'boolean' })
  held: boolean;

  @Column({ type: 'varchar', length: 12, default: 'open' })
  status: FraudFlagStatus;

  @Column({ type: 'timestamptz', nullable: true })
  reviewedAt: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  reviewedByType: string | null;

  @Column({ type: 'uuid', nullable: true })
  reviewedById: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  reviewNote: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
