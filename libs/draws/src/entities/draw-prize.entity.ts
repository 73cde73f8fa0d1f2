import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { PRIZE_KINDS, PrizeKind, sqlList } from '../draws.constants';

/**
 * One slot of a draw's table. `remaining` is taken one unit at a time by a conditional
 * `UPDATE … SET remaining = remaining - 1 WHERE remaining > 0 RETURNING`, and the check keeps it in
 * [0, stock] whatever the concurrency.
 */
@Entity('draw_prizes')
@Index('draw_prizes_position_key', ['drawId', 'position'], { unique: true })
@Check('draw_prizes_kind', `kind IN (${sqlList(PRIZE_KINDS)})`)
@Check('draw_prizes_weight', `weight > 0`)
@Check(
  'draw_prizes_stock',
  `(stock IS NULL AND remaining IS NULL) OR (stock > 0 AND remaining >= 0 AND remaining <= stock)`,
)
@Check('draw_prizes_coupon', `(kind = 'coupon') = (coupon_template_id IS NOT NULL)`)
export class DrawPrize {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  drawId: string;

  @ManyToOne('Draw', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'draw_id' })
  draw?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** Its place in the table (0-based): the order the roll walks. */
  @Column({ type: 'smallint' })
  position: number;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'int' })
  weight: number;

  @Column({ type: 'varchar', length: 16 })
  kind: PrizeKind;

  @Column({ type: 'uuid', nullable: true })
  couponTemplateId: string | null;

  /** Physical prizes: what it is and how it is delivered. */
  @Column({ type: 'text', nullable: true })
  note: string | null;

  /** Units available (null: unlimited). */
  @Column({ type: 'int', nullable: true })
  stock: number | null;

  @Column({ type: 'int', nullable: true })
  remaining: number | null;
}
