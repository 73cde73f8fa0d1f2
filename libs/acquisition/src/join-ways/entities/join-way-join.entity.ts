import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';

/** One person who joined a group through a join way (change_external_chat add_member, JoinScene 3, State). */
@Entity('acquisition_join_way_joins')
@Index('acquisition_join_way_joins_key', ['joinWayId', 'chatId', 'userid', 'joinedAt'], { unique: true })
@Index('acquisition_join_way_joins_brand_idx', ['brandId', 'joinedAt'])
export class JoinWayJoin {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'uuid' })
  joinWayId: string;

  @ManyToOne('JoinWay', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'join_way_id' })
  joinWay?: unknown;

  @Column({ type: 'varchar', length: 64 })
  chatId: string;

  @Column({ type: 'varchar', length: 64 })
  userid: string;

  @Column({ type: 'timestamptz' })
  joinedAt: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
