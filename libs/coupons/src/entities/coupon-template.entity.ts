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
import {
  COUPON_KINDS,
  CouponKind,
  sqlList,
  STACKING_RULES,
  StackingRule,
  TEMPLATE_STATUSES,
  TemplateStatus,
} from '../coupons.constants';

/**
 * What a coupon gives and on which terms, and its budgets. The counters (kept only while the
 * template has the budget they count against; the report counts the rows) move by conditional
 * updates (`… WHERE issued_count < budget_count RETURNING`) and the checks below hold them inside
 * their budgets in the database itself (invariant 5). `discount_minor` is the money given, net of
 * rollbacks; the ledger rows in coupon_redemptions are its truth.
 */
@Entity('coupon_templates')
@Index('coupon_templates_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Check('coupon_templates_kind', `kind IN (${sqlList(COUPON_KINDS)})`)
@Check('coupon_templates_status', `status IN (${sqlList(TEMPLATE_STATUSES)})`)
@Check('coupon_templates_stacking', `stacking IN (${sqlList(STACKING_RULES)})`)
@Check('coupon_templates_name_not_blank', `btrim(name) <> ''`)
@Check(
  'coupon_templates_terms',
  `(kind = 'fixed_amount' AND amount_off_minor > 0 AND percent_off IS NULL AND max_discount_minor IS NULL)
   OR (kind = 'percentage' AND amount_off_minor IS NULL AND percent_off BETWEEN 1 AND 100 AND (max_discount_minor IS NULL OR max_discount_minor > 0))
   OR (kind = 'free_shipping' AND amount_off_minor IS NULL AND percent_off IS NULL AND (max_discount_minor IS NULL OR max_discount_minor > 0))`,
)
@Check('coupon_templates_min_spend', `min_spend_minor >= 0`)
@Check(
  'coupon_templates_validity',
  `(valid_days IS NULL OR valid_days > 0) AND (valid_from IS NULL OR valid_until IS NULL OR valid_until > valid_from)`,
)
@Check(
  'coupon_templates_budgets',
  `(budget_count IS NULL OR budget_count > 0) AND (budget_money_minor IS NULL OR budget_money_minor > 0)
   AND (per_member_limit IS NULL OR per_member_limit > 0)`,
)
@Check(
  'coupon_templates_within_budget',
  `issued_count >= 0 AND redeemed_count >= 0 AND discount_minor >= 0
   AND (budget_count IS NULL OR issued_count <= budget_count)
   AND (budget_money_minor IS NULL OR discount_minor <= budget_money_minor)`,
)
@Check('coupon_templates_code_shape', `code_length BETWEEN 4 AND 24 AND code_prefix ~ '^[A-Z0-9]{0,8}$'`)
export class CouponTemplate {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  @Column({ type: 'varchar', length: 16 })
  kind: CouponKind;

  /** fixed_amount: the money off, in the brand's minor units. */
  @Column({ type: 'bigint', nullable: true })
  amountOffMinor: string | null;

  /** percentage: 1–100. */
  @Column({ type: 'smallint', nullable: true })
  percentOff: number | null;

  /** percentage / free_shipping: the most one redemption gives. */
  @Column({ type: 'bigint', nullable: true })
  maxDiscountMinor: string | null;

  @Column({ type: 'bigint', default: 0 })
  minSpendMinor: string;

  /** Absolute window (either end open), or … */
  @Column({ type: 'timestamptz', nullable: true })
  validFrom: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  validUntil: Date | null;

  /** … N days from issue (ending no later than valid_until when both are set). */
  @Column({ type: 'int', nullable: true })
  validDays: number | null;

  /** The channels (order sources, e.g. `store`, `live`, `miniprogram`) it may be used on; empty = any. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  channels: string[];

  @Column({ type: 'varchar', length: 16, default: 'exclusive' })
  stacking: StackingRule;

  /** How many coupons may be issued in all (codes generated count too). */
  @Column({ type: 'int', nullable: true })
  budgetCount: number | null;

  /** How much money the redemptions may give in all, net of rollbacks. */
  @Column({ type: 'bigint', nullable: true })
  budgetMoneyMinor: string | null;

  /** How many coupons of this template one member may receive (and use a shared code). */
  @Column({ type: 'int', nullable: true })
  perMemberLimit: number | null;

  @Column({ type: 'varchar', length: 8, default: '' })
  codePrefix: string;

  @Column({ type: 'smallint', default: 10 })
  codeLength: number;

  @Column({ type: 'varchar', length: 16, default: 'draft' })
  status: TemplateStatus;

  @Column({ type: 'int', default: 0 })
  issuedCount: number;

  @Column({ type: 'int', default: 0 })
  redeemedCount: number;

  @Column({ type: 'bigint', default: 0 })
  discountMinor: string;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
