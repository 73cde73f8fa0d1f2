import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Column } from 'typeorm';

/** A tag on a group chat. */
@Entity('community_group_tag_links')
@Index('community_group_tag_links_tag_idx', ['tagId', 'groupId'])
export class GroupTagLink {
  @PrimaryColumn({ type: 'uuid' })
  groupId: string;

  @PrimaryColumn({ type: 'uuid' })
  tagId: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  @ManyToOne('GroupChat', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: unknown;

  @ManyToOne('GroupTag', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tag_id' })
  tag?: unknown;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
