import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/** A brand is the tenant: every other row belongs to one. */
@Entity('brands')
@Check('brands_currency_iso', `currency ~ '^[A-Z]{3}$'`)
@Check('brands_frequency_cap_positive', `frequency_cap_count >= 0 AND frequency_cap_window_hours > 0`)
export class Brand {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 64, default: 'Asia/Shanghai' })
  timeZone: string;

  @Column({ type: 'char', length: 3, default: 'CNY' })
  currency: string;

  /** Local wall-clock start of quiet hours ("22:00"), or null for none. */
  @Column({ type: 'time', nullable: true })
  quietHoursStart: string | null;

  @Column({ type: 'time', nullable: true })
  quietHoursEnd: string | null;

  /** At most this many marketing messages per member ... */
  @Column({ type: 'int', default: 3 })
  frequencyCapCount: number;

  /** ... within this many hours. */
  @Column({ type: 'int', default: 24 })
  frequencyCapWindowHours: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
