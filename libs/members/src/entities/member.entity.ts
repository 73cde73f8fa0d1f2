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
  CONSENT_STATUSES,
  ConsentStatus,
  SOURCE_CHANNELS,
  SourceChannel,
  sqlList,
} from '../members.constants';

/**
 * One person per brand. Identities live in `member_identities`; a merged member is a tombstone
 * (`merged_into`), an erased one keeps only its aggregates (`erased_at`).
 */
@Entity('members')
@Check('members_source_channel', `source_channel IN (${sqlList(SOURCE_CHANNELS)})`)
@Check('members_consent_status', `consent_status IS NULL OR consent_status IN (${sqlList(CONSENT_STATUSES)})`)
@Check(
  'members_consent_channel',
  `consent_channel IS NULL OR consent_channel IN (${sqlList(SOURCE_CHANNELS)})`,
)
@Check('members_aggregates_non_negative', `order_count >= 0 AND paid_spend_minor >= 0`)
@Check('members_not_merged_into_self', `merged_into IS NULL OR merged_into <> id`)
@Index('members_brand_created_idx', ['brandId', 'createdAt', 'id'])
// The target of the composite keys (brand_id, member_id) of identities, tags and import links.
@Index('members_brand_id_key', ['brandId', 'id'], { unique: true })
@Index('members_brand_joined_idx', ['brandId', 'joinedAt'])
@Index('members_merged_into_idx', ['mergedInto'], { where: 'merged_into IS NOT NULL' })
@Index('members_brand_time_zone_idx', ['brandId', 'timeZone'], { where: 'time_zone IS NOT NULL' })
// (brand_id, lower(nickname) text_pattern_ops): nickname prefix search; written by hand in the migration.
@Index('members_nickname_prefix_idx', { synchronize: false })
export class Member {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 120, nullable: true })
  nickname: string | null;

  /** E.164, personal data: shown on the member's own page, masked in lists, gone on erase. */
  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  @Column({ type: 'varchar', length: 24, default: 'other' })
  sourceChannel: SourceChannel;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmSource: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmMedium: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmCampaign: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmContent: string | null;

  @Column({ type: 'varchar', length: 200, nullable: true })
  utmTerm: string | null;

  @Column({ type: 'varchar', length: 80, nullable: true })
  city: string | null;

  @Column({ type: 'date', nullable: true })
  birthday: string | null;

  /** The member's own IANA time zone, when known (campaigns can send at each member's local time). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  timeZone: string | null;

  @Column({ type: 'varchar', length: 12, nullable: true })
  consentStatus: ConsentStatus | null;

  @Column({ type: 'timestamptz', nullable: true })
  consentAt: Date | null;

  @Column({ type: 'varchar', length: 24, nullable: true })
  consentChannel: SourceChannel | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  joinedAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  mergedInto: string | null;

  @ManyToOne(() => Member, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'merged_into' })
  survivor?: Member;

  @Column({ type: 'timestamptz', nullable: true })
  mergedAt: Date | null;

  /** Order aggregates, maintained by the commerce lib; segments read them. */
  @Column({ type: 'int', default: 0 })
  orderCount: number;

  /** Paid spend in minor units of the brand's currency. */
  @Column({ type: 'bigint', default: 0 })
  paidSpendMinor: string;

  @Column({ type: 'timestamptz', nullable: true })
  firstOrderAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastOrderAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
