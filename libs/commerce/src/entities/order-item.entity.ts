import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Order } from './order.entity';

/**
 * A line of an order. Read only by its order (`order_items_order_idx`); no query looks lines up by
 * SKU, so there is no (brand_id, sku) index to keep on every line written.
 */
@Entity('order_items')
@Check('order_items_amounts', `quantity > 0 AND unit_price_minor >= 0`)
@Index('order_items_order_idx', ['orderId'])
export class OrderItem {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id' })
  order?: Order;

  @Column({ type: 'varchar', length: 64 })
  sku: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  name: string | null;

  @Column({ type: 'varchar', length: 80, nullable: true })
  category: string | null;

  @Column({ type: 'int' })
  quantity: number;

  @Column({ type: 'bigint' })
  unitPriceMinor: string;
}
