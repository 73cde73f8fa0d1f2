import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Order } from './order.entity';

/**
 * A customer identity an unmatched order carried, stored like `member_identities` (a phone as its
 * HMAC, `app_id` '' except for openids) so matching is an equality join. Deleted once matched.
 */
@Entity('order_identity_claims')
@Index('order_identity_claims_key', ['brandId', 'kind', 'appId', 'value'])
@Index('order_identity_claims_order_idx', ['orderId'])
export class OrderIdentityClaim {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  orderId: string;

  @ManyToOne(() => Order, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'order_id' })
  order?: Order;

  @Column({ type: 'varchar', length: 24 })
  kind: string;

  @Column({ type: 'varchar', length: 64, default: '' })
  appId: string;

  @Column({ type: 'varchar', length: 128 })
  value: string;
}
