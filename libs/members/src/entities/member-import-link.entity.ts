import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Member } from './member.entity';

/**
 * One good row of a completed import and the member it applied to: the member timeline's
 * `member.imported` entry, and its `member.tagged` entries (`tagIds`, the tags the import added to
 * the member, on the first of the member's rows), read where they are instead of an event row per
 * row and per tag. Keyed by member first (the timeline reads it by member; a merge moves it with a
 * plain UPDATE). `import_id` is no foreign key: an import row goes only with its brand, and takes its
 * links with it through the brand's and the members' keys.
 */
@Entity('member_import_links')
export class MemberImportLink {
  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @ManyToOne(() => Member, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: Member;

  @PrimaryColumn({ type: 'uuid' })
  importId: string;

  /** The row's line in the file (as the import's error report counts them). */
  @PrimaryColumn({ type: 'int' })
  line: number;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** The row created the member (else it matched an existing one). */
  @Column({ type: 'boolean' })
  created: boolean;

  /** Tags this import added to the member (on the member's first row only), or NULL. */
  @Column({ type: 'uuid', array: true, nullable: true })
  tagIds: string[] | null;
}
