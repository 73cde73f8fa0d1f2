import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { ENTRY_OUTCOMES, EntryOutcome, FALLBACK_REASONS, FallbackReason, sqlList } from '../draws.constants';

/**
 * One entry and its result. The id (made by the server) is the HMAC message; `slot` is what the
 * roll drew (a prize position, or null for the fallback slot), `outcome` what the member got.
 */
@Entity('draw_entries')
@Index('draw_entries_draw_created_idx', ['drawId', 'createdAt', 'id'])
@Index('draw_entries_draw_member_idx', ['drawId', 'memberId'])
@Index('draw_entries_member_idx', ['brandId', 'memberId'])
@Check('draw_entries_outcome', `outcome IN (${sqlList(ENTRY_OUTCOMES)})`)
@Check(
  'draw_entries_fallback_reason',
  `fallback_reason IS NULL OR fallback_reason IN (${sqlList(FALLBACK_REASONS)})`,
)
@Check(
  'draw_entries_outcome_shape',
  `(outcome = 'won' AND prize_id IS NOT NULL AND slot IS NOT NULL AND fallback_reason IS NULL)
   OR (outcome = 'fallback' AND prize_id IS NULL AND fallback_reason IS NOT NULL
       AND (fallback_reason = 'drawn') = (slot IS NULL))`,
)
@Check('draw_entries_actor_type', `actor_type IN ('member', 'operator', 'api_key', 'system')`)
export class DrawEntry {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ type: 'uuid' })
  drawId: string;

  @ManyToOne('Draw', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'draw_id' })
  draw?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  // No foreign key to brands: every entry would lock the brand's row (FOR KEY SHARE), a hot row under
  // load; the draw's own foreign key (with its brand) cascades, as campaign_deliveries do.

  @Column({ type: 'uuid' })
  memberId: string;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'timestamptz' })
  createdAt: Date;

  /** The brand-local calendar day of the entry (per-day limits count by it). */
  @Column({ type: 'date' })
  localDay: string;

  /** The slot the roll drew: a prize position, or null for the fallback's own slot. */
  @Column({ type: 'smallint', nullable: true })
  slot: number | null;

  @Column({ type: 'varchar', length: 16 })
  outcome: EntryOutcome;

  @Column({ type: 'uuid', nullable: true })
  prizeId: string | null;

  @ManyToOne('DrawPrize', { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'prize_id' })
  prize?: unknown;

  @Column({ type: 'varchar', length: 24, nullable: true })
  fallbackReason: FallbackReason | null;

  /** Coupon prizes: the coupon issued in the entry's transaction. */
  @Column({ type: 'uuid', nullable: true })
  couponId: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  couponCode: string | null;

  /** prize_unavailable: why the prize could not be issued (the fulfiller's reason). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  detail: string | null;

  @Column({ type: 'varchar', length: 16 })
  actorType: 'member' | 'operator' | 'api_key' | 'system';

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;
}
