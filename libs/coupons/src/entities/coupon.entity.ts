import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import {
  CODE_KINDS,
  CodeKind,
  COUPON_STATUSES,
  CouponStatus,
  ISSUE_SOURCES,
  IssueSource,
  sqlList,
} from '../coupons.constants';

/**
 * One code. `redemptions` moves only by `UPDATE … WHERE redemptions < max_redemptions RETURNING`
 * (and back by a rollback), and the check keeps it there. An issue is idempotent on
 * (template, source, source_ref, member): a retried caller finds the coupon it got the first time.
 */
@Entity('coupons')
@Index('coupons_code_key', ['brandId', 'code'], { unique: true })
@Index('coupons_issue_key', ['templateId', 'source', 'sourceRef', 'memberId'], {
  unique: true,
  where: 'member_id IS NOT NULL',
})
// Bulk (bearer) codes have no member: they stay out of the member index. The template index holds
// one key per template (deduplicated), so a million-code batch appends to it instead of scattering.
@Index('coupons_member_idx', ['memberId', 'issuedAt'], { where: 'member_id IS NOT NULL' })
@Index('coupons_template_idx', ['templateId'])
@Index('coupons_expiry_idx', ['validUntil'], { where: `status = 'available' AND valid_until IS NOT NULL` })
@Check('coupons_kind', `kind IN (${sqlList(CODE_KINDS)})`)
@Check('coupons_status', `status IN (${sqlList(COUPON_STATUSES)})`)
@Check('coupons_source', `source IN (${sqlList(ISSUE_SOURCES)})`)
@Check('coupons_redemptions', `redemptions >= 0 AND redemptions <= max_redemptions`)
@Check(
  'coupons_holder',
  `(kind = 'personal' AND member_id IS NOT NULL AND max_redemptions = 1)
   OR (kind = 'bearer' AND max_redemptions = 1) OR (kind = 'shared' AND member_id IS NULL AND max_redemptions >= 1)`,
)
export class Coupon {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  // No foreign key to brands: its check is a trigger per inserted row (a million-code batch ran a
  // million of them for the one brand); the template's foreign key cascades a brand's deletion, as
  // draw entries and campaign deliveries do, and every code is written from its template's brand.
  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  templateId: string;

  @ManyToOne('CouponTemplate', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: unknown;

  @Column({ type: 'varchar', length: 40 })
  code: string;

  @Column({ type: 'varchar', length: 16 })
  kind: CodeKind;

  /** The holder of a personal code (a bearer code gets one when it is first redeemed by a member). */
  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'int', default: 1 })
  maxRedemptions: number;

  @Column({ type: 'int', default: 0 })
  redemptions: number;

  @Column({ type: 'varchar', length: 16, default: 'available' })
  status: CouponStatus;

  @Column({ type: 'varchar', length: 16 })
  source: IssueSource;

  @Column({ type: 'varchar', length: 200 })
  sourceRef: string;

  @Column({ type: 'uuid', nullable: true })
  batchId: string | null;

  /** The coupon's own window, fixed at issue from the template's (absolute or N days). */
  @Column({ type: 'timestamptz', nullable: true })
  validFrom: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  issuedAt: Date;
}
