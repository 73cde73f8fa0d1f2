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
import { SETTLEMENT_STATUSES, SettlementStatus } from '../partners-core.constants';
import { sqlList } from '../partners.constants';

/**
 * A partner's settlement for [period_from, period_to): the approved commissions of orders paid
 * before `period_to` not settled before, and the open adjustments, as lines. Draft → confirmed
 * (a trigger refuses any change to its figures or lines from then on) → paid (the payout recorded,
 * its commissions marked paid). Below the tier's minimum payout it is `carried`: it binds no lines
 * and they roll into the next period.
 */
@Entity('partner_settlements')
@Index('partner_settlements_partner_idx', ['partnerId', 'periodTo'])
@Index('partner_settlements_brand_idx', ['brandId', 'createdAt', 'id'])
@Index('partner_settlements_period_key', ['partnerId', 'periodFrom', 'periodTo'], {
  unique: true,
  where: `status <> 'carried'`,
})
@Check('partner_settlements_status', `status IN (${sqlList(SETTLEMENT_STATUSES)})`)
@Check('partner_settlements_period', `period_to > period_from`)
@Check('partner_settlements_total', `total_minor = commissions_minor + adjustments_minor AND line_count >= 0`)
export class PartnerSettlement {
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

  @Column({ type: 'timestamptz' })
  periodFrom: Date;

  @Column({ type: 'timestamptz' })
  periodTo: Date;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'varchar', length: 12, default: 'draft' })
  status: SettlementStatus;

  @Column({ type: 'bigint' })
  commissionsMinor: string;

  @Column({ type: 'bigint' })
  adjustmentsMinor: string;

  @Column({ type: 'bigint' })
  totalMinor: string;

  @Column({ type: 'bigint' })
  minPayoutMinor: string;

  @Column({ type: 'int' })
  lineCount: number;

  @Column({ type: 'timestamptz', nullable: true })
  confirmedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  paidAt: Date | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  payoutReference: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
