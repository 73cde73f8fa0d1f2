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
import { CHURN_ENDED_BY, ChurnEndedBy, sqlList } from '../churn.constants';

/**
 * One lost WeCom relationship (del_external_contact / del_follow_user), kept as history: the
 * communities follow row is reset when the customer adds the staff member again, this is not.
 */
@Entity('acquisition_churn_events')
@Index('acquisition_churn_events_key', ['brandId', 'staffUserid', 'externalUserid', 'occurredAt'], {
  unique: true,
})
@Index('acquisition_churn_events_brand_time_idx', ['brandId', 'occurredAt'])
@Index('acquisition_churn_events_member_idx', ['memberId'], { where: 'member_id IS NOT NULL' })
@Check('acquisition_churn_events_ended_by', `ended_by IN (${sqlList(CHURN_ENDED_BY)})`)
export class ChurnEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid', nullable: true })
  memberId: string | null;

  @ManyToOne('Member', { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'varchar', length: 64 })
  staffUserid: string;

  @Column({ type: 'varchar', length: 64 })
  externalUserid: string;

  @Column({ type: 'varchar', length: 10 })
  endedBy: ChurnEndedBy;

  /** The contact way's state the customer had added through, if known. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  state: string | null;

  @Column({ type: 'timestamptz' })
  occurredAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
