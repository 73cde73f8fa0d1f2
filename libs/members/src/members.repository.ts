import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, Page, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { ConsentStatus, IdentityKind, SourceChannel } from './members.constants';

/** A member as the service sees it (a row of `members` with its tags). */
export interface MemberRecord {
  id: string;
  brandId: string;
  nickname: string | null;
  phone: string | null;
  sourceChannel: SourceChannel;
  utm: MemberUtm;
  city: string | null;
  birthday: string | null;
  timeZone: string | null;
  consentStatus: ConsentStatus | null;
  consentAt: Date | null;
  consentChannel: SourceChannel | null;
  joinedAt: Date;
  erasedAt: Date | null;
  mergedInto: string | null;
  mergedAt: Date | null;
  orderCount: number;
  paidSpendMinor: string;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  tags: Array<{ id: string; name: string }>;
}

export interface MemberUtm {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  content: string | null;
  term: string | null;
}

/** An identity in its stored form: a phone's value is its HMAC and its hint the masked number. */
export interface IdentityTuple {
  kind: IdentityKind;
  appId: string;
  value: string;
  hint: string | null;
}

export interface IdentityRecord extends IdentityTuple {
  memberId: string;
}

/** Columns a create or an update may set; the keys are the database's. */
export type MemberColumns = Partial<{
  nickname: string | null;
  phone: string | null;
  source_channel: SourceChannel;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_content: string | null;
  utm_term: string | null;
  city: string | null;
  birthday: string | null;
  time_zone: string | null;
  consent_status: ConsentStatus | null;
  consent_at: Date | null;
  consent_channel: SourceChannel | null;
  joined_at: Date;
}>;

export type MemberState = 'active' | 'erased' | 'merged' | 'all';

export interface MemberFilter {
  state: MemberState;
  sourceChannel?: SourceChannel;
  tagId?: string;
  consent?: ConsentStatus | 'none';
  /** Lower-cased nickname prefix. */
  nicknamePrefix?: string;
  /** Exact identity values (ids as given, phones as digests). */
  identityValues?: string[];
  joinedFrom?: Date;
  joinedTo?: Date;
  limit: number;
  cursor?: string;
}

const MEMBER_SELECT = `
  m.id, m.brand_id, m.nickname, m.phone, m.source_channel, m.utm_source, m.utm_medium, m.utm_campaign,
  m.utm_content, m.utm_term, m.city, m.birthday::text AS birthday, m.time_zone, m.consent_status, m.consent_at,
  m.consent_channel, m.joined_at, m.erased_at, m.merged_into, m.merged_at, m.order_count,
  m.paid_spend_minor::text AS paid_spend_minor, m.first_order_at, m.last_order_at, m.created_at, m.updated_at,
  m.created_at::text AS cursor_at,
  COALESCE((SELECT json_agg(json_build_object('id', t.id, 'name', t.name) ORDER BY t.name)
              FROM member_tags mt JOIN tags t ON t.id = mt.tag_id
             WHERE mt.member_id = m.id), '[]'::json) AS tags`;

type Raw = Record<string, unknown>;

function toRecord(r: Raw): MemberRecord {
  return {
    id: r.id as string,
    brandId: r.brand_id as string,
    nickname: r.nickname as string | null,
    phone: r.phone as string | null,
    sourceChannel: r.source_channel as SourceChannel,
    utm: {
      source: r.utm_source as string | null,
      medium: r.utm_medium as string | null,
      campaign: r.utm_campaign as string | null,
      content: r.utm_content as string | null,
      term: r.utm_term as string | null,
    },
    city: r.city as string | null,
    birthday: r.birthday as string | null,
    timeZone: r.time_zone as string | null,
    consentStatus: r.consent_status as ConsentStatus | null,
    consentAt: r.consent_at as Date | null,
    consentChannel: r.consent_channel as SourceChannel | null,
    joinedAt: r.joined_at as Date,
    erasedAt: r.erased_at as Date | null,
    mergedInto: r.merged_into as string | null,
    mergedAt: r.merged_at as Date | null,
    orderCount: Number(r.order_count),
    paidSpendMinor: String(r.paid_spend_minor),
    firstOrderAt: r.first_order_at as Date | null,
    lastOrderAt: r.last_order_at as Date | null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
    tags: r.tags as Array<{ id: string; name: string }>,
  };
}

/** SQL over members, identities and tags. Every method takes the brand first. */
@Injectable()
export class MembersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async findById(
    brandId: string,
    id: string,
    m: EntityManager = this.ds.manager,
  ): Promise<MemberRecord | null> {
    const rows: Raw[] = await m.query(
      `SELECT ${MEMBER_SELECT} FROM members m WHERE m.brand_id = $1 AND m.id = $2`,
      [brandId, id],
    );
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Row locks in id order (no deadlock between two merges of the same pair). */
  async lock(
    brandId: string,
    ids: string[],
    m: EntityManager,
  ): Promise<Array<{ id: string; erasedAt: Date | null; mergedInto: string | null }>> {
    const rows: Raw[] = await m.query(
      `SELECT id, erased_at, merged_into FROM members WHERE brand_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`,
      [brandId, ids],
    );
    return rows.map((r) => ({
      id: r.id as string,
      erasedAt: r.erased_at as Date | null,
      mergedInto: r.merged_into as string | null,
    }));
  }

  /**
   * Serialises concurrent upserts that name the same identity (transaction-scoped advisory locks,
   * taken in a fixed order), so two requests for a new person create one member, not a 409.
   */
  async lockIdentities(brandId: string, ids: IdentityTuple[], m: EntityManager): Promise<void> {
    const keys = ids.map((i) => `${brandId}|${i.kind}|${i.appId}|${i.value}`);
    await m.query(
      `SELECT pg_advisory_xact_lock(h) FROM (SELECT DISTINCT hashtextextended(k, 1361) AS h FROM unnest($1::text[]) k ORDER BY 1) q`,
      [keys],
    );
  }

  async findIdentityOwners(
    brandId: string,
    ids: IdentityTuple[],
    m: EntityManager = this.ds.manager,
  ): Promise<IdentityRecord[]> {
    const rows: Raw[] = await m.query(
      `SELECT i.member_id, i.kind, i.app_id, i.value, i.hint
         FROM member_identities i
         JOIN unnest($2::text[], $3::text[], $4::text[]) AS g(kind, app_id, value)
           ON i.kind = g.kind AND i.app_id = g.app_id AND i.value = g.value
        WHERE i.brand_id = $1`,
      [brandId, ids.map((i) => i.kind), ids.map((i) => i.appId), ids.map((i) => i.value)],
    );
    return rows.map((r) => ({
      memberId: r.member_id as string,
      kind: r.kind as IdentityKind,
      appId: r.app_id as string,
      value: r.value as string,
      hint: r.hint as string | null,
    }));
  }

  async identitiesOf(
    brandId: string,
    memberId: string,
    m: EntityManager = this.ds.manager,
  ): Promise<IdentityTuple[]> {
    const rows: Raw[] = await m.query(
      `SELECT kind, app_id, value, hint FROM member_identities WHERE brand_id = $1 AND member_id = $2 ORDER BY kind, app_id, id`,
      [brandId, memberId],
    );
    return rows.map((r) => ({
      kind: r.kind as IdentityKind,
      appId: r.app_id as string,
      value: r.value as string,
      hint: r.hint as string | null,
    }));
  }

  /** Attaches identities to a member; returns the ones that were new. */
  async addIdentities(
    brandId: string,
    memberId: string,
    ids: IdentityTuple[],
    m: EntityManager,
  ): Promise<IdentityTuple[]> {
    if (ids.length === 0) return [];
    const rows: Raw[] = await m.query(
      `INSERT INTO member_identities (brand_id, member_id, kind, app_id, value, hint)
       SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[])
       ON CONFLICT (brand_id, kind, app_id, value) DO NOTHING
       RETURNING kind, app_id, value, hint`,
      [
        brandId,
        memberId,
        ids.map((i) => i.kind),
        ids.map((i) => i.appId),
        ids.map((i) => i.value),
        ids.map((i) => i.hint),
      ],
    );
    return rows.map((r) => ({
      kind: r.kind as IdentityKind,
      appId: r.app_id as string,
      value: r.value as string,
      hint: r.hint as string | null,
    }));
  }

  async insert(brandId: string, cols: MemberColumns, m: EntityManager): Promise<string> {
    const entries = Object.entries(cols).filter(([, v]) => v !== undefined);
    const names = ['brand_id', ...entries.map(([k]) => k)];
    const values = [brandId, ...entries.map(([, v]) => v)];
    const rows: Raw[] = await m.query(
      `INSERT INTO members (${names.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING id`,
      values,
    );
    return rows[0].id as string;
  }

  async update(brandId: string, id: string, cols: MemberColumns, m: EntityManager): Promise<void> {
    const entries = Object.entries(cols).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return;
    const sets = entries.map(([k], i) => `${k} = $${i + 3}`);
    await m.query(
      `UPDATE members SET ${sets.join(', ')}, updated_at = now() WHERE brand_id = $1 AND id = $2`,
      [brandId, id, ...entries.map(([, v]) => v)],
    );
  }

  /** The ids among `ids` that are tags of this brand. */
  async existingTagIds(
    brandId: string,
    ids: string[],
    m: EntityManager = this.ds.manager,
  ): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: Raw[] = await m.query(`SELECT id FROM tags WHERE brand_id = $1 AND id = ANY($2::uuid[])`, [
      brandId,
      ids,
    ]);
    return new Set(rows.map((r) => r.id as string));
  }

  /** Tags a member; returns the tag ids that were new. */
  async addTags(brandId: string, memberId: string, tagIds: string[], m: EntityManager): Promise<string[]> {
    if (tagIds.length === 0) return [];
    const rows: Raw[] = await m.query(
      `INSERT INTO member_tags (brand_id, member_id, tag_id)
       SELECT $1, $2, t.id FROM tags t WHERE t.brand_id = $1 AND t.id = ANY($3::uuid[])
       ON CONFLICT DO NOTHING RETURNING tag_id`,
      [brandId, memberId, tagIds],
    );
    return rows.map((r) => r.tag_id as string);
  }

  async list(brandId: string, f: MemberFilter): Promise<Page<MemberRecord>> {
    const params: unknown[] = [brandId];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['m.brand_id = $1'];
    if (f.state === 'active') where.push('m.erased_at IS NULL AND m.merged_into IS NULL');
    if (f.state === 'erased') where.push('m.erased_at IS NOT NULL');
    if (f.state === 'merged') where.push('m.merged_into IS NOT NULL');
    if (f.sourceChannel) where.push(`m.source_channel = ${p(f.sourceChannel)}`);
    if (f.tagId)
      where.push(
        `EXISTS (SELECT 1 FROM member_tags mt WHERE mt.member_id = m.id AND mt.tag_id = ${p(f.tagId)}::uuid)`,
      );
    if (f.consent === 'none') where.push('m.consent_status IS NULL');
    else if (f.consent) where.push(`m.consent_status = ${p(f.consent)}`);
    if (f.joinedFrom) where.push(`m.joined_at >= ${p(f.joinedFrom)}`);
    if (f.joinedTo) where.push(`m.joined_at < ${p(f.joinedTo)}`);
    const search: string[] = [];
    if (f.nicknamePrefix !== undefined) {
      const pattern = `${f.nicknamePrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      search.push(`lower(m.nickname) LIKE ${p(pattern)}`);
    }
    if (f.identityValues && f.identityValues.length > 0) {
      search.push(
        `m.id IN (SELECT i.member_id FROM member_identities i WHERE i.brand_id = $1 AND i.value = ANY(${p(f.identityValues)}::text[]))`,
      );
    }
    if (search.length > 0) where.push(`(${search.join(' OR ')})`);
    const after = decodeCursor(f.cursor, 2) as [string, string] | null;
    if (after) where.push(`(m.created_at, m.id) < (${p(after[0])}::timestamptz, ${p(after[1])}::uuid)`);
    const rows: Raw[] = await this.ds.query(
      `SELECT ${MEMBER_SELECT} FROM members m WHERE ${where.join(' AND ')} ORDER BY m.created_at DESC, m.id DESC LIMIT ${p(f.limit + 1)}`,
      params,
    );
    return toPage(rows, f.limit, (r) => [r.cursor_at as string, r.id as string], toRecord);
  }
}
