import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/**
 * One contact acquired: an add_external_contact event whose `state` was a channel code's (or a
 * registry match, e.g. a referral's). Unique per brand, staff, external_userid and the event's time,
 * so the same event delivered twice is recorded once. The acquisition report stands on these rows.
 */
@Entity('acquisition_contacts')
@Index('acquisition_contacts_event_key', ['brandId', 'staffUserid', 'externalUserid', 'addedAt'], {
  unique: true,
})
@Index('acquisition_contacts_brand_added_idx', ['brandId', 'addedAt'])
@Index('acquisition_contacts_code_idx', ['codeId', 'addedAt'], { where: 'code_id IS NOT NULL' })
@Index('acquisition_contacts_member_idx', ['memberId'], { where: 'member_id IS NOT NULL' })
export class AcquisitionContact {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** The channel code; null for a registry match (see `kind`/`refId`). */
  @Column({ type: 'uuid', nullable: true })
  codeId: string | null;

  @ManyToOne('ChannelCode', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'code_id' })
  code?: unknown;

  /** `channel_code`, or the registry resolver's kind (e.g. `referral`). */
  @Column({ type: 'varchar', length: 32 })
  kind: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  refId: string | null;

  @Column({ type: 'varchar', length: 64 })
  state: string;

  @Column({ type: 'varchar', length: 64 })
  staffUserid: string;

  @Column({ type: 'varchar', length: 64 })
  externalUserid: string;

  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'varchar', length: 24, nullable: true })
  sourceChannel: string | null;

  /** When the contact was added (the event's CreateTime). */
  @Column({ type: 'timestamptz' })
  addedAt: Date;

  /** The channel_wecom_events row it came from. */
  @Column({ type: 'bigint', nullable: true })
  eventId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
