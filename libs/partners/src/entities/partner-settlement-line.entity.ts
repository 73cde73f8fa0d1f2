import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { SETTLEMENT_LINE_KINDS, SettlementLineKind } from '../partners-core.constants';
import { sqlList } from '../partners.constants';

/**
 * One figure of a settlement, copied from its commission or adjustment when the batch was made, with
 * the order it comes from: the statement is these rows, and they never change once confirmed.
 */
@Entity('partner_settlement_lines')
@Index('partner_settlement_lines_settlement_idx', ['settlementId', 'id'])
@Check('partner_settlement_lines_kind', `kind IN (${sqlList(SETTLEMENT_LINE_KINDS)})`)
@Check(
  'partner_settlement_lines_ref',
  `(kind = 'commission') = (adjustment_id IS NULL) AND commission_id IS NOT NULL`,
)
export class PartnerSettlementLine {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  settlementId: string;

  @ManyToOne('PartnerSettlement', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'settlement_id' })
  settlement?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'varchar', length: 12 })
  kind: SettlementLineKind;

  @Column({ type: 'uuid' })
  commissionId: string;

  @Column({ type: 'uuid', nullable: true })
  adjustmentId: string | null;

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'varchar', length: 40 })
  orderSource: string;

  @Column({ type: 'varchar', length: 128 })
  orderExternalId: string;

  @Column({ type: 'timestamptz' })
  orderPaidAt: Date;

  @Column({ type: 'bigint' })
  commissionableMinor: string;

  @Column({ type: 'int' })
  baseRateBp: number;

  @Column({ type: 'bigint' })
  baseMinor: string;

  @Column({ type: 'int' })
  upliftRateBp: number;

  @Column({ type: 'bigint' })
  upliftMinor: string;

  @Column({ type: 'varchar', length: 12 })
  upliftState: string;

  @Column({ type: 'bigint' })
  cappedMinor: string;

  /** What this line pays (negative for a clawback). */
  @Column({ type: 'bigint' })
  amountMinor: string;

  @Column({ type: 'varchar', length: 48, nullable: true })
  reason: string | null;
}
