import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/** Adds per channel code, staff member and brand-local day: what daily caps and least-loaded read. */
@Entity('acquisition_code_staff_days')
@Check('acquisition_code_staff_days_adds', `adds >= 0`)
export class ChannelCodeStaffDay {
  @PrimaryColumn({ type: 'uuid' })
  codeId: string;

  @ManyToOne('ChannelCode', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'code_id' })
  code?: unknown;

  @PrimaryColumn({ type: 'varchar', length: 64 })
  staffUserid: string;

  /** The brand-local day. */
  @PrimaryColumn({ type: 'date' })
  day: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'int', default: 0 })
  adds: number;
}
