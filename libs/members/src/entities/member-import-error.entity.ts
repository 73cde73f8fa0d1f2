import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { MemberImport } from './member-import.entity';

/** One problem with one row of an import: the row was skipped, the others were kept. */
@Entity('member_import_errors')
@Index('member_import_errors_import_idx', ['importId', 'line', 'id'])
export class MemberImportError {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  importId: string;

  @ManyToOne(() => MemberImport, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id' })
  import?: MemberImport;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** The row's line in the file (the header is line 1). */
  @Column({ type: 'int' })
  line: number;

  @Column({ type: 'varchar', length: 40 })
  field: string;

  @Column({ type: 'varchar', length: 300 })
  reason: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  value: string | null;
}
