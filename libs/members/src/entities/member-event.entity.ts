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
import type { ActorType } from '@siyu/platform';
import { Member } from './member.entity';

/**
 * The member's timeline. Any lib appends through MemberEventsService.append in its own transaction.
 * `data` holds ids and field names, never personal values, so an erasure need not rewrite it.
 */
@Entity('member_events')
@Check('member_events_type', `type ~ '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$'`)
@Index('member_events_timeline_idx', ['memberId', 'occurredAt', 'id'])
@Index('member_events_brand_idx', ['brandId', 'id'])
export class MemberEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: Member;

  @Column({ type: 'varchar', length: 60 })
  type: string;

  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, nullable: true })
  actorType: ActorType | null;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
