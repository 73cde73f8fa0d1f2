import { Check, Column, Entity, Index, JoinColumn, ManyToOne, OneToOne, PrimaryColumn } from 'typeorm';
import { RFM_GROUPS } from '../rfm.constants';

/**
 * A member's RFM scores from the last computation: quintiles 1–5 over the brand's members with a
 * paid order (members without one have no row), and the named group.
 */
@Entity('member_rfm')
@Index('member_rfm_brand_group_idx', ['brandId', 'rfmGroup'])
@Check('member_rfm_scores', `r BETWEEN 1 AND 5 AND f BETWEEN 1 AND 5 AND m BETWEEN 1 AND 5`)
@Check('member_rfm_group', `rfm_group IN (${RFM_GROUPS.map((g) => `'${g}'`).join(', ')})`)
export class MemberRfm {
  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @OneToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** The inputs: last paid order, paid order count, paid spend net of refunds (minor units). */
  @Column({ type: 'timestamptz' })
  lastOrderAt: Date;

  @Column({ type: 'int' })
  frequency: number;

  @Column({ type: 'bigint' })
  monetaryMinor: string;

  @Column({ type: 'smallint' })
  r: number;

  @Column({ type: 'smallint' })
  f: number;

  @Column({ type: 'smallint' })
  m: number;

  @Column({ type: 'varchar', length: 24 })
  rfmGroup: string;

  @Column({ type: 'timestamptz' })
  computedAt: Date;
}
