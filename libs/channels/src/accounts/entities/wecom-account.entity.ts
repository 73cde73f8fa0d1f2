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

/**
 * A brand's WeCom corp: the CorpID and, sealed with CHANNEL_SECRETS_KEY (AES-256-GCM), the
 * customer-contact secret and the callback Token / EncodingAESKey. One per brand.
 */
@Entity('channel_wecom_accounts')
@Index('channel_wecom_accounts_brand_key', ['brandId'], { unique: true })
@Check('channel_wecom_accounts_corp_id', `corp_id ~ '^[A-Za-z0-9_-]{1,64}$'`)
@Check('channel_wecom_accounts_rate', `sends_per_second IS NULL OR sends_per_second > 0`)
export class WecomAccount {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 64 })
  corpId: string;

  /** The self-built app's AgentID, for app messages to staff; optional. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  agentId: string | null;

  @Column({ type: 'text' })
  contactSecretSealed: string;

  @Column({ type: 'text' })
  callbackTokenSealed: string;

  @Column({ type: 'text' })
  encodingAesKeySealed: string;

  /** Overrides CHANNEL_WECOM_CALLS_PER_SECOND for this corp. */
  @Column({ type: 'int', nullable: true })
  sendsPerSecond: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
