import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { Brand } from '../../tenancy/entities/brand.entity';
import { Operator } from './operator.entity';

/**
 * An opaque refresh token (stored as its SHA-256). Tokens rotate on every refresh; presenting a
 * token that was already rotated revokes its whole family (a stolen token is detected).
 */
@Entity('refresh_tokens')
@Index('refresh_tokens_family_idx', ['familyId'])
@Index('refresh_tokens_operator_idx', ['operatorId'])
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  operatorId: string;

  @ManyToOne(() => Operator, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'operator_id' })
  operator?: Operator;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne(() => Brand, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: Brand;

  @Column({ type: 'uuid' })
  familyId: string;

  @Index('refresh_tokens_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash: string;

  @Column({ type: 'timestamptz' })
  expiresAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  rotatedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
