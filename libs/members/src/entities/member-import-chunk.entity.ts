import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { MemberImport } from './member-import.entity';

/**
 * The uploaded file, in order, 1 MiB a row. Postgres keeps it durable and reachable from any worker
 * machine (no shared disk needed); the rows are deleted in the transaction that applies the import.
 */
@Entity('member_import_chunks')
export class MemberImportChunk {
  @PrimaryColumn({ type: 'uuid' })
  importId: string;

  @PrimaryColumn({ type: 'int' })
  seq: number;

  @ManyToOne(() => MemberImport, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'import_id' })
  import?: MemberImport;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @Column({ type: 'bytea' })
  data: Buffer;
}
