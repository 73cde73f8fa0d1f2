import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';

/** The brand's last RFM computation: the nightly scheduler catches up from it after an outage. */
@Entity('rfm_runs')
export class RfmRun {
  @PrimaryColumn({ type: 'uuid' })
  brandId: string;

  @OneToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'timestamptz' })
  computedAt: Date;

  /** Members that got scores. */
  @Column({ type: 'int' })
  scoredMembers: number;

  @Column({ type: 'varchar', length: 16 })
  trigger: 'nightly' | 'manual';

  @Column({ type: 'int' })
  durationMs: number;
}
