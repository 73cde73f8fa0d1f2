import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { PARTNER_TIERS, PartnerTier, sqlList } from '../partners.constants';

/**
 * A brand's settings of one partner tier: the base rate (basis points), holding period, monthly
 * cap, minimum payout, link limit, and the rules that promote to the next tier or demote from it.
 * Without a row the tier uses DEFAULT_TIER_SETTINGS.
 */
@Entity('partner_tier_configs')
@Check('partner_tier_configs_tier', `tier IN (${sqlList(PARTNER_TIERS)})`)
@Check(
  'partner_tier_configs_values',
  `base_rate_bp BETWEEN 0 AND 10000 AND holding_days BETWEEN 0 AND 365 AND (cap_minor IS NULL OR cap_minor >= 0)
   AND min_payout_minor >= 0 AND (link_limit IS NULL OR link_limit >= 0)
   AND promote_window_days BETWEEN 1 AND 366 AND demote_window_days BETWEEN 1 AND 366
   AND promote_max_fraud_score BETWEEN 0 AND 101 AND (demote_fraud_score IS NULL OR demote_fraud_score BETWEEN 0 AND 100)`,
)
export class PartnerTierConfig {
  @PrimaryColumn({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @PrimaryColumn({ type: 'varchar', length: 16 })
  tier: PartnerTier;

  @Column({ type: 'int' })
  baseRateBp: number;

  @Column({ type: 'int' })
  holdingDays: number;

  @Column({ type: 'bigint', nullable: true })
  capMinor: string | null;

  @Column({ type: 'bigint' })
  minPayoutMinor: string;

  @Column({ type: 'int', nullable: true })
  linkLimit: number | null;

  @Column({ type: 'int', nullable: true })
  promoteMinOrders: number | null;

  @Column({ type: 'bigint', nullable: true })
  promoteMinGmvMinor: string | null;

  @Column({ type: 'int' })
  promoteWindowDays: number;

  @Column({ type: 'smallint' })
  promoteMaxFraudScore: number;

  @Column({ type: 'int', nullable: true })
  demoteMinOrders: number | null;

  @Column({ type: 'bigint', nullable: true })
  demoteMinGmvMinor: string | null;

  @Column({ type: 'int' })
  demoteWindowDays: number;

  @Column({ type: 'smallint', nullable: true })
  demoteFraudScore: number | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
