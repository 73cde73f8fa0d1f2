import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  Unique,
} from 'typeorm';
import type { Utm } from '../conversions.constants';

/**
 * A tracked link: a destination on one of the brand's allowed domains, its UTM parameters and what
 * it is bound to (a campaign and variant, a group chat, a live session, a partner). `code` is the
 * link's own short code; per-recipient codes of a campaign live in `link_codes` beside it.
 */
@Entity('tracked_links')
@Index('tracked_links_code_key', ['code'], { unique: true })
@Index('tracked_links_brand_created_idx', ['brandId', 'createdAt', 'id'])
// The target of link_clicks' one foreign key (brand_id, link_id): a click's brand is its link's.
@Unique('tracked_links_brand_id_key', ['brandId', 'id'])
export class TrackedLink {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 16 })
  code: string;

  @Column({ type: 'varchar', length: 120, nullable: true })
  name: string | null;

  @Column({ type: 'text' })
  destination: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  utm: Utm;

  @Column({ type: 'uuid', nullable: true })
  campaignId: string | null;

  @ManyToOne('Campaign', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: unknown;

  @Column({ type: 'smallint', nullable: true })
  campaignVariant: number | null;

  @Column({ type: 'uuid', nullable: true })
  groupId: string | null;

  @ManyToOne('GroupChat', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'group_id' })
  group?: unknown;

  /** Live sessions and partners have no tables yet: plain ids until their libs land. */
  @Column({ type: 'uuid', nullable: true })
  liveSessionId: string | null;

  @Column({ type: 'uuid', nullable: true })
  partnerId: string | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
