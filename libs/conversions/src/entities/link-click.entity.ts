import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One counted click (bots are filtered at the redirect; a repeat from the same IP on the same code
 * within an hour is not written). Written in batches by the click drainer, from the code's row:
 * who the code was sent to, its campaign and variant, group chat, live session and partner.
 * `ip_hash` is an HMAC of the address, never the address.
 */
@Entity('link_clicks')
@Index('link_clicks_link_idx', ['linkId', 'clickedAt'])
@Index('link_clicks_brand_clicked_idx', ['brandId', 'clickedAt'])
@Index('link_clicks_member_idx', ['memberId', 'clickedAt'], { where: 'member_id IS NOT NULL' })
@Index('link_clicks_campaign_idx', ['campaignId', 'clickedAt'], { where: 'campaign_id IS NOT NULL' })
@Index('link_clicks_dedupe_idx', ['code', 'ipHash', 'clickedAt'])
export class LinkClick {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  linkId: string;

  /**
   * One foreign key for both (the link's brand and id) rather than one to brands and one to
   * tracked_links: the drainer writes thousands of clicks a second and each key is a per-row check
   * (bench/README.md, `redirect`). A brand's deletion still reaches its clicks, through its links;
   * and a click's brand can no longer differ from its link's.
   */
  @ManyToOne('TrackedLink', { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'brand_id', referencedColumnName: 'brandId' },
    { name: 'link_id', referencedColumnName: 'id' },
  ])
  link?: unknown;

  @Column({ type: 'varchar', length: 16 })
  code: string;

  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'uuid', nullable: true })
  campaignId: string | null;

  @Column({ type: 'smallint', nullable: true })
  campaignVariant: number | null;

  @Column({ type: 'uuid', nullable: true })
  groupId: string | null;

  @Column({ type: 'uuid', nullable: true })
  liveSessionId: string | null;

  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'bigint', nullable: true })
  deliveryId: string | null;

  /** HMAC-SHA256 of the client address (hex), for de-duplication only. */
  @Column({ type: 'varchar', length: 64 })
  ipHash: string;

  /**
   * HMAC-SHA256 of the browser's device id (hex): a random id the redirect keeps in a first-party
   * cookie, so one browser's clicks are seen as one device across addresses (click-flood checks).
   * NULL for clicks without one (recorded before it existed).
   */
  @Column({ type: 'varchar', length: 64, nullable: true })
  deviceHash: string | null;

  @Column({ type: 'timestamptz' })
  clickedAt: Date;
}
