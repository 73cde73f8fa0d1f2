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
import { Role, ROLE_CHECK } from '../roles';

/**
 * A machine client's credential. The secret is shown once at creation; only its SHA-256 is kept
 * (it is 256 random bits, so a slow hash adds nothing). `prefix` finds the row without a scan.
 */
@Entity('api_keys')
@Check('api_keys_role', ROLE_CHECK)
@Index('api_keys_brand_idx', ['brandId'])
export class ApiKey {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne(() => Brand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: Brand;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Index('api_keys_prefix_key', { unique: true })
  @Column({ type: 'varchar', length: 24 })
  prefix: string;

  @Column({ type: 'char', length: 64 })
  secretHash: string;

  @Column({ type: 'varchar', length: 32 })
  role: Role;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
