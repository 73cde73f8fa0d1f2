import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Member } from './member.entity';

/**
 * One good row of a completed import and the member it applied to: the member timeline's
 * `member.imported` entry, and its `member.tagged` entries (`tagIds`, the tags the import added to
 * the member, on the first of the member's rows), read where they are instead of an event row per
 * row and per tag. Keyed by member first (the timeline reads it by member; a merge moves it with a
 * plain UPDATE). `import_id` is no foreign key: an import row goes only with its brand, and takes its
 * links with it through the members' key.
 */
@Entity('member_import_links')
export class MemberImportLink {
  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  /**
   * One composite key to the member of the same brand: a row can only name a member of its own brand,
   * and an insert pays one key check, not one for the brand and one for the member. Deleting a brand
   * reaches these rows through its members.
   */
  @ManyToOne(() => Member, { onDelete: 'CASCADE' })
  @JoinColumn([
    { name: 'brand_id', referencedColumnName: 'brandId' },
    { name: 'member_id', referencedColumnName: 'id' },
  ])
  member?: Member;

  @PrimaryColumn({ type: 'uuid' })
  importId: string;

  /** The row's line in the file (as the import's error report counts them). */
  @PrimaryColumn({ type: 'int' })
  line: number;

  @Column({ type: 'uuid' })
  brandId: string;

  /** The row created the member (else it matched an existing one). */
  @Column({ type: 'boolean' })
  created: boolean;

  /** Tags this import added to the member (on the member's first row only), or NULL. */
  @Column({ type: 'uuid', array: true, nullable: true })
  tagIds: string[] | null;
}
