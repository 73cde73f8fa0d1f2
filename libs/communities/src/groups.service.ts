import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { MembersService } from '@siyu/members';
import { Actor, AuditService, decodeCursor, Page, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { GroupStatus, MembershipType } from './communities.constants';
import { CommunityException } from './communities.errors';
import { groupAudienceSql, GroupAudienceOptions, GroupSelector } from './community-sql';

type Raw = Record<string, unknown>;

export interface GroupView {
  id: string;
  chatId: string;
  name: string;
  owner: { userid: string; name: string | null; active: boolean } | null;
  notice: string | null;
  memberCount: number;
  externalMemberCount: number;
  capacity: number;
  status: GroupStatus;
  wecomStatus: number;
  tags: Array<{ id: string; name: string }>;
  wecomCreatedAt: Date | null;
  dismissedAt: Date | null;
  syncedAt: Date | null;
  needsRefresh: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupQuery {
  status?: GroupStatus;
  tagId?: string;
  /** The owner's WeCom userid. */
  owner?: string;
  /** Part of the name, or an exact chat_id. */
  q?: string;
  limit: number;
  cursor?: string;
}

export interface MembershipView {
  id: string;
  groupId: string;
  userid: string;
  type: MembershipType;
  memberId: string | null;
  joinedAt: Date;
  leftAt: Date | null;
  joinScene: number | null;
  quitScene: number | null;
  invitorUserid: string | null;
}

export interface MemberGroupView extends MembershipView {
  chatId: string;
  groupName: string;
  groupStatus: GroupStatus;
}

export interface StaffView {
  id: string;
  userid: string;
  name: string | null;
  active: boolean;
  ownedGroups: number;
  activeContacts: number;
  createdAt: Date;
}

/** What the campaign engine gets for a group-chat audience. */
export interface GroupTarget {
  groupId: string;
  chatId: string;
  ownerUserid: string;
  ownerActive: boolean;
  memberCount: number;
}

const GROUP_SELECT = `g.*, g.created_at::text AS cursor_at, s.userid AS owner_userid, s.name AS owner_name,
  s.active AS owner_active,
  COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.name)
              FROM community_group_tag_links l JOIN community_group_tags t ON t.id = l.tag_id
             WHERE l.group_id = g.id), '[]'::json) AS tags`;

const toGroup = (r: Raw): GroupView => ({
  id: r.id as string,
  chatId: r.chat_id as string,
  name: r.name as string,
  owner: r.owner_userid
    ? {
        userid: r.owner_userid as string,
        name: (r.owner_name as string | null) ?? null,
        active: r.owner_active as boolean,
      }
    : null,
  notice: (r.notice as string | null) ?? null,
  memberCount: Number(r.member_count),
  externalMemberCount: Number(r.external_member_count),
  capacity: Number(r.capacity),
  status: r.status as GroupStatus,
  wecomStatus: Number(r.wecom_status),
  tags: r.tags as Array<{ id: string; name: string }>,
  wecomCreatedAt: (r.wecom_created_at as Date | null) ?? null,
  dismissedAt: (r.dismissed_at as Date | null) ?? null,
  syncedAt: (r.synced_at as Date | null) ?? null,
  needsRefresh: r.needs_refresh as boolean,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
});

const toMembership = (r: Raw): MembershipView => ({
  id: String(r.id),
  groupId: r.group_id as string,
  userid: r.userid as string,
  type: r.member_type as MembershipType,
  memberId: (r.member_id as string | null) ?? null,
  joinedAt: r.joined_at as Date,
  leftAt: (r.left_at as Date | null) ?? null,
  joinScene: r.join_scene === null ? null : Number(r.join_scene),
  quitScene: r.quit_scene === null ? null : Number(r.quit_scene),
  invitorUserid: (r.invitor_userid as string | null) ?? null,
});

/** `%` and `_` are literal in a search term. */
const likeTerm = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Group chats, their memberships and staff for the API, and group audiences for campaigns. Every
 * read takes the brand first; another brand's group is a 404.
 */
@Injectable()
export class GroupsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly members: MembersService,
  ) {}

  private async find(brandId: string, id: string, m: EntityManager = this.ds.manager): Promise<GroupView> {
    const rows: Raw[] = await m.query(
      `SELECT ${GROUP_SELECT} FROM community_groups g LEFT JOIN community_staff s ON s.id = g.owner_staff_id
        WHERE g.brand_id = $1 AND g.id = $2`,
      [brandId, id],
    );
    if (!rows[0]) throw CommunityException.groupNotFound(id);
    return toGroup(rows[0]);
  }

  get(brandId: string, id: string): Promise<GroupView> {
    return this.find(brandId, id);
  }

  /** Newest first, keyset-paginated. */
  async list(brandId: string, q: GroupQuery): Promise<Page<GroupView>> {
    const after = decodeCursor(q.cursor, 2) as [string, string] | null;
    const params: unknown[] = [brandId, q.limit + 1];
    const where = ['g.brand_id = $1'];
    if (q.status) where.push(`g.status = $${params.push(q.status)}`);
    if (q.tagId)
      where.push(
        `EXISTS (SELECT 1 FROM community_group_tag_links l WHERE l.group_id = g.id AND l.tag_id = $${params.push(q.tagId)})`,
      );
    if (q.owner) where.push(`s.userid = $${params.push(q.owner)}`);
    if (q.q !== undefined) {
      const term = q.q.trim();
      where.push(`(g.name ILIKE $${params.push(likeTerm(term))} OR g.chat_id = $${params.push(term)})`);
    }
    if (after) {
      where.push(
        `(g.created_at, g.id) < ($${params.push(after[0])}::timestamptz, $${params.push(after[1])}::uuid)`,
      );
    }
    const rows: Raw[] = await this.ds.query(
      `SELECT ${GROUP_SELECT} FROM community_groups g LEFT JOIN community_staff s ON s.id = g.owner_staff_id
        WHERE ${where.join(' AND ')}
        ORDER BY g.created_at DESC, g.id DESC LIMIT $2`,
      params,
    );
    return toPage(rows, q.limit, (r) => [r.cursor_at as string, r.id as string], toGroup);
  }

  /** Replaces the group's tags (audited). */
  async setTags(actor: Actor, id: string, tagIds: string[]): Promise<GroupView> {
    const wanted = [...new Set(tagIds)];
    return this.ds.transaction(async (m) => {
      const [locked]: Raw[] = await m.query(
        `SELECT id FROM community_groups WHERE brand_id = $1 AND id = $2 FOR UPDATE`,
        [actor.brandId, id],
      );
      if (!locked) throw CommunityException.groupNotFound(id);
      const before = await this.find(actor.brandId, id, m);
      const found: Raw[] = await m.query(
        `SELECT id FROM community_group_tags WHERE brand_id = $1 AND id = ANY($2::uuid[])`,
        [actor.brandId, wanted],
      );
      const known = new Set(found.map((r) => r.id as string));
      const missing = wanted.filter((t) => !known.has(t));
      if (missing.length > 0) throw CommunityException.tagsNotFound(missing);
      await m.query(
        `DELETE FROM community_group_tag_links WHERE group_id = $1 AND NOT (tag_id = ANY($2::uuid[]))`,
        [id, wanted],
      );
      await m.query(
        `INSERT INTO community_group_tag_links (group_id, tag_id, brand_id)
         SELECT $1, t, $3 FROM unnest($2::uuid[]) t ON CONFLICT DO NOTHING`,
        [id, wanted, actor.brandId],
      );
      const after = await this.find(actor.brandId, id, m);
      const ids = (g: GroupView) => g.tags.map((t) => t.id).sort();
      if (ids(before).join() !== ids(after).join()) {
        await this.audit.record(m, actor, {
          action: 'community.group.update',
          entityType: 'community_group',
          entityId: id,
          before: { tagIds: ids(before) },
          after: { tagIds: ids(after) },
        });
      }
      return after;
    });
  }

  /** The group's memberships: open ones (`active`) or every stay (`all`), newest first. */
  async memberships(
    brandId: string,
    groupId: string,
    q: { state: 'active' | 'all'; type?: MembershipType; limit: number; cursor?: string },
  ): Promise<Page<MembershipView>> {
    await this.find(brandId, groupId);
    const after = decodeCursor(q.cursor, 1) as [string] | null;
    const params: unknown[] = [brandId, groupId, q.limit + 1];
    const where = ['gm.brand_id = $1', 'gm.group_id = $2'];
    if (q.state === 'active') where.push('gm.left_at IS NULL');
    if (q.type) where.push(`gm.member_type = $${params.push(q.type)}`);
    if (after) where.push(`gm.id < $${params.push(after[0])}::bigint`);
    const rows: Raw[] = await this.ds.query(
      `SELECT gm.* FROM community_group_members gm WHERE ${where.join(' AND ')} ORDER BY gm.id DESC LIMIT $3`,
      params,
    );
    return toPage(rows, q.limit, (r) => [String(r.id)], toMembership);
  }

  /** A member's group chats (404 for another brand's member). */
  async groupsOfMember(
    brandId: string,
    memberId: string,
    q: { state: 'active' | 'all'; limit: number; cursor?: string },
  ): Promise<Page<MemberGroupView>> {
    await this.members.get(brandId, memberId);
    const after = decodeCursor(q.cursor, 1) as [string] | null;
    const params: unknown[] = [brandId, memberId, q.limit + 1];
    const where = ['gm.brand_id = $1', 'gm.member_id = $2'];
    if (q.state === 'active') where.push(`gm.left_at IS NULL AND g.status = 'active'`);
    if (after) where.push(`gm.id < $${params.push(after[0])}::bigint`);
    const rows: Raw[] = await this.ds.query(
      `SELECT gm.*, g.chat_id, g.name AS group_name, g.status AS group_status
         FROM community_group_members gm JOIN community_groups g ON g.id = gm.group_id
        WHERE ${where.join(' AND ')} ORDER BY gm.id DESC LIMIT $3`,
      params,
    );
    return toPage(
      rows,
      q.limit,
      (r) => [String(r.id)],
      (r) => ({
        ...toMembership(r),
        chatId: r.chat_id as string,
        groupName: r.group_name as string,
        groupStatus: r.group_status as GroupStatus,
      }),
    );
  }

  /** Staff accounts by userid, with the groups they own and their active 1:1 contacts. */
  async staff(
    brandId: string,
    q: { active?: boolean; limit: number; cursor?: string },
  ): Promise<Page<StaffView>> {
    const after = decodeCursor(q.cursor, 1) as [string] | null;
    const params: unknown[] = [brandId, q.limit + 1];
    const where = ['s.brand_id = $1'];
    if (q.active !== undefined) where.push(`s.active = $${params.push(q.active)}`);
    if (after) where.push(`s.userid > $${params.push(after[0])}`);
    const rows: Raw[] = await this.ds.query(
      `SELECT s.*,
              (SELECT count(*) FROM community_groups g WHERE g.owner_staff_id = s.id AND g.status = 'active')::int AS owned_groups,
              (SELECT count(*) FROM community_contact_follows f WHERE f.staff_id = s.id AND f.status = 'active')::int AS active_contacts
         FROM community_staff s WHERE ${where.join(' AND ')} ORDER BY s.userid LIMIT $2`,
      params,
    );
    return toPage(
      rows,
      q.limit,
      (r) => [r.userid as string],
      (r) => ({
        id: r.id as string,
        userid: r.userid as string,
        name: (r.name as string | null) ?? null,
        active: r.active as boolean,
        ownedGroups: Number(r.owned_groups),
        activeContacts: Number(r.active_contacts),
        createdAt: r.created_at as Date,
      }),
    );
  }

  /**
   * The group chats a group-chat campaign goes to (see groupAudienceSql), as rows: for callers that
   * want the list rather than SQL to embed.
   */
  async resolveGroups(
    brandId: string,
    sel: GroupSelector,
    opts: GroupAudienceOptions = {},
    m: EntityManager = this.ds.manager,
  ): Promise<GroupTarget[]> {
    const params: unknown[] = [];
    const sql = groupAudienceSql(brandId, sel, params, opts);
    const rows: Raw[] = await m.query(`${sql} ORDER BY cg_s.userid, cg_g.chat_id`, params);
    return rows.map((r) => ({
      groupId: r.group_id as string,
      chatId: r.chat_id as string,
      ownerUserid: r.owner_userid as string,
      ownerActive: r.owner_active as boolean,
      memberCount: Number(r.member_count),
    }));
  }
}
