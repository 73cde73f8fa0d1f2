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

export const ORDER_SOURCE_KINDS = ['generic', 'shopify', 'affiliate'] as const;
export type OrderSourceKind = (typeof ORDER_SOURCE_KINDS)[number];

/**
 * Where a brand's orders come in from: a signed generic webhook, a Shopify store or an affiliate
 * programme's reports. `slug` is the `source` its orders are recorded under in commerce. Signing
 * secrets are sealed (AES-256-GCM, bound to the row); after a rotation the previous one stays valid
 * until `previous_secret_expires_at`.
 */
@Entity('order_sources')
@Index('order_sources_brand_slug_key', ['brandId', 'slug'], { unique: true })
@Index('order_sources_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Check('order_sources_kind', `kind IN ('generic', 'shopify', 'affiliate')`)
@Check('order_sources_secret', `(kind = 'affiliate') = (secret_sealed IS NULL)`)
export class OrderSource {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 16 })
  kind: OrderSourceKind;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 40 })
  slug: string;

  @Column({ type: 'text', nullable: true })
  secretSealed: string | null;

  @Column({ type: 'text', nullable: true })
  previousSecretSealed: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  secretRotatedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
