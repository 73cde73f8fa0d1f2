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
  PARTNER_KINDS,
  PARTNER_STATUSES,
  PARTNER_TIERS,
  PartnerKind,
  PartnerStatus,
  PartnerTier,
  sqlList,
} from '../partners.constants';

/**
 * A creator, KOC, publisher or niche network that promotes the brand. `status` is the lifecycle
 * (applied → pilot → standard → preferred, suspended, banned); `tier` is the commission tier the
 * partner is on (kept while suspended, null while applied). Payout details are sealed (SecretBox);
 * only their last four characters are shown back.
 */
@Entity('partners')
@Index('partners_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Index('partners_brand_tier_idx', ['brandId', 'tier'])
@Index('partners_member_idx', ['memberId'], { where: 'member_id IS NOT NULL' })
@Index('partners_brand_phone_idx', ['brandId', 'contactPhone'], { where: 'contact_phone IS NOT NULL' })
@Check('partners_kind', `kind IN (${sqlList(PARTNER_KINDS)})`)
@Check('partners_status', `status IN (${sqlList(PARTNER_STATUSES)})`)
@Check('partners_tier', `tier IS NULL OR tier IN (${sqlList(PARTNER_TIERS)})`)
@Check(
  'partners_tier_status',
  `(status = 'applied') = (tier IS NULL) AND (status NOT IN (${sqlList(PARTNER_TIERS)}) OR tier = status)`,
)
@Check('partners_name_not_blank', `btrim(name) <> ''`)
@Check('partners_fraud_score', `fraud_score BETWEEN 0 AND 100`)
export class Partner {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 20 })
  kind: PartnerKind;

  @Column({ type: 'varchar', length: 16, default: 'applied' })
  status: PartnerStatus;

  @Column({ type: 'varchar', length: 16, nullable: true })
  tier: PartnerTier | null;

  /** Contact e-mail (personal data: redacted in logs). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  contactEmail: string | null;

  /** Contact phone, normalised to E.164 (self-purchase checks match buyers' phones against it). */
  @Column({ type: 'varchar', length: 20, nullable: true })
  contactPhone: string | null;

  /** The partner's own member, when they are also a customer (self-purchase checks). */
  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  /** Handles per platform: `{ "douyin": "@x", "xiaohongshu": "y" }` (keys from SOCIAL_PLATFORMS). */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  socialHandles: Record<string, string>;

  /** Payout details (method, account, holder) sealed with SecretBox; never returned in full. */
  @Column({ type: 'text', nullable: true })
  payoutSealed: string | null;

  /** The payout account's last four characters and method, for display (e.g. `alipay ••••1234`). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  payoutHint: string | null;

  /** When the partner was activated (entered the pilot tier): the start of time to first sale. */
  @Column({ type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  /** The paid time of the partner's first attributed order (set once, with its commission). */
  @Column({ type: 'timestamptz', nullable: true })
  firstSaleAt: Date | null;

  /** 0–100, from the fraud checks' flags; promotion rules read it. */
  @Column({ type: 'smallint', default: 0 })
  fraudScore: number;

  /** A Preferred partner's dedicated coupon template (its own budget), made through the coupons lib. */
  @Column({ type: 'uuid', nullable: true })
  dedicatedTemplateId: string | null;

  /** When the tier last changed (promotion, demotion or activation). */
  @Column({ type: 'timestamptz', nullable: true })
  tierChangedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
