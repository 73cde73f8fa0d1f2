import { Injectable, OnModuleInit } from '@nestjs/common';
import {
  CheckedCondition,
  list,
  Queryable,
  SegmentFieldDef,
  SegmentFieldRegistry,
  UUID,
} from '@siyu/segments';
import { groupMembershipSql } from './community-sql';

const category = 'communities';

/** The ids in `ids` that are not rows of `table` for the brand (refused with 400 naming them). */
async function unknownIds(
  db: Queryable,
  table: 'community_groups' | 'community_group_tags',
  brandId: string,
  c: CheckedCondition,
): Promise<string[]> {
  const ids = [...new Set(c.value as string[])];
  const rows = (await db.query(`SELECT id FROM ${table} WHERE brand_id = $1 AND id = ANY($2::uuid[])`, [
    brandId,
    ids,
  ])) as Array<{ id: string }>;
  const found = new Set(rows.map((r) => r.id));
  return ids.filter((id) => !found.has(id));
}

/** "Is in one of these group chats now" (an open stay in a group that is not dismissed). */
const groupChats: SegmentFieldDef = {
  name: 'group_chats',
  category,
  description: 'Group chat ids the member is in now: has_any, has_none',
  ops: { has_any: list(UUID), has_none: list(UUID) },
  compile: (c, ctx) => {
    const sql = groupMembershipSql(ctx.member, ctx.bind, { groupIds: [...new Set(c.value as string[])] });
    return c.op === 'has_none' ? `NOT ${sql}` : sql;
  },
  unknownRefs: (db, brandId, c) => unknownIds(db, 'community_groups', brandId, c),
};

/** "Is now in a group chat carrying one of these group tags". */
const groupChatTags: SegmentFieldDef = {
  name: 'group_chat_tags',
  category,
  description:
    'Group tag ids: the member is now in a group chat with any (has_any) or none (has_none) of them',
  ops: { has_any: list(UUID), has_none: list(UUID) },
  compile: (c, ctx) => {
    const sql = groupMembershipSql(ctx.member, ctx.bind, { tagIds: [...new Set(c.value as string[])] });
    return c.op === 'has_none' ? `NOT ${sql}` : sql;
  },
  unknownRefs: (db, brandId, c) => unknownIds(db, 'community_group_tags', brandId, c),
};

/** "Is in any group chat now". */
const inGroupChat: SegmentFieldDef = {
  name: 'in_group_chat',
  category,
  description: 'The member is in at least one group chat now: eq true|false',
  ops: { eq: { kind: 'boolean' } },
  compile: (c, ctx) => {
    const sql = groupMembershipSql(ctx.member, ctx.bind);
    return c.value === true ? sql : `NOT ${sql}`;
  },
};

export const COMMUNITY_SEGMENT_FIELDS = [groupChats, groupChatTags, inGroupChat];

/** Makes group-chat membership a segment condition (the segments lib's extension point). */
@Injectable()
export class CommunitySegmentFields implements OnModuleInit {
  constructor(private readonly registry: SegmentFieldRegistry) {}

  onModuleInit(): void {
    for (const field of COMMUNITY_SEGMENT_FIELDS) this.registry.register(field);
  }
}
