import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * Every short code `GET /r/:code` answers: a link's own code (no delivery) and the per-recipient
 * codes `{{link:<id>}}` gives each campaign delivery, each carrying who it was sent to. One table,
 * so a code is unique across both kinds and the redirect resolves either with one lookup.
 */
@Entity('link_codes')
@Index('link_codes_delivery_key', ['linkId', 'deliveryId'], {
  unique: true,
  where: 'delivery_id IS NOT NULL',
})
@Index('link_codes_link_idx', ['linkId'])
export class LinkCode {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  code: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  linkId: string;

  @ManyToOne('TrackedLink', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'link_id' })
  link?: unknown;

  /** The campaign delivery this code was rendered for (NULL for the link's own code). */
  @Column({ type: 'bigint', nullable: true })
  deliveryId: string | null;

  @Column({ type: 'uuid', nullable: true })
  campaignId: string | null;

  @Column({ type: 'smallint', nullable: true })
  campaignVariant: number | null;

  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'uuid', nullable: true })
  groupId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
