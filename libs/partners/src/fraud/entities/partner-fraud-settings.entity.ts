import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A brand's fraud-check thresholds (absent row: the defaults, FRAUD_SETTINGS_DEFAULTS). */
@Entity('partner_fraud_settings')
@Check(
  'partner_fraud_settings_positive',
  `click_flood_window_minutes > 0 AND click_flood_max_clicks > 0 AND duplicate_window_minutes > 0
   AND conversion_window_days > 0 AND conversion_min_clicks > 0 AND conversion_multiplier_pct >= 100
   AND conversion_default_norm_bp BETWEEN 1 AND 10000 AND quick_refund_hours > 0`,
)
export class PartnerFraudSettings {
  @PrimaryColumn({ type: 'uuid' })
  brandId: string;

  @OneToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** Click flooding: this many clicks or more on the partner's links from one IP hash (or one member) … */
  @Column({ type: 'int', default: 20 })
  clickFloodMaxClicks: number;

  /** … within this many minutes before the order. */
  @Column({ type: 'int', default: 60 })
  clickFloodWindowMinutes: number;

  /** Duplicate orders: same buyer, amount and items within this many minutes. */
  @Column({ type: 'int', default: 30 })
  duplicateWindowMinutes: number;

  /** Conversion rate: judged over this many days, … */
  @Column({ type: 'int', default: 30 })
  conversionWindowDays: number;

  /** … once the partner has at least this many clicks, … */
  @Column({ type: 'int', default: 20 })
  conversionMinClicks: number;

  /** … flagged above this percentage of the tier's norm (300 = three times it); … */
  @Column({ type: 'int', default: 300 })
  conversionMultiplierPct: number;

  /** … the norm when no other partner of the tier has clicks, in basis points (500 = 5 %). */
  @Column({ type: 'int', default: 500 })
  conversionDefaultNormBp: number;

  /** Orders refunded within this many hours of being placed. */
  @Column({ type: 'int', default: 24 })
  quickRefundHours: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
