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
import type { WelcomeContent } from '../../acquisition-states.registry';
import { REFERRAL_CAMPAIGN_STATUSES, ReferralCampaignStatus, sqlList } from '../referrals.constants';

/** One reward tier: at `invites` retained invitees the inviter gets a coupon of `couponTemplateId`. */
export interface ReferralTier {
  tier: number;
  invites: number;
  couponTemplateId: string;
}

/** A referral (fission, 裂变) campaign: members invite friends through personal codes and earn tiered rewards. */
@Entity('acquisition_referral_campaigns')
@Index('acquisition_referral_campaigns_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Check('acquisition_referral_campaigns_status', `status IN (${sqlList(REFERRAL_CAMPAIGN_STATUSES)})`)
@Check('acquisition_referral_campaigns_retention', `retention_hours BETWEEN 0 AND 720`)
@Check('acquisition_referral_campaigns_window', `ends_at IS NULL OR ends_at > starts_at`)
export class ReferralCampaign {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 80 })
  name: string;

  @Column({ type: 'varchar', length: 16, default: 'active' })
  status: ReferralCampaignStatus;

  @Column({ type: 'timestamptz' })
  startsAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  /** An invitee counts once they stayed this long (0: at once). */
  @Column({ type: 'int', default: 24 })
  retentionHours: number;

  /** The staff members every personal invite's contact way routes to. */
  @Column({ type: 'text', array: true })
  staffUserids: string[];

  /** Groups a personal invite's join way routes to (none: no group invite). */
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  groupChatIds: string[];

  @Column({ type: 'boolean', default: true })
  skipVerify: boolean;

  @Column({ type: 'varchar', length: 32, nullable: true })
  sourceChannel: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  utm: Record<string, string>;

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  tagIds: string[];

  @Column({ type: 'jsonb', nullable: true })
  welcome: WelcomeContent | null;

  @Column({ type: 'jsonb' })
  tiers: ReferralTier[];

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
