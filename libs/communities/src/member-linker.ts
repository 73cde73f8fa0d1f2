import { Injectable } from '@nestjs/common';
import {
  IdentityTuple,
  MEMBER_EVENT_TYPES,
  MemberEventsService,
  MemberIdentityHooks,
  MembersService,
  NewMemberEvent,
} from '@siyu/members';
import { EntityManager } from 'typeorm';

/** A WeCom external contact to find (or create) the member of. */
export interface ContactRef {
  /** The external_userid. */
  userid: string;
  /** When WeCom saw them first here (joined the group, added the staff member): a new member's joined_at. */
  at: Date;
  /** groupchat/get gives it when the corp is bound to a WeChat open platform account. */
  unionid?: string | null;
}

export interface LinkResult {
  /** external_userid → member id, for every contact that has (or now has) a member. */
  memberIds: Map<string, string>;
  /** The members this call created. */
  created: string[];
}

/** Where the contact was met, for the member's timeline. */
export type LinkVia = 'wecom_group' | 'wecom_contact';

type Raw = Record<string, unknown>;

/**
 * Finds the members of WeCom external contacts by external_userid, set-based, and creates the ones
 * that are new (source channel `wecom`), following the members lib's own rules: the identities are
 * locked with MembersService.lockIdentities (the keys and order an upsert takes), new members and
 * identities are on the timeline, and MemberIdentityHooks runs in the same transaction (commerce
 * matches unmatched orders to them).
 *
 * Lookup order for each contact: the `external_userid` identity; else a membership or 1:1
 * relationship of this brand already linked to a member — which is how an erased person stays
 * erased (erasure deletes identities, but their rows here stay linked to the tombstone, so a later
 * sync does not make a new member of them); else the `unionid` identity (then the external_userid
 * is added to that member); else, when `create`, a new member.
 */
@Injectable()
export class CommunityMemberLinker {
  constructor(
    private readonly members: MembersService,
    private readonly events: MemberEventsService,
    private readonly hooks: MemberIdentityHooks,
  ) {}

  async link(
    m: EntityManager,
    brandId: string,
    contacts: ContactRef[],
    opts: { create: boolean; via: LinkVia },
  ): Promise<LinkResult> {
    const byUserid = new Map<string, ContactRef>();
    for (const c of contacts) {
      const seen = byUserid.get(c.userid);
      if (!seen || c.at < seen.at) byUserid.set(c.userid, { ...c, unionid: c.unionid ?? seen?.unionid });
    }
    const list = [...byUserid.values()];
    const result: LinkResult = { memberIds: new Map(), created: [] };
    if (list.length === 0) return result;

    const tuples: IdentityTuple[] = list.flatMap((c) => [
      { kind: 'external_userid', appId: '', value: c.userid, hint: null },
      ...(c.unionid ? [{ kind: 'unionid' as const, appId: '', value: c.unionid, hint: null }] : []),
    ]);
    await this.members.lockIdentities(m, brandId, tuples);

    const found: Raw[] = await m.query(
      `SELECT t.userid,
              (SELECT i.member_id FROM member_identities i
                WHERE i.brand_id = $1 AND i.kind = 'external_userid' AND i.app_id = '' AND i.value = t.userid) AS by_identity,
              (SELECT x.member_id FROM (
                  SELECT gm.member_id, gm.updated_at FROM community_group_members gm
                   WHERE gm.brand_id = $1 AND gm.userid = t.userid AND gm.member_id IS NOT NULL
                  UNION ALL
                  SELECT cf.member_id, cf.updated_at FROM community_contact_follows cf
                   WHERE cf.brand_id = $1 AND cf.external_userid = t.userid AND cf.member_id IS NOT NULL
                ) x ORDER BY x.updated_at DESC LIMIT 1) AS by_row,
              (SELECT i.member_id FROM member_identities i
                WHERE i.brand_id = $1 AND i.kind = 'unionid' AND i.app_id = '' AND i.value = t.unionid) AS by_unionid
         FROM unnest($2::text[], $3::text[]) AS t(userid, unionid)`,
      [brandId, list.map((c) => c.userid), list.map((c) => c.unionid ?? null)],
    );
    const evs: NewMemberEvent[] = [];
    const attach: Array<{ memberId: string; userid: string }> = [];
    const missing: ContactRef[] = [];
    for (const r of found) {
      const userid = r.userid as string;
      const id = (r.by_identity ?? r.by_row ?? r.by_unionid) as string | null;
      if (id) {
        result.memberIds.set(userid, id);
        if (!r.by_identity && !r.by_row) attach.push({ memberId: id, userid });
      } else missing.push(byUserid.get(userid) as ContactRef);
    }

    if (attach.length > 0) {
      const added: Raw[] = await m.query(
        `INSERT INTO member_identities (brand_id, member_id, kind, app_id, value)
         SELECT $1, x.member_id, 'external_userid', '', x.userid FROM unnest($2::uuid[], $3::text[]) AS x(member_id, userid)
         ON CONFLICT (brand_id, kind, app_id, value) DO NOTHING
         RETURNING member_id`,
        [brandId, attach.map((a) => a.memberId), attach.map((a) => a.userid)],
      );
      for (const a of added)
        evs.push({
          brandId,
          memberId: a.member_id as string,
          type: MEMBER_EVENT_TYPES.identityAdded,
          data: { kind: 'external_userid', via: opts.via },
        });
    }

    if (opts.create && missing.length > 0) {
      // One member per new contact; the CTE is materialised, so each row keeps its generated id.
      const created: Raw[] = await m.query(
        `WITH fresh AS (
           SELECT gen_random_uuid() AS id, t.userid, t.unionid, t.joined_at
             FROM unnest($2::text[], $3::text[], $4::timestamptz[]) AS t(userid, unionid, joined_at)),
         ins AS (
           INSERT INTO members (id, brand_id, source_channel, joined_at)
           SELECT id, $1, 'wecom', joined_at FROM fresh RETURNING id),
         ids AS (
           INSERT INTO member_identities (brand_id, member_id, kind, app_id, value)
           SELECT $1, f.id, 'external_userid', '', f.userid FROM fresh f
           UNION ALL
           SELECT $1, f.id, 'unionid', '', f.unionid FROM fresh f WHERE f.unionid IS NOT NULL
           ON CONFLICT (brand_id, kind, app_id, value) DO NOTHING
           RETURNING member_id)
         SELECT f.id, f.userid, f.joined_at, f.unionid IS NOT NULL AS with_unionid,
                (SELECT count(*) FROM ins) AS n, (SELECT count(*) FROM ids) AS k
           FROM fresh f`,
        [
          brandId,
          missing.map((c) => c.userid),
          missing.map((c) => c.unionid ?? null),
          missing.map((c) => c.at.toISOString()),
        ],
      );
      for (const r of created) {
        const id = r.id as string;
        result.memberIds.set(r.userid as string, id);
        result.created.push(id);
        evs.push({
          brandId,
          memberId: id,
          type: MEMBER_EVENT_TYPES.created,
          data: {
            sourceChannel: 'wecom',
            identities: r.with_unionid ? ['external_userid', 'unionid'] : ['external_userid'],
            via: opts.via,
          },
          occurredAt: new Date(r.joined_at as string),
        });
      }
    }

    // A member merged away while we waited for its lock: its rows and identities are the survivor's now.
    const ids = [...new Set(result.memberIds.values())];
    if (ids.length > 0) {
      const rows: Raw[] = await m.query(
        `SELECT id, merged_into FROM members WHERE brand_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR SHARE`,
        [brandId, ids],
      );
      const survivor = new Map(
        rows.filter((r) => r.merged_into).map((r) => [r.id as string, r.merged_into as string]),
      );
      if (survivor.size > 0)
        for (const [userid, id] of result.memberIds) {
          let s = id;
          for (let hops = 0; survivor.has(s) && hops < 8; hops++) s = survivor.get(s) as string;
          result.memberIds.set(userid, s);
        }
    }

    await this.events.appendMany(m, evs);
    const touched = [...new Set([...result.created, ...attach.map((a) => a.memberId)])];
    if (touched.length > 0)
      await this.hooks.identitiesAdded(m, { brandId, memberIds: touched, source: 'upsert' });
    return result;
  }
}
