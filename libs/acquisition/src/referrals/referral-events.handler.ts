import { Injectable, OnModuleInit } from '@nestjs/common';
import { WecomCallbackEvent, WecomEventRegistry } from '@siyu/channels';
import { EntityManager } from 'typeorm';
import { eventTime, int, isExternal, memChangeList, text } from '../common/callback-fields';
import { JOIN_SCENE_QR } from '../join-ways/join-ways.constants';
import { ReferralSettlementService } from './referral-settlement.service';
import { InviteeRefusal, InviteeVia, REFERRAL_STATE_PREFIX } from './referrals.constants';

type Raw = Record<string, unknown>;

export const REFERRAL_CONTACT_HANDLER = 'acquisition.referrals.contacts';
export const REFERRAL_GROUP_HANDLER = 'acquisition.referrals.groups';

interface Arrival {
  brandId: string;
  state: string;
  external: string;
  via: InviteeVia;
  staffUserid: string | null;
  chatId: string | null;
  at: Date;
}

/**
 * Counts invitees toward their inviter from the callbacks (in the worker, inside the event's
 * transaction, beside the communities handlers, in whatever order they run):
 *
 * - change_external_contact add_external_contact whose State is an invite's `rf_…`: via contact;
 * - change_external_chat update/add_member with JoinScene 3 and such a State: via group, per customer;
 * - del_external_contact / del_follow_user, and del_member: an invitee still inside their window who
 *   leaves that staff member or group is marked lost (settled as lost, never counted).
 *
 * Refused (recorded with the reason, never counted): the inviter's own account (`self`), a person
 * the brand knew before this add (`known`: an identity, a 1:1 contact or a group stay from an
 * earlier transaction), an add outside the campaign's dates (`outside_window`). A person counts
 * once per campaign (the first invite they came through). The welcome message, tags and source of
 * a referral add are the channel-code handler's, through the state resolver (see ReferralStateResolver).
 */
@Injectable()
export class ReferralEventsHandler implements OnModuleInit {
  constructor(
    private readonly registry: WecomEventRegistry,
    private readonly settlement: ReferralSettlementService,
  ) {}

  onModuleInit(): void {
    this.registry.on('change_external_contact', (e, m) => this.contact(e, m), REFERRAL_CONTACT_HANDLER);
    this.registry.on('change_external_chat', (e, m) => this.group(e, m), REFERRAL_GROUP_HANDLER);
  }

  async contact(event: WecomCallbackEvent, m: EntityManager): Promise<void> {
    const staff = text(event.fields.UserID);
    const external = text(event.fields.ExternalUserID);
    if (!staff || !external) return;
    const at = eventTime(event);
    switch (event.changeType) {
      case 'add_external_contact':
      case 'add_half_external_contact': {
        const state = text(event.fields.State, 30);
        if (!state?.startsWith(REFERRAL_STATE_PREFIX)) return;
        await this.arrived(m, {
          brandId: event.brandId,
          state,
          external,
          via: 'contact',
          staffUserid: staff,
          chatId: null,
          at,
        });
        return;
      }
      case 'del_external_contact':
      case 'del_follow_user':
        await m.query(
          `UPDATE acquisition_referral_invitees SET lost_at = $4
            WHERE brand_id = $1 AND external_userid = $2 AND via = 'contact' AND staff_userid = $3
              AND status = 'pending' AND lost_at IS NULL AND $4 >= joined_at AND $4 < window_ends_at`,
          [event.brandId, external, staff, at],
        );
        return;
      default:
        return;
    }
  }

  async group(event: WecomCallbackEvent, m: EntityManager): Promise<void> {
    const f = event.fields;
    const chatId = text(f.ChatId);
    if (event.changeType !== 'update' || !chatId) return;
    const detail = text(f.UpdateDetail);
    const people = memChangeList(f.MemChangeList).filter(isExternal);
    if (people.length === 0) return;
    const at = eventTime(event);
    if (detail === 'add_member') {
      const state = text(f.State, 30);
      if (int(f.JoinScene) !== JOIN_SCENE_QR || !state?.startsWith(REFERRAL_STATE_PREFIX)) return;
      for (const external of people)
        await this.arrived(m, {
          brandId: event.brandId,
          state,
          external,
          via: 'group',
          staffUserid: null,
          chatId,
          at,
        });
    } else if (detail === 'del_member') {
      await m.query(
        `UPDATE acquisition_referral_invitees SET lost_at = $4
          WHERE brand_id = $1 AND external_userid = ANY($2::text[]) AND via = 'group' AND chat_id = $3
            AND status = 'pending' AND lost_at IS NULL AND $4 >= joined_at AND $4 < window_ends_at`,
        [event.brandId, people, chatId, at],
      );
    }
  }

  private async arrived(m: EntityManager, a: Arrival): Promise<void> {
    const [invite]: Raw[] = await m.query(
      `SELECT i.id, i.campaign_id, i.member_id, c.retention_hours, c.starts_at, c.ends_at, c.status,
              COALESCE(mi.merged_into, mi.id) AS inviter
         FROM acquisition_referral_invites i
         JOIN acquisition_referral_campaigns c ON c.id = i.campaign_id
         JOIN members mi ON mi.id = i.member_id
        WHERE i.brand_id = $1 AND i.state = $2`,
      [a.brandId, a.state],
    );
    if (!invite) return;
    const [who]: Raw[] = await m.query(
      `WITH seen AS (
         SELECT i.member_id, i.created_at FROM member_identities i
          WHERE i.brand_id = $1 AND i.kind = 'external_userid' AND i.app_id = '' AND i.value = $2
         UNION ALL
         SELECT f.member_id, f.created_at FROM community_contact_follows f WHERE f.brand_id = $1 AND f.external_userid = $2
         UNION ALL
         SELECT g.member_id, g.created_at FROM community_group_members g WHERE g.brand_id = $1 AND g.userid = $2)
       SELECT (SELECT COALESCE(mm.merged_into, mm.id) FROM seen s JOIN members mm ON mm.id = s.member_id LIMIT 1) AS member_id,
              COALESCE(bool_or(s.created_at < now()), false) AS known
         FROM seen s`,
      [a.brandId, a.external],
    );
    const inviteeMember = (who?.member_id as string | null) ?? null;
    const inviter = invite.inviter as string;
    const startsAt = invite.starts_at as Date;
    const endsAt = invite.ends_at as Date | null;
    let refusal: InviteeRefusal | null = null;
    if (inviteeMember === inviter || inviteeMember === invite.member_id) refusal = 'self';
    else if (who?.known === true) refusal = 'known';
    else if (invite.status !== 'active' || a.at < startsAt || (endsAt && a.at >= endsAt))
      refusal = 'outside_window';
    const inserted: Raw[] = await m.query(
      `INSERT INTO acquisition_referral_invitees (brand_id, campaign_id, invite_id, inviter_member_id, invitee_member_id,
         external_userid, via, staff_userid, chat_id, joined_at, window_ends_at, status, refused_reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10::timestamptz + make_interval(hours => $11), $12, $13)
       ON CONFLICT (campaign_id, external_userid) DO NOTHING
       RETURNING id`,
      [
        a.brandId,
        invite.campaign_id,
        invite.id,
        inviter,
        inviteeMember,
        a.external,
        a.via,
        a.staffUserid,
        a.chatId,
        a.at,
        Number(invite.retention_hours),
        refusal ? 'refused' : 'pending',
        refusal,
      ],
    );
    if (inserted.length > 0 && !refusal && Number(invite.retention_hours) === 0)
      await this.settlement.settleInviter(m, a.brandId, invite.campaign_id as string, inviter);
  }
}
