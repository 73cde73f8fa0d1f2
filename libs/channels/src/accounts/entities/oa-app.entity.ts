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

/** A WeChat Official Account app of a brand: AppID, its sealed AppSecret and the templates campaigns may use. */
@Entity('channel_oa_apps')
@Index('channel_oa_apps_brand_app_key', ['brandId', 'appId'], { unique: true })
@Check('channel_oa_apps_app_id', `app_id ~ '^[A-Za-z0-9_-]{1,64}$'`)
@Check('channel_oa_apps_name_not_blank', `btrim(name) <> ''`)
@Check('channel_oa_apps_rate', `sends_per_second IS NULL OR sends_per_second > 0`)
export class OaApp {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 60 })
  name: string;

  @Column({ type: 'varchar', length: 64 })
  appId: string;

  @Column({ type: 'text' })
  secretSealed: string;

  /** Template ids (template or subscribe messages) this app may send. */
  @Column({ type: 'jsonb', default: [] })
  templateIds: string[];

  /** Overrides CHANNEL_OA_SENDS_PER_SECOND for this app. */
  @Column({ type: 'int', nullable: true })
  sendsPerSecond: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
