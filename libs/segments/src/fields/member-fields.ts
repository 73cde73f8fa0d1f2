import { CONSENT_STATUSES, reachableMemberSql, SOURCE_CHANNELS } from '@siyu/members';
import { DateTime } from 'luxon';
import { DATE, int, list, NEGATIVE_OPS, NONE, range, scalarPredicate, UUID } from '../rule/predicates';
import { CompileContext, Queryable, SegmentFieldDef } from '../rule/segment-field';
import { booleanField, enumField, stringField } from './field-builders';

export const DAY_MS = 86_400_000;
/** The consent value of a member who never said yes or no. */
export const CONSENT_UNKNOWN = 'unknown';

/** The instant a calendar day starts in the brand's time zone. */
export function startOfDay(day: string, timeZone: string, plusDays = 0): Date {
  return DateTime.fromISO(day, { zone: timeZone }).startOf('day').plus({ days: plusDays }).toJSDate();
}

/** `now − days × 24 h`. */
export const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * DAY_MS);

/** The ids of `ids` that are not rows of `table` in the brand. */
async function unknownIds(db: Queryable, table: 'tags' | 'tiers', brandId: string, ids: string[]) {
  const rows = (await db.query(`SELECT id FROM ${table} WHERE brand_id = $1 AND id = ANY($2::uuid[])`, [
    brandId,
    ids,
  ])) as Array<{ id: string }>;
  const found = new Set(rows.map((r) => r.id));
  return [...new Set(ids)].filter((id) => !found.has(id));
}

const category = 'member';

const sourceChannel = enumField({
  name: 'source_channel',
  category,
  description: 'Where the member first came from',
  values: SOURCE_CHANNELS,
  column: (m) => `${m}.source_channel`,
  nullable: false,
});

const consent = enumField({
  name: 'consent',
  category,
  description: `Marketing consent: ${CONSENT_STATUSES.join(', ')} or ${CONSENT_UNKNOWN} (never asked)`,
  values: [...CONSENT_STATUSES, CONSENT_UNKNOWN],
  column: (m) => `COALESCE(${m}.consent_status, '${CONSENT_UNKNOWN}')`,
  nullable: false,
});

const textColumn = (name: string, column: string, description: string) =>
  stringField({ name, category, description, column: (m) => `${m}.${column}`, nullable: true });

const birthday: SegmentFieldDef = {
  name: 'birthday',
  category,
  description: 'Date of birth: before/after/between days, month_in [1-12], is_set/is_not_set',
  ops: {
    before: DATE,
    after: DATE,
    between: range(DATE),
    month_in: list(int(1, 12)),
    is_set: NONE,
    is_not_set: NONE,
  },
  compile: (c, ctx) => {
    const col = `${ctx.member}.birthday`;
    switch (c.op) {
      case 'before':
        return `${col} < ${ctx.bind(c.value, 'date')}`;
      case 'after':
        return `${col} > ${ctx.bind(c.value, 'date')}`;
      case 'month_in':
        return `EXTRACT(MONTH FROM ${col})::int = ANY(${ctx.bind(c.value, 'int[]')})`;
      default:
        return scalarPredicate(col, c.op, c.value, ctx, 'date');
    }
  },
};

const joinedAt: SegmentFieldDef = {
  name: 'joined_at',
  category,
  description:
    'When the member joined: before/after/between calendar days (brand time zone), within_last_days N, more_than_days_ago N',
  ops: {
    before: DATE,
    after: DATE,
    between: range(DATE),
    within_last_days: int(0, 3650),
    more_than_days_ago: int(0, 3650),
  },
  compile: (c, ctx) => {
    const col = `${ctx.member}.joined_at`;
    const at = (d: Date) => ctx.bind(d, 'timestamptz');
    switch (c.op) {
      case 'before':
        return `${col} < ${at(startOfDay(c.value as string, ctx.timeZone))}`;
      case 'after':
        return `${col} >= ${at(startOfDay(c.value as string, ctx.timeZone, 1))}`;
      case 'between': {
        const [from, to] = c.value as [string, string];
        return `(${col} >= ${at(startOfDay(from, ctx.timeZone))} AND ${col} < ${at(startOfDay(to, ctx.timeZone, 1))})`;
      }
      case 'within_last_days':
        return `${col} >= ${at(daysBefore(ctx.now, c.value as number))}`;
      default: // more_than_days_ago
        return `${col} < ${at(daysBefore(ctx.now, c.value as number))}`;
    }
  },
};

// Keyed by the member (whose brand is checked), so (tag_id, member_id) serves it from the index alone.
const tagsFrom = (ctx: CompileContext, ids: string) =>
  `SELECT 1 FROM member_tags mt WHERE mt.member_id = ${ctx.member}.id AND mt.tag_id = ANY(${ids})`;

const tags: SegmentFieldDef = {
  name: 'tags',
  category,
  description: 'Tag ids: has_any, has_all, has_none',
  ops: { has_any: list(UUID), has_all: list(UUID), has_none: list(UUID) },
  compile: (c, ctx) => {
    const ids = [...new Set(c.value as string[])];
    const bound = ctx.bind(ids, 'uuid[]');
    if (c.op === 'has_any') return `EXISTS (${tagsFrom(ctx, bound)})`;
    if (c.op === 'has_none') return `NOT EXISTS (${tagsFrom(ctx, bound)})`;
    return `(SELECT count(*) FROM member_tags mt WHERE mt.member_id = ${ctx.member}.id AND mt.tag_id = ANY(${bound})) = ${ctx.bind(ids.length, 'int')}`;
  },
  unknownRefs: (db, brandId, c) => unknownIds(db, 'tags', brandId, c.value as string[]),
};

const tier: SegmentFieldDef = {
  name: 'tier',
  category,
  description:
    'The member’s current tier: in / not_in tier ids, rank_gte / rank_lte a rank (members without a tier match only not_in)',
  ops: { in: list(UUID), not_in: list(UUID), rank_gte: int(0, 32767), rank_lte: int(0, 32767) },
  compile: (c, ctx) => {
    const from = (pred: string) =>
      `SELECT 1 FROM member_tiers mtr JOIN tiers t ON t.id = mtr.tier_id AND t.brand_id = ${ctx.brand}
        WHERE mtr.member_id = ${ctx.member}.id AND mtr.brand_id = ${ctx.brand} AND ${pred}`;
    switch (c.op) {
      case 'rank_gte':
        return `EXISTS (${from(`t.rank >= ${ctx.bind(c.value, 'int')}`)})`;
      case 'rank_lte':
        return `EXISTS (${from(`t.rank <= ${ctx.bind(c.value, 'int')}`)})`;
      default: {
        const exists = `EXISTS (SELECT 1 FROM member_tiers mtr WHERE mtr.member_id = ${ctx.member}.id AND mtr.brand_id = ${ctx.brand} AND mtr.tier_id = ANY(${ctx.bind(c.value, 'uuid[]')}))`;
        return NEGATIVE_OPS[c.op] ? `NOT ${exists}` : exists;
      }
    }
  },
  unknownRefs: async (db, brandId, c) =>
    c.op === 'in' || c.op === 'not_in' ? unknownIds(db, 'tiers', brandId, c.value as string[]) : [],
};

const reachable = booleanField({
  name: 'reachable',
  category,
  description: 'May be messaged: not erased, not merged away, not opted out',
  predicate: (ctx) => reachableMemberSql(ctx.member),
});

/** The member fields of the catalogue. */
export const MEMBER_FIELDS: SegmentFieldDef[] = [
  sourceChannel,
  consent,
  textColumn('city', 'city', 'City, as entered'),
  birthday,
  joinedAt,
  textColumn('utm_source', 'utm_source', 'First-touch utm_source'),
  textColumn('utm_medium', 'utm_medium', 'First-touch utm_medium'),
  textColumn('utm_campaign', 'utm_campaign', 'First-touch utm_campaign'),
  tags,
  tier,
  reachable,
];
