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
import { REWARD_STATUSES, RewardStatus, sqlList } from '../referrals.constants';

/**
 * A tier reached by an inviter. The unique key (campaign, inviter, tier) is what makes the reward
 * exactly once: it is inserted with ON CONFLICT DO NOTHING and only the inserting transaction issues.
 */
@Entity('acquisition_referral_rewards')
@Index('acquisition_referral_rewards_key', ['campaignId', 'inviterMemberId', 'tier'], { unique: true })
@Check('acquisition_referral_rewards_status', `status IN (${sqlList(REWARD_STATUSES)})`)
@Check('acquisition_referral_rewards_issued', `(status = 'issued') = (coupon_id IS NOT NULL)`)
export class ReferralReward {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  campaignId: string;

  @ManyToOne('ReferralCampaign', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'campaign_id' })
  campaign?: unknown;

  @Column({ type: 'uuid' })
  inviterMemberId: string;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'inviter_member_id' })
  inviter?: unknown;

  @Column({ type: 'smallint' })
  tier: number;

  @Column({ type: 'int' })
  invitesRequired: number;

  @Column({ type: 'uuid' })
  couponTemplateId: string;

  @Column({ type: 'uuid', nullable: true })
  couponId: string | null;

  @Column({ type: 'varchar', length: 10 })
  status: RewardStatus;

  /** Why the coupon could not be issued (the coupons lib's refusal: budget exhausted, ended…). */
  @Column({ type: 'varchar', length: 40, nullable: true })
  refusal: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
