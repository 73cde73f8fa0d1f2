/**
 * SQL fragments other libs embed in their own parameterised statements (segments' rule compiler,
 * the campaign engine's INSERT … SELECT fan-out). Each takes where its bind values go: a `params`
 * array (values appended, referred to by position `$${params.length}`) or a `SqlBind` function
 * (segments' `ctx.bind`), so the fragment can sit anywhere in a larger query. None of them checks
 * the shape of the values: ids must be UUIDs (validate them before, as DTOs do).
 */

/** Appends a bind value and answers its placeholder with the cast (`$4::uuid[]`). */
export type SqlBind = (value: unknown, cast: string) => string;

const binder = (to: unknown[] | SqlBind): SqlBind =>
  typeof to === 'function'
    ? to
    : (value, cast) => {
        to.push(value);
        return `$${to.length}::${cast}`;
      };

/** Which group chats: by Siyu group id, by WeCom chat_id, or by group tag. Several lists are OR-ed. */
export interface GroupSelector {
  groupIds?: string[];
  chatIds?: string[];
  tagIds?: string[];
}

export interface GroupMembershipOptions extends GroupSelector {
  /**
   * true (default): the member is in the group now (an open membership of a group not dismissed).
   * false: the member was ever in it, including stays that ended and dismissed groups.
   */
  activeOnly?: boolean;
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function alias(name: string): string {
  if (!ALIAS.test(name) || /^c[gfs]_/.test(name))
    throw new Error(`"${name}" cannot be used as a table alias`);
  return name;
}

/** The selector as a predicate over group alias `g`; null when it names no list at all. */
export function groupSelectorSql(g: string, params: unknown[] | SqlBind, sel: GroupSelector): string | null {
  const bind = binder(params);
  const parts: string[] = [];
  if (sel.groupIds) parts.push(`${g}.id = ANY(${bind(sel.groupIds, 'uuid[]')})`);
  if (sel.chatIds) parts.push(`${g}.chat_id = ANY(${bind(sel.chatIds, 'text[]')})`);
  if (sel.tagIds)
    parts.push(
      `EXISTS (SELECT 1 FROM community_group_tag_links cg_tl WHERE cg_tl.group_id = ${g}.id AND cg_tl.tag_id = ANY(${bind(sel.tagIds, 'uuid[]')}))`,
    );
  return parts.length > 0 ? `(${parts.join(' OR ')})` : null;
}

/**
 * "The member is in one of these group chats": an `EXISTS (…)` predicate over the members row
 * aliased `memberAlias` (`members m` → `'m'`), scoped to that row's brand. With no list given it
 * means "in any group chat". For the segments field registry:
 *
 * ```ts
 * const params: unknown[] = [brandId];
 * const where = groupMembershipSql('m', params, { tagIds: ['…'] });
 * await ds.query(`SELECT m.id FROM members m WHERE m.brand_id = $1 AND ${where}`, params);
 * ```
 *
 * It does not decide who may be messaged: put `reachableMemberSql('m')` (members) beside it. Erased
 * members keep their memberships (linked to the tombstone), so without it they would match.
 */
export function groupMembershipSql(
  memberAlias: string,
  params: unknown[] | SqlBind,
  opts: GroupMembershipOptions = {},
): string {
  const m = alias(memberAlias);
  const conds = [`cg_m.member_id = ${m}.id`, `cg_m.brand_id = ${m}.brand_id`];
  if (opts.activeOnly !== false) conds.push(`cg_m.left_at IS NULL`, `cg_g.status = 'active'`);
  const sel = groupSelectorSql('cg_g', params, opts);
  if (sel) conds.push(sel);
  return `EXISTS (SELECT 1 FROM community_group_members cg_m JOIN community_groups cg_g ON cg_g.id = cg_m.group_id WHERE ${conds.join(' AND ')})`;
}

export interface GroupAudienceOptions {
  /** Every active group of the brand, whatever the selector says. */
  all?: boolean;
  /**
   * true (default): leave out groups whose owner WeCom reports as gone (pending handover); they
   * cannot confirm a broadcast. false: include them (the caller reports them).
   */
  ownerActiveOnly?: boolean;
}

/**
 * The group chats a group-chat campaign goes to: a complete `SELECT` with the columns
 * `group_id, chat_id, owner_userid, owner_active, member_count, external_member_count`, one row per
 * active (not dismissed), fetched group of `brandId` matching the selector. An empty selector selects
 * nothing unless `all` is set. For the campaign engine's fan-out:
 *
 * ```ts
 * const params: unknown[] = [campaignId];
 * const groups = groupAudienceSql(brandId, { tagIds }, params);
 * await m.query(`INSERT INTO deliveries (campaign_id, chat_id, sender)
 *                SELECT $1, a.chat_id, a.owner_userid FROM (${groups}) a
 *                ON CONFLICT DO NOTHING`, params);
 * ```
 *
 * WeCom's add_msg_template takes one sender per call, so group the rows by `owner_userid`.
 */
export function groupAudienceSql(
  brandId: string,
  sel: GroupSelector,
  params: unknown[] | SqlBind,
  opts: GroupAudienceOptions = {},
): string {
  const conds = [`cg_g.brand_id = ${binder(params)(brandId, 'uuid')}`, `cg_g.status = 'active'`];
  if (opts.ownerActiveOnly !== false) conds.push(`cg_s.active`);
  if (!opts.all) conds.push(groupSelectorSql('cg_g', params, sel) ?? 'false');
  return `SELECT cg_g.id AS group_id, cg_g.chat_id, cg_s.userid AS owner_userid, cg_s.active AS owner_active,
       cg_g.member_count, cg_g.external_member_count
  FROM community_groups cg_g JOIN community_staff cg_s ON cg_s.id = cg_g.owner_staff_id
 WHERE ${conds.join(' AND ')}`;
}

export interface ContactOptions {
  /** Only relationships with these staff userids. */
  staffUserIds?: string[];
}

/**
 * "The member is some staff member's WeCom external contact now": an `EXISTS (…)` predicate over the
 * members row aliased `memberAlias`. A WeCom 1:1 broadcast can only reach such members; when every
 * relationship has ended (either side deleted the other) WeCom answers "not a friend".
 */
export function wecomContactSql(
  memberAlias: string,
  params: unknown[] | SqlBind,
  opts: ContactOptions = {},
): string {
  const m = alias(memberAlias);
  const conds = [`cf_f.member_id = ${m}.id`, `cf_f.brand_id = ${m}.brand_id`, `cf_f.status = 'active'`];
  if (opts.staffUserIds) conds.push(`cf_s.userid = ANY(${binder(params)(opts.staffUserIds, 'text[]')})`);
  return `EXISTS (SELECT 1 FROM community_contact_follows cf_f JOIN community_staff cf_s ON cf_s.id = cf_f.staff_id WHERE ${conds.join(' AND ')})`;
}

/**
 * The WeCom address of a member for a 1:1 broadcast: a subquery for `CROSS JOIN LATERAL (…) t`
 * giving `external_userid, staff_userid` of the member's most recently added active relationship
 * with an active staff member (no row: not reachable on WeCom 1:1). With `opts.staffUserIds` (and
 * `params` to bind them), only relationships with those staff members count.
 */
export function wecomContactTargetSql(
  memberAlias: string,
  params?: unknown[] | SqlBind,
  opts: ContactOptions = {},
): string {
  const m = alias(memberAlias);
  const staff =
    opts.staffUserIds && params
      ? ` AND cf_s.userid = ANY(${binder(params)(opts.staffUserIds, 'text[]')})`
      : '';
  return `SELECT cf_f.external_userid, cf_s.userid AS staff_userid
  FROM community_contact_follows cf_f JOIN community_staff cf_s ON cf_s.id = cf_f.staff_id
 WHERE cf_f.member_id = ${m}.id AND cf_f.brand_id = ${m}.brand_id AND cf_f.status = 'active' AND cf_s.active${staff}
 ORDER BY cf_f.added_at DESC NULLS LAST, cf_f.id DESC
 LIMIT 1`;
}
