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
import { Brand } from '../../tenancy/entities/brand.entity';

export type ActorType = 'operator' | 'api_key' | 'system';

/** One change an operator, a machine client or the system made: who, what, when, before/after. */
@Entity('audit_log')
@Check('audit_log_actor_type', `actor_type IN ('operator', 'api_key', 'system')`)
@Index('audit_log_brand_id_idx', ['brandId', 'id'])
@Index('audit_log_entity_idx', ['brandId', 'entityType', 'entityId'])
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne(() => Brand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: Brand;

  @Column({ type: 'varchar', length: 16 })
  actorType: ActorType;

  @Column({ type: 'uuid', nullable: true })
  actorId: string | null;

  @Column({ type: 'varchar', length: 80 })
  action: string;

  @Column({ type: 'varchar', length: 60 })
  entityType: string;

  @Column({ type: 'varchar', length: 80 })
  entityId: string;

  @Column({ type: 'jsonb', nullable: true })
  before: Record<string, unknown> | null;

  @Column({ type: 'jsonb', nullable: true })
  after: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  requestId: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
