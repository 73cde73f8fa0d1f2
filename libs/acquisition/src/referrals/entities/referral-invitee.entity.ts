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
import {
  INVITEE_REFUSALS,
  INVITEE_STATUSES,
  INVITEE_VIAS,
  InviteeRefusal,
  InviteeStatus,
  InviteeVia,
  sqlList,
} from '../referrals.constants';

/** A person who came through an invite; counts once per campaign (the first invite they came through). */
@Entity('acquisition_referral_invitees')
@Index('acquisition_referral_invitees_key', ['campaignId', 'externalUserid'], { unique: true })
@Index('acquisition_referral_invitees_inviter_idx', ['campaignId', 'inviterMemberId', 'status'])
@Index('acquisition_referral_invitees_due_idx', ['windowEndsAt'], { where: `status = 'pending'` })
@Index('acquisition_referral_invitees_external_idx', ['brandId', 'externalUserid'])
@Check('acquisition_referral_invitees_status', `status IN (${sqlList(INVITEE_STATUSES)})`)
@Check('acquisition_referral_invitees_via', `via IN (${sqlList(INVITEE_VIAS)})`)
@Check(
  'acquisition_referral_invitees_refused',
  `(status = 'refused') = (refused_reason IS NOT NULL) AND (refused_reason IS NULL OR refused_reason IN (${sqlList(INVITEE_REFUSALS)}))`,
)
export class ReferralInvitee {
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
  inviteId: string;

  @ManyToOne('ReferralInvite', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'invite_id' })
  invite?: unknown;

  @Column({ type: 'uuid' })
  inviterMemberId: string;

  @Column({ type: 'uuid', nullable: true })
  inviteeMemberId: string | null;

  @Column({ type: 'varchar', length: 64 })
  externalUserid: string;

  @Column({ type: 'varchar', length: 8 })
  via: InviteeVia;

  /** contact: the staff member added; group: the chat joined. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  staffUserid: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  chatId: string | null;

  @Column({ type: 'timestamptz' })
  joinedAt: Date;

  @Column({ type: 'timestamptz' })
  windowEndsAt: Date;

  @Column({ type: 'varchar', length: 10 })
  status: InviteeStatus;

  @Column({ type: 'varchar', length: 16, nullable: true })
  refusedReason: InviteeRefusal | null;

  /** When the invitee deleted the contact or left the group, if within the window. */
  @Column({ type: 'timestamptz', nullable: true })
  lostAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  settledAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
