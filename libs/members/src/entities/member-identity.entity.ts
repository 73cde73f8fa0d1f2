import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { IDENTITY_KINDS, IdentityKind, sqlList } from '../members.constants';
import { Member } from './member.entity';

/**
 * A way to recognise a member, unique per brand. `app_id` is the WeChat app of an openid and ''
 * for every other kind (so the unique key needs no NULLS NOT DISTINCT). A phone's `value` is an
 * HMAC of its E.164 form, so it can be matched but not read back; `hint` is its masked form.
 */
@Entity('member_identities')
@Check('member_identities_kind', `kind IN (${sqlList(IDENTITY_KINDS)})`)
@Check('member_identities_app_id', `(kind = 'openid') = (app_id <> '')`)
@Check('member_identities_value', `value <> ''`)
// Value before kind: the key also serves the search by any identity value (GET /v1/members?q=…)
// without knowing its kind, so no second index on (brand_id, value) is written with every identity.
@Index('member_identities_key', ['brandId', 'value', 'kind', 'appId'], { unique: true })
@Index('member_identities_member_idx', ['memberId'])
export class MemberIdentity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'uuid' })
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

  @Column({ type: 'varchar', length: 24 })
  kind: IdentityKind;

  @Column({ type: 'varchar', length: 64, default: '' })
  appId: string;

  @Column({ type: 'varchar', length: 128 })
  value: string;

  @Column({ type: 'varchar', length: 32, nullable: true })
  hint: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
