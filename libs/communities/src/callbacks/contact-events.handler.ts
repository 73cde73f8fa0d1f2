import { Injectable } from '@nestjs/common';
import type { WecomCallbackEvent } from '@siyu/channels';
import { MemberEventsService } from '@siyu/members';
import { EntityManager } from 'typeorm';
import { COMMUNITY_EVENT_TYPES, FollowEndedBy } from '../communities.constants';
import { GroupStore } from '../group-store';
import { CommunityMemberLinker } from '../member-linker';
import { eventTime, text } from './callback-fields';

type Raw = Record<string, unknown>;

/**
 * `change_external_contact`: a customer and a staff member became (or stopped being) WeCom contacts.
 *
 * - `add_external_contact` (and `add_half_external_contact`): the customer's member is found by
 *   ExternalUserID or created (source channel `wecom`); the relationship is recorded with the
 *   contact way's `State`, which also goes on the timeline and, when the member has no first-touch
 *   UTM yet, becomes it (`utm_source=wecom`, `utm_medium=contact_way`, `utm_campaign=<State>`).
 * - `edit_external_contact`: the staff member edited the contact (remark, tags…; those free-text
 *   fields are not kept): recorded on the timeline.
 * - `del_external_contact` (the staff member deleted the customer) and `del_follow_user` (the
 *   customer deleted the staff member): the relationship ends. The member is not opted out (they may
 *   still be in groups and follow the Official Account), but with no active relationship left they
 *   are not reachable by WeCom 1:1 broadcasts (wecomContactSql / wecomContactTargetSql).
 *
 * Idempotent: each change applies only when it is newer than what the relationship row holds
 * (added_at, edited_at, ended_at), so the same event again changes nothing, and an old event
 * arriving late does not undo a newer one.
 */
@Injectable()
export class ContactEventsHandler {
  constructor(
    private readonly store: GroupStore,
    private readonly linker: CommunityMemberLinker,
    private readonly events: MemberEventsService,
  ) {}

  async handle(event: WecomCallbackEvent, m: EntityManager): Promise<void> {
    const staffUserid = text(event.fields.UserID);
    const external = text(event.fields.ExternalUserID);
    if (!staffUserid || !external || staffUserid.length > 64 || external.length > 64) return;
    const at = eventTime(event);
    const ctx = { brandId: event.brandId, staffUserid, external, at };
    switch (event.changeType) {
      case 'add_external_contact':
      case 'add_half_external_contact':
        return this.added(m, ctx, text(event.fields.State), event.changeType === 'add_half_external_contact');
      case 'edit_external_contact':
        return this.edited(m, ctx);
      case 'del_external_contact':
        return this.ended(m, ctx, 'staff');
      case 'del_follow_user':
        return this.ended(m, ctx, 'customer');
      default:
        return;
    }
  }

  private async resolve(
    m: EntityManager,
    ctx: Ctx,
    create: boolean,
  ): Promise<{ staffId: string; memberId: string | null }> {
    const staff = await this.store.upsertStaff(m, ctx.brandId, [{ userid: ctx.staffUserid }]);
    const { memberIds } = await this.linker.link(m, ctx.brandId, [{ userid: ctx.external, at: ctx.at }], {
      create,
      via: 'wecom_contact',
    });
    return { staffId: staff.get(ctx.staffUserid) as string, memberId: memberIds.get(ctx.external) ?? null };
  }

  private async added(m: EntityManager, ctx: Ctx, stateRaw: string | null, half: boolean): Promise<void> {
    const state = stateRaw ? stateRaw.slice(0, 64) : null;
    const { staffId, memberId } = await this.resolve(m, ctx, true);
    const changed: Raw[] = await m.query(
      `INSERT INTO community_contact_follows AS f (brand_id, staff_id, external_userid, member_id, status, state, added_at)
       VALUES ($1, $2, $3, $4, 'active', $5, $6)
       ON CONFLICT (brand_id, staff_id, external_userid) DO UPDATE SET
         status = 'active', state = EXCLUDED.state, added_at = EXCLUDED.added_at, ended_at = NULL, ended_by = NULL,
         member_id = COALESCE(f.member_id, EXCLUDED.member_id), updated_at = now()
        WHERE (f.status = 'ended' AND f.ended_at < EXCLUDED.added_at) OR (f.status = 'active' AND f.added_at IS NULL)
       RETURNING f.id`,
      [ctx.brandId, staffId, ctx.external, memberId, state, ctx.at],
    );
    await this.link(m, ctx, staffId, memberId);
    if (changed.length === 0 || !memberId || !(await this.isActive(m, ctx.brandId, memberId))) return;
    await this.events.append(m, {
      brandId: ctx.brandId,
      memberId,
      type: COMMUNITY_EVENT_TYPES.contactAdded,
      data: { staffUserId: ctx.staffUserid, state, ...(half ? { half: true } : {}) },
      occurredAt: ctx.at,
    });
    if (state) {
      // First touch: only when nothing else claimed it (the members lib's own rule for UTM).
      await m.query(
        `UPDATE members SET utm_source = 'wecom', utm_medium = 'contact_way', utm_campaign = $3,
                source_channel = CASE WHEN source_channel = 'other' THEN 'wecom' ELSE source_channel END, updated_at = now()
          WHERE brand_id = $1 AND id = $2 AND erased_at IS NULL AND merged_into IS NULL
            AND utm_source IS NULL AND utm_campaign IS NULL`,
        [ctx.brandId, memberId, state],
      );
    }
  }

  private async edited(m: EntityManager, ctx: Ctx): Promise<void> {
    const { staffId, memberId } = await this.resolve(m, ctx, true);
    const changed: Raw[] = await m.query(
      `INSERT INTO community_contact_follows AS f (brand_id, staff_id, external_userid, member_id, status, edited_at)
       VALUES ($1, $2, $3, $4, 'active', $5)
       ON CONFLICT (brand_id, staff_id, external_userid) DO UPDATE SET
         edited_at = EXCLUDED.edited_at, member_id = COALESCE(f.member_id, EXCLUDED.member_id), updated_at = now()
        WHERE f.status = 'active' AND (f.edited_at IS NULL OR f.edited_at < EXCLUDED.edited_at)
       RETURNING f.id`,
      [ctx.brandId, staffId, ctx.external, memberId, ctx.at],
    );
    await this.link(m, ctx, staffId, memberId);
    if (changed.length === 0 || !memberId || !(await this.isActive(m, ctx.brandId, memberId))) return;
    await this.events.append(m, {
      brandId: ctx.brandId,
      memberId,
      type: COMMUNITY_EVENT_TYPES.contactEdited,
      data: { staffUserId: ctx.staffUserid },
      occurredAt: ctx.at,
    });
  }

  private async ended(m: EntityManager, ctx: Ctx, by: FollowEndedBy): Promise<void> {
    // A deletion does not make a member of someone we never knew.
    const { staffId, memberId } = await this.resolve(m, ctx, false);
    const changed: Raw[] = await m.query(
      `INSERT INTO community_contact_follows AS f (brand_id, staff_id, external_userid, member_id, status, ended_at, ended_by)
       VALUES ($1, $2, $3, $4, 'ended', $5, $6)
       ON CONFLICT (brand_id, staff_id, external_userid) DO UPDATE SET
         status = 'ended', ended_at = EXCLUDED.ended_at, ended_by = EXCLUDED.ended_by,
         member_id = COALESCE(f.member_id, EXCLUDED.member_id), updated_at = now()
        WHERE f.status = 'active' AND (f.added_at IS NULL OR f.added_at <= EXCLUDED.ended_at)
       RETURNING f.id`,
      [ctx.brandId, staffId, ctx.external, memberId, ctx.at, by],
    );
    await this.link(m, ctx, staffId, memberId);
    if (changed.length === 0 || !memberId || !(await this.isActive(m, ctx.brandId, memberId))) return;
    await this.events.append(m, {
      brandId: ctx.brandId,
      memberId,
      type: COMMUNITY_EVENT_TYPES.contactEnded,
      data: { staffUserId: ctx.staffUserid, endedBy: by },
      occurredAt: ctx.at,
    });
  }

  /** A relationship recorded before its member was known gets linked now. */
  private async link(m: EntityManager, ctx: Ctx, staffId: string, memberId: string | null): Promise<void> {
    if (!memberId) return;
    await m.query(
      `UPDATE community_contact_follows SET member_id = $4, updated_at = now()
        WHERE brand_id = $1 AND staff_id = $2 AND external_userid = $3 AND member_id IS NULL`,
      [ctx.brandId, staffId, ctx.external, memberId],
    );
  }

  /** Erased and merged-away members get no new timeline entries. */
  private async isActive(m: EntityManager, brandId: string, memberId: string): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `SELECT 1 FROM members WHERE brand_id = $1 AND id = $2 AND erased_at IS NULL AND merged_into IS NULL`,
      [brandId, memberId],
    );
    return rows.length > 0;
  }
}

interface Ctx {
  brandId: string;
  staffUserid: string;
  external: string;
  at: Date;
}
