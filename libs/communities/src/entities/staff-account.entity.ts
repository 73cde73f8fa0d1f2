import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

/**
 * A WeCom staff account (成员) of the brand's corp: the userids that own groups, sit in them, follow
 * customers 1:1 and send broadcasts. Learnt from groupchat/get and from callbacks; `active` is false
 * while WeCom reports a group of theirs as "owner left the company" (pending handover).
 */
@Entity('community_staff')
@Index('community_staff_userid_key', ['brandId', 'userid'], { unique: true })
@Check('community_staff_userid', `userid <> ''`)
export class StaffAccount {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  // By entity name: entity files load outside the path aliases (TypeORM's glob, the migration CLI).
  @ManyToOne('Brand', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'brand_id' })
  brand?: unknown;

  /** The WeCom userid (成员 UserID). */
  @Column({ type: 'varchar', length: 64 })
  userid: string;

  /** The staff member's display name in WeCom, when groupchat/get gave it. */
  @Column({ type: 'varchar', length: 80, nullable: true })
  name: string | null;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
