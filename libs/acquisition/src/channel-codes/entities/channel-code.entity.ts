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
import {
  CHANNEL_CODE_STATUSES,
  CHANNEL_CODE_TYPES,
  ChannelCodeStatus,
  ChannelCodeType,
  ROUTING_RULES,
  RoutingConfig,
  sqlList,
} from '../channel-codes.constants';

/**
 * A channel code (渠道活码): one WeCom contact way (`config_id`, QR code) whose `state` tells
 * Siyu where a new contact came from. `staff` is the pool; `activeStaff` is what the contact way's
 * `user` list holds now, as the routing rule and the daily caps decide.
 */
@Entity('acquisition_channel_codes')
@Index('acquisition_channel_codes_state_key', ['brandId', 'state'], { unique: true })
@Index('acquisition_channel_codes_brand_created_idx', ['brandId', 'createdAt', 'id'])
@Check('acquisition_channel_codes_type', `type IN (${sqlList(CHANNEL_CODE_TYPES)})`)
@Check('acquisition_channel_codes_status', `status IN (${sqlList(CHANNEL_CODE_STATUSES)})`)
@Check('acquisition_channel_codes_rule', `routing_rule IN (${sqlList(ROUTING_RULES)})`)
@Check('acquisition_channel_codes_state_len', `char_length(state) BETWEEN 1 AND 30`)
@Check('acquisition_channel_codes_cap', `daily_cap IS NULL OR daily_cap > 0`)
@Check('acquisition_channel_codes_staff', `cardinality(staff) >= 1`)
export class ChannelCode {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'varchar', length: 100 })
  name: string;

  @Column({ type: 'varchar', length: 30 })
  state: string;

  @Column({ type: 'varchar', length: 8 })
  type: ChannelCodeType;

  @Column({ type: 'boolean', default: true })
  skipVerify: boolean;

  /** The members lib's source channel for the contacts it brings (douyin, xiaohongshu, store…). */
  @Column({ type: 'varchar', length: 24, nullable: true })
  sourceChannel: string | null;

  @Column({ type: 'jsonb', default: () => `'{}'` })
  utm: Record<string, string>;

  @Column({ type: 'uuid', array: true, default: () => `'{}'` })
  tagIds: string[];

  @Column({ type: 'jsonb', nullable: true })
  welcome: WelcomeContent | null;

  @Column({ type: 'varchar', length: 16, default: 'round_robin' })
  routingRule: RoutingConfig['rule'];

  @Column({ type: 'int', nullable: true })
  dailyCap: number | null;

  @Column({ type: 'jsonb', default: () => `'[]'` })
  schedule: RoutingConfig['schedule'];

  /** The staff userids the code may add (its pool). */
  @Column({ type: 'text', array: true })
  staff: string[];

  /** The userids the WeCom contact way holds now. */
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  activeStaff: string[];

  @Column({ type: 'varchar', length: 64, nullable: true })
  configId: string | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  qrCode: string | null;

  @Column({ type: 'varchar', length: 8, default: 'active' })
  status: ChannelCodeStatus;

  @Column({ type: 'timestamptz', nullable: true })
  routedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  createdById: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
