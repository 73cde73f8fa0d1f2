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

/**
 * A featured product of a session. `linkId` is its tracked link once the conversions lib makes
 * them; until then the destination is kept and the link is pending.
 */
@Entity('live_products')
@Index('live_products_session_idx', ['sessionId', 'position'])
@Check('live_products_price', `price_minor >= 0`)
export class LiveProduct {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
  sessionId: string;

  @ManyToOne('LiveSession', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: unknown;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  @Column({ type: 'bigint' })
  priceMinor: string;

  @Column({ type: 'varchar', length: 2000, nullable: true })
  imageUrl: string | null;

  @Column({ type: 'varchar', length: 2000 })
  destinationUrl: string;

  @Column({ type: 'uuid', nullable: true })
  linkId: string | null;

  @Column({ type: 'int' })
  position: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
