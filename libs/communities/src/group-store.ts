import { Injectable } from '@nestjs/common';
import { MemberEventsService, NewMemberEvent } from '@siyu/members';
import { EntityManager } from 'typeorm';
import { COMMUNITY_EVENT_TYPES, MembershipType } from './communities.constants';
import { CommunityMemberLinker } from './member-linker';

/** One person in a group as groupchat/get reports them. */
export interface SnapshotMember {
  userid: string;
  type: MembershipType;
  joinedAt: Date;
  joinScene: number | null;
  invitor: string | null;
  /** A staff member's display name (customers' names are not kept). */
  name: string | null;
  unionid: string | null;
}

/** A whole group as groupchat/get reports it (plus its groupchat/list status when the sync read one). */
export interface GroupSnapshot {
  chatId: string;
  name: string;
  owner: string;
  notice: string | null;
  createdAt: Date | null;
  memberVersion: string | null;
  /** groupchat/list's status (0–3); undefined when the snapshot did not come from a list page. */
  wecomStatus?: number;
  admins: string[];
  members: SnapshotMember[];
}

/** What applying changed. */
export interface ApplyStats {
  groups: number;
  joined: number;
  left: number;
  membersCreated: number;
}

/** A group row locked for a callback. */
export interface LockedGroup {
  id: string;
  chatId: string;
  status: 'active' | 'dismissed';
  syncedAt: Date | null;
  memberVersion: string | null;
  lastSeenAt: Date;
}

type Raw = Record<string, unknown>;

/** TypeORM answers an UPDATE … RETURNING with `[rows, count]` (an INSERT … RETURNING with the rows). */
async function updateReturning(m: EntityManager, sql: string, params: unknown[]): Promise<Raw[]> {
  const [rows] = (await m.query(sql, params)) as [Raw[], number];
  return rows;
}

const emptyStats = (): ApplyStats => ({ groups: 0, joined: 0, left: 0, membersCreated: 0 });

/**
 * Writes group chats, staff and memberships, set-based, for the sync (whole snapshots) and the
 * callbacks (single changes). Every method runs in the caller's transaction and takes the group
 * rows' locks first (in chat_id order), so a sync page and a callback for the same group serialise
 * and the member counts stay exact. Applying the same thing twice changes nothing.
 */
@Injectable()
export class GroupStore {
  constructor(
    private readonly linker: CommunityMemberLinker,
    private readonly events: MemberEventsService,
  ) {}

  /** Creates staff rows for these userids (names filled in when given); returns userid → staff id. */
  async upsertStaff(
    m: EntityManager,
    brandId: string,
    staff: Array<{ userid: string; name?: string | null }>,
  ): Promise<Map<string, string>> {
    const byId = new Map<string, string | null>();
    for (const s of staff) if (s.userid) byId.set(s.userid, s.name ?? byId.get(s.userid) ?? null);
    if (byId.size === 0) return new Map();
    const userids = [...byId.keys()].sort();
    const names = userids.map((u) => byId.get(u) ?? null);
    // DO NOTHING and a separate UPDATE of the rows that change: a known staff row is not locked
    // (ON CONFLICT DO UPDATE would lock it even when nothing changes), so a callback holding a group
    // and a sync page holding the staff rows cannot wait on each other.
    await m.query(
      `INSERT INTO community_staff (brand_id, userid, name)
       SELECT $1, x.userid, x.name FROM unnest($2::text[], $3::text[]) AS x(userid, name)
       ON CONFLICT (brand_id, userid) DO NOTHING`,
      [brandId, userids, names],
    );
    await m.query(
      `UPDATE community_staff s SET name = x.name, updated_at = now()
         FROM unnest($2::text[], $3::text[]) AS x(userid, name)
        WHERE s.brand_id = $1 AND s.userid = x.userid AND x.name IS NOT NULL AND s.name IS DISTINCT FROM x.name`,
      [brandId, userids, names],
    );
    const rows: Raw[] = await m.query(
      `SELECT id, userid FROM community_staff WHERE brand_id = $1 AND userid = ANY($2::text[])`,
      [brandId, userids],
    );
    return new Map(rows.map((r) => [r.userid as string, r.id as string]));
  }

  /**
   * Applies whole groups as read from WeCom. `asOf` is when the reading began: memberships a
   * callback wrote after it are newer than the snapshot and are left as they are.
   */
  async applySnapshots(
    m: EntityManager,
    brandId: string,
    snapshots: GroupSnapshot[],
    asOf: Date,
  ): Promise<ApplyStats & { groupIds: Map<string, string> }> {
    const stats = { ...emptyStats(), groupIds: new Map<string, string>() };
    if (snapshots.length === 0) return stats;
    const snaps = [...new Map(snapshots.map((s) => [s.chatId, s])).values()].sort((a, b) =>
      a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : 0,
    );

    await this.upsertStaff(m, brandId, [
      ...snaps.map((s) => ({ userid: s.owner })),
      ...snaps.flatMap((s) => s.admins.map((userid) => ({ userid }))),
      ...snaps.flatMap((s) =>
        s.members.filter((p) => p.type === 'staff').map((p) => ({ userid: p.userid, name: p.name })),
      ),
    ]);
    // Owners of groups WeCom lists as "owner left the company" cannot send until the handover.
    const listed = snaps.filter((s) => s.wecomStatus !== undefined);
    if (listed.length > 0) {
      await m.query(
        `UPDATE community_staff s SET active = x.active, updated_at = now()
           FROM (SELECT userid, bool_and(status NOT IN (1, 2)) AS active
                   FROM unnest($2::text[], $3::int[]) AS t(userid, status) GROUP BY userid) x
          WHERE s.brand_id = $1 AND s.userid = x.userid AND s.active IS DISTINCT FROM x.active`,
        [brandId, listed.map((s) => s.owner), listed.map((s) => s.wecomStatus)],
      );
    }

    const groups: Raw[] = await m.query(
      `INSERT INTO community_groups AS g
              (brand_id, chat_id, name, owner_staff_id, notice, wecom_status, wecom_created_at, member_version,
               synced_at, last_seen_at, needs_refresh)
       SELECT $1, x.chat_id, x.name, s.id, x.notice, COALESCE(x.wecom_status, 0), x.created_at, x.member_version,
              now(), now(), false
         FROM jsonb_to_recordset($2::jsonb)
              AS x(chat_id text, name text, owner text, notice text, wecom_status int, created_at timestamptz, member_version text)
         LEFT JOIN community_staff s ON s.brand_id = $1 AND s.userid = x.owner
        ORDER BY x.chat_id
       ON CONFLICT (brand_id, chat_id) DO UPDATE SET
         name = EXCLUDED.name,
         owner_staff_id = EXCLUDED.owner_staff_id,
         notice = EXCLUDED.notice,
         wecom_status = CASE WHEN $3 THEN EXCLUDED.wecom_status ELSE g.wecom_status END,
         wecom_created_at = COALESCE(EXCLUDED.wecom_created_at, g.wecom_created_at),
         member_version = EXCLUDED.member_version,
         status = 'active',
         dismissed_at = NULL,
         synced_at = now(),
         last_seen_at = now(),
         needs_refresh = false,
         updated_at = CASE
           WHEN (g.name, g.owner_staff_id, g.notice, g.status, g.wecom_status)
                IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.owner_staff_id, EXCLUDED.notice, 'active',
                                  CASE WHEN $3 THEN EXCLUDED.wecom_status ELSE g.wecom_status END)
           THEN now() ELSE g.updated_at END
       RETURNING g.id, g.chat_id`,
      [
        brandId,
        JSON.stringify(
          snaps.map((s) => ({
            chat_id: s.chatId,
            name: s.name,
            owner: s.owner,
            notice: s.notice,
            wecom_status: s.wecomStatus ?? null,
            created_at: s.createdAt?.toISOString() ?? null,
            member_version: s.memberVersion,
          })),
        ),
        listed.length === snaps.length,
      ],
    );
    for (const g of groups) stats.groupIds.set(g.chat_id as string, g.id as string);
    stats.groups = groups.length;
    const groupIds = [...stats.groupIds.values()];

    await m.query(`DROP TABLE IF EXISTS pg_temp.community_snapshot_members`);
    await m.query(
      `CREATE TEMP TABLE community_snapshot_members ON COMMIT DROP AS
       SELECT g.id AS group_id, g.chat_id, x.userid, x.member_type, x.joined_at, x.join_scene::smallint AS join_scene,
              x.invitor, x.unionid
         FROM jsonb_to_recordset($2::jsonb)
              AS x(chat_id text, userid text, member_type text, joined_at timestamptz, join_scene int, invitor text, unionid text)
         JOIN community_groups g ON g.brand_id = $1 AND g.chat_id = x.chat_id`,
      [
        brandId,
        JSON.stringify(
          snaps.flatMap((s) =>
            [...new Map(s.members.map((p) => [p.userid, p])).values()].map((p) => ({
              chat_id: s.chatId,
              userid: p.userid,
              member_type: p.type,
              joined_at: p.joinedAt.toISOString(),
              join_scene: p.joinScene,
              invitor: p.invitor,
              unionid: p.unionid,
            })),
          ),
        ),
      ],
    );
    await m.query(`CREATE INDEX ON pg_temp.community_snapshot_members (group_id, userid)`);

    // Gone from the group: their stay ends now (unless a callback wrote it after the snapshot was read).
    const left = await updateReturning(
      m,
      `UPDATE community_group_members gm SET left_at = GREATEST(now(), gm.joined_at), quit_scene = NULL, updated_at = now()
        WHERE gm.group_id = ANY($1::uuid[]) AND gm.left_at IS NULL AND gm.updated_at < $2
          AND NOT EXISTS (SELECT 1 FROM community_snapshot_members s WHERE s.group_id = gm.group_id AND s.userid = gm.userid)
        RETURNING gm.id, gm.group_id, gm.member_id, gm.left_at`,
      [groupIds, asOf],
    );
    // In the group and not yet known to be: a new stay.
    const joined: Raw[] = await m.query(
      `INSERT INTO community_group_members (brand_id, group_id, userid, member_type, joined_at, join_scene, invitor_userid)
       SELECT $1, s.group_id, s.userid, s.member_type, s.joined_at, s.join_scene, s.invitor
         FROM community_snapshot_members s
        WHERE NOT EXISTS (SELECT 1 FROM community_group_members gm
                           WHERE gm.group_id = s.group_id AND gm.userid = s.userid
                             AND (gm.left_at IS NULL OR gm.updated_at >= $2))
       ON CONFLICT (group_id, userid) WHERE left_at IS NULL DO NOTHING
       RETURNING id`,
      [brandId, asOf],
    );
    // Still in it: WeCom's own facts replace what a callback could tell.
    await m.query(
      `UPDATE community_group_members gm
          SET member_type = s.member_type, joined_at = s.joined_at, join_scene = s.join_scene, invitor_userid = s.invitor,
              member_id = CASE WHEN s.member_type = 'staff' THEN NULL ELSE gm.member_id END, updated_at = now()
         FROM community_snapshot_members s
        WHERE gm.group_id = s.group_id AND gm.userid = s.userid AND gm.left_at IS NULL
          AND (gm.member_type, gm.joined_at, gm.join_scene, gm.invitor_userid)
              IS DISTINCT FROM (s.member_type, s.joined_at, s.join_scene, s.invitor)`,
    );

    const unlinked: Raw[] = await m.query(
      `SELECT gm.userid, min(gm.joined_at) AS joined_at, max(s.unionid) AS unionid
         FROM community_group_members gm
         LEFT JOIN community_snapshot_members s ON s.group_id = gm.group_id AND s.userid = gm.userid
        WHERE gm.group_id = ANY($1::uuid[]) AND gm.left_at IS NULL AND gm.member_type = 'external' AND gm.member_id IS NULL
        GROUP BY gm.userid`,
      [groupIds],
    );
    stats.membersCreated = await this.linkContacts(m, brandId, unlinked);

    await this.groupEvents(
      m,
      brandId,
      joined.map((r) => String(r.id)),
      left.map((r) => String(r.id)),
      'sync',
    );
    await this.recount(m, groupIds);
    await m.query(`DROP TABLE IF EXISTS pg_temp.community_snapshot_members`);
    stats.joined = joined.length;
    stats.left = left.length;
    return stats;
  }

  /** Links open external memberships to members (creating them); returns how many were created. */
  private async linkContacts(m: EntityManager, brandId: string, rows: Raw[]): Promise<number> {
    if (rows.length === 0) return 0;
    const { memberIds, created } = await this.linker.link(
      m,
      brandId,
      rows.map((r) => ({
        userid: r.userid as string,
        at: new Date(r.joined_at as string),
        unionid: (r.unionid as string | null) ?? null,
      })),
      { create: true, via: 'wecom_group' },
    );
    if (memberIds.size > 0) {
      await m.query(
        `UPDATE community_group_members gm SET member_id = x.member_id, updated_at = now()
           FROM unnest($2::text[], $3::uuid[]) AS x(userid, member_id)
          WHERE gm.brand_id = $1 AND gm.userid = x.userid AND gm.member_type = 'external' AND gm.member_id IS NULL`,
        [brandId, [...memberIds.keys()], [...memberIds.values()]],
      );
    }
    return created.length;
  }

  /** Timeline entries for stays that began or ended (members not erased only). */
  private async groupEvents(
    m: EntityManager,
    brandId: string,
    joinedIds: string[],
    leftIds: string[],
    via: 'sync' | 'callback' | 'dismissed',
  ): Promise<void> {
    if (joinedIds.length + leftIds.length === 0) return;
    const rows: Raw[] = await m.query(
      `SELECT gm.id, gm.member_id, gm.group_id, g.chat_id, gm.joined_at, gm.left_at, gm.join_scene, gm.quit_scene,
              gm.id = ANY($2::bigint[]) AS joined
         FROM community_group_members gm
         JOIN community_groups g ON g.id = gm.group_id
         JOIN members mm ON mm.id = gm.member_id AND mm.erased_at IS NULL
        WHERE gm.brand_id = $1 AND gm.id = ANY($2::bigint[] || $3::bigint[])`,
      [brandId, joinedIds, leftIds],
    );
    const evs: NewMemberEvent[] = rows.map((r) =>
      r.joined
        ? {
            brandId,
            memberId: r.member_id as string,
            type: COMMUNITY_EVENT_TYPES.groupJoined,
            data: { groupId: r.group_id, chatId: r.chat_id, joinScene: r.join_scene, via },
            occurredAt: new Date(r.joined_at as string),
          }
        : {
            brandId,
            memberId: r.member_id as string,
            type: COMMUNITY_EVENT_TYPES.groupLeft,
            data: { groupId: r.group_id, chatId: r.chat_id, quitScene: r.quit_scene, via },
            occurredAt: new Date(r.left_at as string),
          },
    );
    await this.events.appendMany(m, evs);
  }

  /** member_count and external_member_count from the open memberships. */
  async recount(m: EntityManager, groupIds: string[]): Promise<void> {
    if (groupIds.length === 0) return;
    await m.query(
      `UPDATE community_groups g SET member_count = c.n, external_member_count = c.e, updated_at = now()
         FROM (SELECT g2.id,
                      (SELECT count(*) FROM community_group_members gm WHERE gm.group_id = g2.id AND gm.left_at IS NULL)::int AS n,
                      (SELECT count(*) FROM community_group_members gm
                        WHERE gm.group_id = g2.id AND gm.left_at IS NULL AND gm.member_type = 'external')::int AS e
                 FROM community_groups g2 WHERE g2.id = ANY($1::uuid[])) c
        WHERE g.id = c.id AND (g.member_count, g.external_member_count) IS DISTINCT FROM (c.n, c.e)`,
      [groupIds],
    );
  }

  // ---------------------------------------------------------------- callbacks

  /** The group, locked; created as a stub (to be fetched) when `create` and it is unknown. */
  async lockGroup(
    m: EntityManager,
    brandId: string,
    chatId: string,
    create: boolean,
  ): Promise<LockedGroup | null> {
    if (create)
      await m.query(
        `INSERT INTO community_groups (brand_id, chat_id, needs_refresh) VALUES ($1, $2, true)
         ON CONFLICT (brand_id, chat_id) DO NOTHING`,
        [brandId, chatId],
      );
    const [row]: Raw[] = await m.query(
      `SELECT id, chat_id, status, synced_at, member_version, last_seen_at FROM community_groups
        WHERE brand_id = $1 AND chat_id = $2 FOR UPDATE`,
      [brandId, chatId],
    );
    return row
      ? {
          id: row.id as string,
          chatId: row.chat_id as string,
          status: row.status as LockedGroup['status'],
          syncedAt: (row.synced_at as Date | null) ?? null,
          memberVersion: (row.member_version as string | null) ?? null,
          lastSeenAt: row.last_seen_at as Date,
        }
      : null;
  }

  async markNeedsRefresh(m: EntityManager, groupId: string): Promise<void> {
    await m.query(
      `UPDATE community_groups SET needs_refresh = true, updated_at = now() WHERE id = $1 AND NOT needs_refresh`,
      [groupId],
    );
  }

  /**
   * People joined at `at` (a callback). A person already in the group, or whose stay ended at or
   * after `at` (the callback is older than what we know), is left alone. Staff among them are
   * known staff (the handler reads the group otherwise).
   */
  async addMembers(
    m: EntityManager,
    brandId: string,
    group: LockedGroup,
    people: Array<{ userid: string; type: MembershipType }>,
    at: Date,
    joinScene: number | null,
    memberVersion: string | null,
  ): Promise<{ joined: number; membersCreated: number }> {
    const joined: Raw[] = await m.query(
      `INSERT INTO community_group_members (brand_id, group_id, userid, member_type, joined_at, join_scene)
       SELECT $1, $2, x.userid, x.member_type, $5, $6 FROM unnest($3::text[], $4::text[]) AS x(userid, member_type)
        WHERE NOT EXISTS (SELECT 1 FROM community_group_members gm
                           WHERE gm.group_id = $2 AND gm.userid = x.userid AND (gm.left_at IS NULL OR gm.left_at >= $5))
       ON CONFLICT (group_id, userid) WHERE left_at IS NULL DO NOTHING
       RETURNING id, userid, member_type`,
      [brandId, group.id, people.map((p) => p.userid), people.map((p) => p.type), at, joinScene],
    );
    const externals = joined.filter((r) => r.member_type === 'external');
    const created = await this.linkContacts(
      m,
      brandId,
      externals.map((r) => ({ userid: r.userid, joined_at: at.toISOString(), unionid: null })),
    );
    await this.groupEvents(
      m,
      brandId,
      joined.map((r) => String(r.id)),
      [],
      'callback',
    );
    await this.touch(m, group, memberVersion);
    await this.recount(m, [group.id]);
    return { joined: joined.length, membersCreated: created };
  }

  /** People left at `at` (a callback): open stays that began at or before `at` end then. */
  async removeMembers(
    m: EntityManager,
    group: LockedGroup,
    brandId: string,
    userids: string[],
    at: Date,
    quitScene: number | null,
    memberVersion: string | null,
  ): Promise<{ left: number }> {
    const left = await updateReturning(
      m,
      `UPDATE community_group_members SET left_at = $3, quit_scene = $4, updated_at = now()
        WHERE group_id = $1 AND userid = ANY($2::text[]) AND left_at IS NULL AND joined_at <= $3
        RETURNING id`,
      [group.id, userids, at, quitScene],
    );
    await this.groupEvents(
      m,
      brandId,
      [],
      left.map((r) => String(r.id)),
      'callback',
    );
    await this.touch(m, group, memberVersion);
    await this.recount(m, [group.id]);
    return { left: left.length };
  }

  /** The group was dismissed at `at`: it is marked so and every open stay ends then. */
  async dismiss(m: EntityManager, brandId: string, group: LockedGroup, at: Date): Promise<number | null> {
    const changed = await updateReturning(
      m,
      `UPDATE community_groups SET status = 'dismissed', dismissed_at = $2, needs_refresh = false, updated_at = now()
        WHERE id = $1 AND status = 'active' RETURNING id`,
      [group.id, at],
    );
    if (changed.length === 0) return null;
    const left = await updateReturning(
      m,
      `UPDATE community_group_members SET left_at = GREATEST($2, joined_at), updated_at = now()
        WHERE group_id = $1 AND left_at IS NULL RETURNING id`,
      [group.id, at],
    );
    await this.groupEvents(
      m,
      brandId,
      [],
      left.map((r) => String(r.id)),
      'dismissed',
    );
    await this.recount(m, [group.id]);
    return left.length;
  }

  /**
   * Marks groups WeCom no longer lists (a completed sync pass that did not see them since `since`,
   * `except` the ones about to be applied); returns how many groups, and how many stays that ended.
   */
  async dismissUnseen(
    m: EntityManager,
    brandId: string,
    since: Date,
    except: string[] = [],
  ): Promise<{ groups: number; left: number }> {
    const rows: Raw[] = await m.query(
      `SELECT id, chat_id, status, synced_at, member_version, last_seen_at FROM community_groups
        WHERE brand_id = $1 AND status = 'active' AND last_seen_at < $2 AND NOT (chat_id = ANY($3::text[]))
        ORDER BY chat_id FOR UPDATE`,
      [brandId, since, except],
    );
    const out = { groups: 0, left: 0 };
    for (const r of rows) {
      const group: LockedGroup = {
        id: r.id as string,
        chatId: r.chat_id as string,
        status: 'active',
        syncedAt: (r.synced_at as Date | null) ?? null,
        memberVersion: (r.member_version as string | null) ?? null,
        lastSeenAt: r.last_seen_at as Date,
      };
      const left = await this.dismiss(m, brandId, group, new Date());
      if (left !== null) {
        out.groups++;
        out.left += left;
      }
    }
    return out;
  }

  /** Records that WeCom showed the group just now (and its member version after a change). */
  private async touch(m: EntityManager, group: LockedGroup, memberVersion: string | null): Promise<void> {
    await m.query(
      `UPDATE community_groups SET last_seen_at = GREATEST(last_seen_at, now()), member_version = COALESCE($2, member_version)
        WHERE id = $1`,
      [group.id, memberVersion],
    );
  }
}
