import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A brand's live-commerce settings (absent row: the defaults). */
@Entity('live_settings')
export class LiveSettings {
  @PrimaryColumn({ type: 'uuid' })
  brandId: string;

  @OneToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** "Now live" is sent even inside the brand's quiet hours. */
  @Column({ type: 'boolean', default: false })
  nowLiveQuietHoursExempt: boolean;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
