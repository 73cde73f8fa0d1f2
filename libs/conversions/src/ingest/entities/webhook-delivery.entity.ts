import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/**
 * One accepted webhook delivery, keyed by the sender's delivery id (Shopify's X-Shopify-Webhook-Id,
 * the generic X-Siyu-Delivery, else the signature). A replay answers `response` again and changes
 * nothing. Only deliveries that were applied are kept: a refused one may be sent again.
 */
@Entity('order_webhook_deliveries')
@Index('order_webhook_deliveries_key', ['sourceId', 'deliveryKey'], { unique: true })
@Index('order_webhook_deliveries_brand_idx', ['brandId', 'createdAt'])
export class OrderWebhookDelivery {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  sourceId: string;

  @ManyToOne('OrderSource', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'source_id' })
  source?: unknown;

  @Column({ type: 'varchar', length: 200 })
  deliveryKey: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  topic: string | null;

  @Column({ type: 'jsonb' })
  response: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
