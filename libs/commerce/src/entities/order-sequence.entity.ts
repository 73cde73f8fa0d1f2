import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Order } from './order.entity';

/**
 * Each counted order's place among its member's counted orders by (placed_at, id): its number
 * (`seq`, 1 for the first order) and when the member's previous and next counted orders were
 * placed. Derived from `orders` and kept current with them in the orders' transaction (new orders
 * as a delta by OrderAggregatesService.insertNew, every other change by order-sequence.ts), so the
 * repurchase report finds each buyer's first order in a range (`prev_at` before it) and whether a
 * second followed (`next_at`) without grouping the orders.
 */
@Entity('order_sequence')
@Index('order_sequence_brand_placed_idx', ['brandId', 'placedAt'])
@Index('order_sequence_member_idx', ['memberId'])
// (brand_id, placed_at) INCLUDE (prev_at, member_id) WHERE seq = 2: each member's second order, for
// the report's first-to-second gaps as an index-only scan; written by hand in the migration.
@Index('order_sequence_second_idx', { synchronize: false })
export class OrderSequence {
  @PrimaryColumn({ type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id' })
  order?: Order;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  memberId: string;

  @Column({ type: 'timestamptz' })
  placedAt: Date;

  @Column({ type: 'int' })
  seq: number;

  @Column({ type: 'timestamptz', nullable: true })
  prevAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  nextAt: Date | null;
}
