import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * Entry counters per member: `period` 'total' or a brand-local date ('2026-11-22'). Incremented by
 * `INSERT … ON CONFLICT DO UPDATE SET n = n + 1 WHERE n < limit RETURNING n` in the entry's
 * transaction, so concurrent entries of one member queue on the row and never pass the limit.
 */
@Entity('draw_member_counts')
@Check('draw_member_counts_n', `n > 0`)
@Check('draw_member_counts_period', `period = 'total' OR period ~ '^\\d{4}-\\d{2}-\\d{2}$'`)
export class DrawMemberCount {
  @PrimaryColumn({ type: 'uuid' })
  drawId: string;

  @ManyToOne('Draw', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'draw_id' })
  draw?: unknown;

  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  period: string;

  @Column({ type: 'uuid' })
  brandId: string;

  // No foreign key to brands: every entry would lock the brand's row (FOR KEY SHARE), a hot row under
  // load; the draw's own foreign key (with its brand) cascades, as campaign_deliveries do.

  @Column({ type: 'int' })
  n: number;
}
