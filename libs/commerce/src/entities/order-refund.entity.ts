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
import { Order } from './order.entity';

/**
 * A refund of (part of) an order: its own row, never an edit of the order's history. `external_id`
 * makes a retried refund a no-op.
 */
@Entity('order_refunds')
@Check('order_refunds_amount', `amount_minor > 0`)
@Index('order_refunds_external_key', ['orderId', 'externalId'], { unique: true })
@Index('order_refunds_brand_idx', ['brandId', 'refundedAt'])
export class OrderRefund {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id' })
  order?: Order;

  @Column({ type: 'varchar', length: 128 })
  externalId: string;

  @Column({ type: 'bigint' })
  amountMinor: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  reason: string | null;

  @Column({ type: 'timestamptz' })
  refundedAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
