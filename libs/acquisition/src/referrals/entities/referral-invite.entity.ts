import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** A member's personal invite in a campaign: a contact way (and a join way) whose `state` is `rf_<code>`. */
@Entity('acquisition_referral_invites')
@Index('acquisition_referral_invites_member_key', ['campaignId', 'memberId'], { unique: true })
@Index('acquisition_referral_invites_state_key', ['brandId', 'state'], { unique: true })
@Index('acquisition_referral_invites_code_key', ['code'], { unique: true })
export class ReferralInvite {
  @PrimaryGeneratedColumn('uuid')
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

  /** The inviter. */
  @Column({ type: 'uuid' })
  memberId: string;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'varchar', length: 16 })
  code: string;

  @Column({ type: 'varchar', length: 30 })
  state: string;

  @Column({ type: 'varchar', length: 64 })
  configId: string;

  @Column({ type: 'text', nullable: true })
  qrCode: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  joinConfigId: string | null;

  @Column({ type: 'text', nullable: true })
  joinQrCode: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
