import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Member } from './member.entity';
import { Tag } from './tag.entity';

@Entity('member_tags')
@Index('member_tags_tag_idx', ['tagId', 'memberId'])
export class MemberTag {
  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @PrimaryColumn({ type: 'uuid' })
  tagId: string;

  @Column({ type: 'uuid' })
  brandId: string;

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

  @ManyToOne(() => Tag, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id' })
  tag?: Tag;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
