import type { EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager, 'query'>;

/** The userids (of those given) that are not staff members of the brand: one query. */
export async function unknownStaff(q: Queryable, brandId: string, userids: string[]): Promise<Set<string>> {
  if (userids.length === 0) return new Set();
  const rows: Array<{ userid: string }> = await q.query(
    `SELECT userid FROM community_staff WHERE brand_id = $1 AND userid = ANY($2::text[])`,
    [brandId, userids],
  );
  const known = new Set(rows.map((r) => r.userid));
  return new Set(userids.filter((u) => !known.has(u)));
}

/** The tag ids (of those given, lower-cased) that are not the brand's tags: one query. */
export async function unknownTags(q: Queryable, brandId: string, tagIds: string[]): Promise<Set<string>> {
  const ids = [...new Set(tagIds.map((t) => t.toLowerCase()))];
  if (ids.length === 0) return new Set();
  const rows: Array<{ id: string }> = await q.query(
    `SELECT id FROM tags WHERE brand_id = $1 AND id = ANY($2::uuid[])`,
    [brandId, ids],
  );
  const known = new Set(rows.map((r) => r.id));
  return new Set(ids.filter((t) => !known.has(t)));
}
