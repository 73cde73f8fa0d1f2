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
import { PARTNER_TIERS, PartnerTier, sqlList } from '../partners.constants';

/**
 * An incentive uplift: `rate_bp` on top of the base rate for orders paid in [starts_at, ends_at),
 * for one partner or every partner of a tier, optionally only on some SKUs or categories. It is
 * accrued as `gated` on each commission; once the window closes, each partner's gated uplift is
 * released if the partner met every gate within the window (orders, GMV, new-buyer share), else
 * forfeited. `closed_at` is when that was judged.
 */
@Entity('partner_uplifts')
@Index('partner_uplifts_brand_idx', ['brandId', 'startsAt'])
@Index('partner_uplifts_open_idx', ['endsAt'], { where: 'closed_at IS NULL' })
@Check('partner_uplifts_target', `(partner_id IS NULL) <> (tier IS NULL)`)
@Check('partner_uplifts_tier', `tier IS NULL OR tier IN (${sqlList(PARTNER_TIERS)})`)
@Check(
  'partner_uplifts_values',
  `rate_bp BETWEEN 1 AND 10000 AND ends_at > starts_at AND (min_orders IS NULL OR min_orders >= 0)
   AND (min_gmv_minor IS NULL OR min_gmv_minor >= 0) AND (min_new_buyer_share_bp IS NULL OR min_new_buyer_share_bp BETWEEN 0 AND 10000)`,
)
export class PartnerUplift {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @ManyToOne('Partner', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partner_id' })
  partner?: unknown;

  @Column({ type: 'varchar', length: 16, nullable: true })
  tier: PartnerTier | null;

  @Column({ type: 'int' })
  rateBp: number;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz' })
  endsAt: Date;

  /** Only these SKUs (empty: no SKU scope). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  skus: string[];

  /** Only these categories (empty: no category scope). With both, a line in either counts. */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  categories: string[];

  @Column({ type: 'int', nullable: true })
  minOrders: number | null;

  @Column({ type: 'bigint', nullable: true })
  minGmvMinor: string | null;

  @Column({ type: 'int', nullable: true })
  minNewBuyerShareBp: number | null;

  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
