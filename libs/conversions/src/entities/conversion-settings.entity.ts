import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * A brand's conversion settings: the domains its tracked links may lead to (so Siyu never becomes
 * an open redirect) and its attribution window. A brand without a row has no allowed domain and
 * the default window.
 */
@Entity('conversion_settings')
@Check('conversion_settings_window', `attribution_window_days BETWEEN 1 AND 90`)
export class ConversionSettings {
  @PrimaryColumn({ type: 'uuid' })
  brandId: string;

  @OneToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** Lower-case host names; each also allows its subdomains. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  allowedDomains: string[];

  @Column({ type: 'int', default: 7 })
  attributionWindowDays: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
