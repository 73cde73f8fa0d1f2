import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/** A member who asked to hear when the session goes live (one row per member: RSVP is idempotent). */
@Entity('live_rsvps')
@Index('live_rsvps_member_idx', ['brandId', 'memberId'])
export class LiveRsvp {
  @PrimaryColumn({ type: 'uuid' })
  sessionId: string;

  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @ManyToOne('LiveSession', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: unknown;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
