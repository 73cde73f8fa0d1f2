import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { sqlList } from '../../partners.constants';
import { RECON_KINDS, RECON_RESOLUTIONS, ReconKind, ReconResolution } from '../reconciliation.constants';

/**
 * One line of a reconciliation: a report row beside Siyu's record of the same sub-order (either
 * side may be missing) and how they compare. Statuses are compared as commerce order statuses
 * (paid, refunded, cancelled; partially refunded counts as paid). A difference is resolved once,
 * audited: accept the report's figure, accept Siyu's, or a note.
 */
@Entity('partner_reconciliation_lines')
@Index('partner_reconciliation_lines_run_idx', ['reconciliationId', 'id'])
@Index('partner_reconciliation_lines_run_kind_idx', ['reconciliationId', 'kind', 'id'])
@Index('partner_reconciliation_lines_run_sub_order_idx', ['reconciliationId', 'subOrderId'])
@Check('partner_reconciliation_lines_kind', `kind IN (${sqlList(RECON_KINDS)})`)
@Check(
  'partner_reconciliation_lines_resolution',
  `resolution IS NULL OR (resolution IN (${sqlList(RECON_RESOLUTIONS)}) AND kind NOT IN ('matched', 'invalid'))`,
)
export class PartnerReconciliationLine {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  reconciliationId: string;

  @ManyToOne('PartnerReconciliation', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'reconciliation_id' })
  reconciliation?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'varchar', length: 20 })
  kind: ReconKind;

  /** The report's line number (header = 1); null for a line missing in the report. */
  @Column({ type: 'int', nullable: true })
  reportLine: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  subOrderId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  parentOrderId: string | null;

  /** Siyu's order for the sub-order (commerce's orders.id), when Siyu has it. */
  @Column({ type: 'uuid', nullable: true })
  orderId: string | null;

  @Column({ type: 'varchar', length: 40, nullable: true })
  reportStatus: string | null;

  /** The report's status as a commerce status (paid, refunded, cancelled). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  reportOrderStatus: string | null;

  @Column({ type: 'bigint', nullable: true })
  reportPaidMinor: string | null;

  @Column({ type: 'bigint', nullable: true })
  reportCommissionMinor: string | null;

  @Column({ type: 'varchar', length: 20, nullable: true })
  siyuOrderStatus: string | null;

  @Column({ type: 'bigint', nullable: true })
  siyuPaidMinor: string | null;

  @Column({ type: 'bigint', nullable: true })
  siyuCommissionMinor: string | null;

  /** Report − Siyu commission (a missing side counts as 0). */
  @Column({ type: 'bigint', nullable: true })
  differenceMinor: string | null;

  /** For `invalid` lines: the columns and reasons. */
  @Column({ type: 'jsonb', nullable: true })
  errors: Array<{ field: string; message: string }> | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  resolution: ReconResolution | null;

  /** The commission the brand agrees it is owed for the line, once resolved (null for a note). */
  @Column({ type: 'bigint', nullable: true })
  agreedCommissionMinor: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  resolutionNote: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Column({ type: 'varchar', length: 16, nullable: true })
  resolvedByType: string | null;

  @Column({ type: 'uuid', nullable: true })
  resolvedById: string | null;
}
