import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/**
 * Per-member limits: how many coupons of a template a member received, and how many times the
 * member used its shared codes. Moved by `INSERT … ON CONFLICT DO UPDATE … WHERE issued < limit
 * RETURNING`, so concurrent issues to one member cannot pass the limit.
 */
@Entity('coupon_member_counts')
export class CouponMemberCount {
  @PrimaryColumn({ type: 'uuid' })
  templateId: string;

  @ManyToOne('CouponTemplate', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'template_id' })
  template?: unknown;

  @PrimaryColumn({ type: 'uuid' })
  memberId: string;

  @ManyToOne('Member', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'member_id' })
  member?: unknown;

  @Column({ type: 'uuid' })
  brandId: string;

  @Column({ type: 'int', default: 0 })
  issued: number;

  @Column({ type: 'int', default: 0 })
  sharedUses: number;
}
