import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AuditService,
  FieldError,
  NotFoundException,
  Page,
  ValidationException,
} from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { AudienceRegistry } from './audience';
import { MemberEventsService, NewMemberEvent } from './member-events.service';
import { MemberIdentityHooks } from './member-identity-hooks';
import { MemberMergeRegistry } from './member-merge.registry';
import { maskPhone, MemberPiiService, normalisePhone } from './member-pii.service';
import { MEMBER_EVENT_TYPES, IdentityKind, SourceChannel } from './members.constants';
import { MemberException } from './members.errors';
import {
  IdentityTuple,
  MemberColumns,
  MemberFilter,
  MemberRecord,
  MembersRepository,
  MemberState,
} from './members.repository';
import { MemberIdentitiesDto, MemberUpsertDto } from './dto/member-upsert.dto';
import { MemberIdentityResponseDto } from './dto/member-response.dto';

/**
 * The SQL predicate "this member may be messaged": not erased, not merged away, not opted out.
 * Campaigns and segments put it in their audience queries: `WHERE ${reachableMemberSql('m')}`.
 */
export const reachableMemberSql = (alias = 'm') =>
  `(${alias}.erased_at IS NULL AND ${alias}.merged_into IS NULL AND ${alias}.consent_status IS DISTINCT FROM 'opted_out')`;

export interface MemberQuery {
  state?: MemberState;
  sourceChannel?: SourceChannel;
  tagId?: string;
  consent?: MemberFilter['consent'];
  q?: string;
  joinedFrom?: Date;
  joinedTo?: Date;
  limit: number;
  cursor?: string;
}

export interface BulkTagRequest {
  tagIds: string[];
  action: 'add' | 'remove';
  memberIds?: string[];
  segmentId?: string;
}

/** Personal fields an erasure destroys; also scrubbed from the member's audit snapshots. */
const PERSONAL_AUDIT_KEYS = ['nickname', 'phone', 'city', 'birthday', 'timeZone', 'utm', 'identities'];

/** Identity field of the request → stored kind. */
const IDENTITY_FIELDS: Array<[keyof MemberIdentitiesDto, IdentityKind]> = [
  ['unionid', 'unionid'],
  ['openid', 'openid'],
  ['externalUserId', 'external_userid'],
  ['phone', 'phone'],
  ['storeCustomerId', 'store_customer_id'],
];
const FIELD_OF_KIND = Object.fromEntries(IDENTITY_FIELDS.map(([f, k]) => [k, f])) as Record<
  IdentityKind,
  string
>;

/** What the audit log keeps of a member: no readable phone (the log is listed in bulk). */
export function auditSnapshot(m: MemberRecord): Record<string, unknown> {
  return {
    id: m.id,
    nickname: m.nickname,
    phone: maskPhone(m.phone),
    sourceChannel: m.sourceChannel,
    utm: m.utm,
    city: m.city,
    birthday: m.birthday,
    timeZone: m.timeZone,
    tagIds: m.tags.map((t) => t.id),
    consent: { status: m.consentStatus, channel: m.consentChannel },
    joinedAt: m.joinedAt,
    erasedAt: m.erasedAt,
    mergedInto: m.mergedInto,
  };
}

@Injectable()
export class MembersService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: MembersRepository,
    private readonly events: MemberEventsService,
    private readonly audit: AuditService,
    private readonly pii: MemberPiiService,
    private readonly mergeRegistry: MemberMergeRegistry,
    private readonly audiences: AudienceRegistry,
    private readonly identityHooks: MemberIdentityHooks,
  ) {}

  onModuleInit(): void {
    // A member's tags keep their primary key whole: move what the survivor lacks, drop the rest.
    this.mergeRegistry.register('member_tags', async (m, { brandId, survivorId, mergedId }) => {
      await m.query(
        `INSERT INTO member_tags (brand_id, member_id, tag_id, created_at)
         SELECT brand_id, $2, tag_id, created_at FROM member_tags WHERE brand_id = $1 AND member_id = $3
         ON CONFLICT DO NOTHING`,
        [brandId, survivorId, mergedId],
      );
      await m.query(`DELETE FROM member_tags WHERE brand_id = $1 AND member_id = $2`, [brandId, mergedId]);
    });
  }

  /** Stored form of the identities in a request (phones normalised to E.164, then digested). */
  identityTuples(ids: MemberIdentitiesDto): IdentityTuple[] {
    const out: IdentityTuple[] = [];
    for (const [field, kind] of IDENTITY_FIELDS) {
      const raw = ids[field];
      if (raw === undefined || raw === null) continue;
      if (kind === 'phone') {
        const e164 = normalisePhone(raw);
        if (!e164)
          throw new ValidationException([
            { field: 'identities.phone', message: 'phone must be a valid phone number' },
          ]);
        out.push({ kind, appId: '', value: this.pii.phoneDigest(e164), hint: maskPhone(e164) });
      } else {
        out.push({ kind, appId: kind === 'openid' ? (ids.appId ?? '') : '', value: raw, hint: null });
      }
    }
    return out;
  }

  /**
   * Takes the transaction-scoped locks an upsert takes on these identities (same keys, same order),
   * so another lib's transaction that looks them up (commerce recording an order) and an upsert
   * adding them are serialised.
   */
  lockIdentities(manager: EntityManager, brandId: string, ids: IdentityTuple[]): Promise<void> {
    return this.repo.lockIdentities(brandId, ids, manager);
  }

  /** Creates the member the identities point to, or updates it. 409 when they point to two members. */
  async upsert(actor: Actor, dto: MemberUpsertDto): Promise<{ member: MemberRecord; created: boolean }> {
    const ids = this.identityTuples(dto.identities);
    if (ids.length === 0) {
      throw new ValidationException([
        {
          field: 'identities',
          message:
            'give at least one identity: unionid, openid with appId, externalUserId, phone or storeCustomerId',
        },
      ]);
    }
    const phone = dto.identities.phone !== undefined ? normalisePhone(dto.identities.phone) : null;
    const tagIds = dto.tagIds ?? [];
    return this.ds.transaction(async (m) => {
      if (tagIds.length > 0) {
        const found = await this.repo.existingTagIds(actor.brandId, tagIds, m);
        const missing = tagIds.filter((t) => !found.has(t));
        if (missing.length > 0) throw MemberException.tagsNotFound(missing);
      }
      await this.repo.lockIdentities(actor.brandId, ids, m);
      // The owner may be merged away or erased while we wait for its row lock: then look again
      // (its identities have moved to the survivor, or are gone).
      let memberIds: string[] = [];
      for (let attempt = 1; ; attempt++) {
        const owners = await this.repo.findIdentityOwners(actor.brandId, ids, m);
        memberIds = [...new Set(owners.map((o) => o.memberId))].sort();
        if (memberIds.length > 1) {
          const errors: FieldError[] = owners.map((o) => ({
            field: `identities.${FIELD_OF_KIND[o.kind]}`,
            message: `belongs to member ${o.memberId}`,
          }));
          throw MemberException.identityConflict(memberIds, errors);
        }
        if (memberIds.length === 0) break;
        const [row] = await this.repo.lock(actor.brandId, memberIds, m);
        if (row && !row.erasedAt && !row.mergedInto) break;
        if (attempt === 3) throw MemberException.notActive(memberIds[0], row?.erasedAt ? 'erased' : 'merged');
      }
      const now = new Date();
      const consent = dto.consent
        ? {
            status: dto.consent.status,
            at: dto.consent.at ? new Date(dto.consent.at) : now,
            channel: dto.consent.channel ?? null,
          }
        : undefined;
      const joinedAt = dto.joinedAt ? new Date(dto.joinedAt) : undefined;
      const evs: NewMemberEvent[] = [];
      const ev = (memberId: string, type: string, data: Record<string, unknown> = {}) =>
        evs.push({ brandId: actor.brandId, memberId, type, data, actor });

      if (memberIds.length === 0) {
        const id = await this.repo.insert(
          actor.brandId,
          {
            nickname: dto.nickname,
            phone: phone ?? undefined,
            source_channel: dto.sourceChannel,
            utm_source: dto.utm?.source,
            utm_medium: dto.utm?.medium,
            utm_campaign: dto.utm?.campaign,
            utm_content: dto.utm?.content,
            utm_term: dto.utm?.term,
            city: dto.city,
            birthday: dto.birthday,
            time_zone: dto.timeZone,
            consent_status: consent?.status,
            consent_at: consent?.at,
            consent_channel: consent?.channel ?? undefined,
            joined_at: joinedAt,
          },
          m,
        );
        await this.repo.addIdentities(actor.brandId, id, ids, m);
        const tagged = await this.repo.addTags(actor.brandId, id, tagIds, m);
        ev(id, MEMBER_EVENT_TYPES.created, {
          sourceChannel: dto.sourceChannel ?? 'other',
          identities: ids.map((i) => i.kind),
        });
        for (const tagId of tagged) ev(id, MEMBER_EVENT_TYPES.tagged, { tagId });
        if (consent)
          ev(id, MEMBER_EVENT_TYPES.consentChanged, { status: consent.status, channel: consent.channel });
        await this.events.appendMany(m, evs);
        await this.identityHooks.identitiesAdded(m, {
          brandId: actor.brandId,
          memberIds: [id],
          source: 'upsert',
        });
        const member = (await this.repo.findById(actor.brandId, id, m)) as MemberRecord;
        await this.audit.record(m, actor, {
          action: 'member.create',
          entityType: 'member',
          entityId: id,
          after: auditSnapshot(member),
        });
        return { member, created: true };
      }

      const id = memberIds[0];
      const before = (await this.repo.findById(actor.brandId, id, m)) as MemberRecord;
      const cols: MemberColumns = {};
      const changed: string[] = [];
      const set = <K extends keyof MemberColumns>(
        col: K,
        field: string,
        value: MemberColumns[K] | undefined,
        current: unknown,
      ) => {
        if (value === undefined || value === null) return;
        const same =
          value instanceof Date && current instanceof Date
            ? value.getTime() === current.getTime()
            : value === current;
        if (same) return;
        cols[col] = value;
        changed.push(field);
      };
      set('nickname', 'nickname', dto.nickname, before.nickname);
      set('phone', 'phone', phone ?? undefined, before.phone);
      set('city', 'city', dto.city, before.city);
      set('birthday', 'birthday', dto.birthday, before.birthday);
      set('time_zone', 'timeZone', dto.timeZone, before.timeZone);
      if (before.sourceChannel === 'other')
        set('source_channel', 'sourceChannel', dto.sourceChannel, before.sourceChannel);
      if (dto.utm && Object.values(before.utm).every((v) => v === null)) {
        set('utm_source', 'utm', dto.utm.source, null);
        set('utm_medium', 'utm', dto.utm.medium, null);
        set('utm_campaign', 'utm', dto.utm.campaign, null);
        set('utm_content', 'utm', dto.utm.content, null);
        set('utm_term', 'utm', dto.utm.term, null);
      }
      if (joinedAt && joinedAt < before.joinedAt) set('joined_at', 'joinedAt', joinedAt, before.joinedAt);
      if (consent && consent.status !== before.consentStatus) {
        cols.consent_status = consent.status;
        cols.consent_at = consent.at;
        cols.consent_channel = consent.channel;
        changed.push('consent');
        ev(id, MEMBER_EVENT_TYPES.consentChanged, { status: consent.status, channel: consent.channel });
      }
      await this.repo.update(actor.brandId, id, cols, m);
      const added = await this.repo.addIdentities(actor.brandId, id, ids, m);
      for (const i of added)
        ev(id, MEMBER_EVENT_TYPES.identityAdded, { kind: i.kind, ...(i.appId ? { appId: i.appId } : {}) });
      const tagged = await this.repo.addTags(actor.brandId, id, tagIds, m);
      for (const tagId of tagged) ev(id, MEMBER_EVENT_TYPES.tagged, { tagId });
      const fields = [...new Set(changed)].filter((f) => f !== 'consent');
      if (fields.length > 0) ev(id, MEMBER_EVENT_TYPES.updated, { fields });
      await this.events.appendMany(m, evs);
      if (added.length > 0)
        await this.identityHooks.identitiesAdded(m, {
          brandId: actor.brandId,
          memberIds: [id],
          source: 'upsert',
        });
      const member = (await this.repo.findById(actor.brandId, id, m)) as MemberRecord;
      if (evs.length > 0) {
        await this.audit.record(m, actor, {
          action: 'member.update',
          entityType: 'member',
          entityId: id,
          before: auditSnapshot(before),
          after: { ...auditSnapshot(member), identitiesAdded: added.map((i) => i.kind) },
        });
      }
      return { member, created: false };
    });
  }

  async get(brandId: string, id: string): Promise<MemberRecord> {
    const member = await this.repo.findById(brandId, id);
    if (!member) throw new NotFoundException('member', id);
    return member;
  }

  /** A member's identities for display: ids as they are, phones only masked. */
  async identities(brandId: string, id: string): Promise<MemberIdentityResponseDto[]> {
    const ids = await this.repo.identitiesOf(brandId, id);
    return ids.map((i) => ({
      kind: i.kind,
      appId: i.appId || null,
      value: i.kind === 'phone' ? (i.hint ?? '****') : i.value,
    }));
  }

  async list(brandId: string, q: MemberQuery): Promise<Page<MemberRecord>> {
    const filter: MemberFilter = {
      state: q.state ?? 'active',
      sourceChannel: q.sourceChannel,
      tagId: q.tagId,
      consent: q.consent,
      joinedFrom: q.joinedFrom,
      joinedTo: q.joinedTo,
      limit: q.limit,
      cursor: q.cursor,
    };
    if (q.q !== undefined) {
      const term = q.q.trim();
      filter.nicknamePrefix = term.toLowerCase();
      const values = [term];
      const e164 = /^[+\d][\d\s()-]{4,}$/.test(term) ? normalisePhone(term) : null;
      if (e164) values.push(this.pii.phoneDigest(e164));
      filter.identityValues = values;
    }
    return this.repo.list(brandId, filter);
  }

  /** Active members by source channel, and how many of them may be messaged. */
  async summary(
    brandId: string,
  ): Promise<{ total: number; reachable: number; bySourceChannel: Record<string, number> }> {
    const rows: Array<{ source_channel: string; total: number; reachable: number }> = await this.ds.query(
      `SELECT m.source_channel, count(*)::int AS total, count(*) FILTER (WHERE ${reachableMemberSql('m')})::int AS reachable
         FROM members m WHERE m.brand_id = $1 AND m.erased_at IS NULL AND m.merged_into IS NULL
        GROUP BY m.source_channel ORDER BY total DESC, m.source_channel`,
      [brandId],
    );
    return {
      total: rows.reduce((n, r) => n + r.total, 0),
      reachable: rows.reduce((n, r) => n + r.reachable, 0),
      bySourceChannel: Object.fromEntries(rows.map((r) => [r.source_channel, r.total])),
    };
  }

  /** Finds a member by one identity (for channels and commerce): the survivor, never a tombstone. */
  async findByIdentity(
    brandId: string,
    kind: IdentityKind,
    value: string,
    appId?: string,
  ): Promise<MemberRecord | null> {
    const field = {
      unionid: 'unionid',
      openid: 'openid',
      external_userid: 'externalUserId',
      phone: 'phone',
      store_customer_id: 'storeCustomerId',
    }[kind] as keyof MemberIdentitiesDto;
    let tuples: IdentityTuple[];
    try {
      tuples = this.identityTuples({
        [field]: value,
        ...(kind === 'openid' ? { appId } : {}),
      } as MemberIdentitiesDto);
    } catch {
      return null;
    }
    const [owner] = await this.repo.findIdentityOwners(brandId, tuples);
    return owner ? this.repo.findById(brandId, owner.memberId) : null;
  }

  /** False for an erased, merged-away or opted-out member (and for another brand's id). */
  async isReachable(brandId: string, memberId: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(
      `SELECT 1 FROM members m WHERE m.brand_id = $1 AND m.id = $2 AND ${reachableMemberSql('m')}`,
      [brandId, memberId],
    );
    return rows.length > 0;
  }

  /**
   * Folds `mergedId` into `survivorId`: identities, tags, events and every row of any table with a
   * foreign key to members(id) move to the survivor; the merged member becomes a tombstone pointing at
   * the survivor. Order aggregates are not added up here: commerce's merge handler for `orders`
   * recomputes the survivor's from the orders it now holds.
   */
  async merge(actor: Actor, survivorId: string, mergedId: string): Promise<MemberRecord> {
    if (survivorId === mergedId) throw MemberException.mergeSame();
    return this.ds.transaction(async (m) => {
      const locked = await this.repo.lock(actor.brandId, [survivorId, mergedId], m);
      for (const id of [survivorId, mergedId]) {
        const row = locked.find((r) => r.id === id);
        if (!row) throw new NotFoundException('member', id);
        if (row.erasedAt) throw MemberException.notActive(id, 'erased');
        if (row.mergedInto) throw MemberException.notActive(id, 'merged');
      }
      const survivorBefore = (await this.repo.findById(actor.brandId, survivorId, m)) as MemberRecord;
      const mergedBefore = (await this.repo.findById(actor.brandId, mergedId, m)) as MemberRecord;
      const ctx = { brandId: actor.brandId, survivorId, mergedId };

      // Every member-owned table: the catalogue's foreign keys to members(id), plus registered columns.
      const refs: Array<{ tbl: string; col: string }> = await m.query(
        `SELECT c.conrelid::regclass::text AS tbl, a.attname AS col
           FROM pg_constraint c
           CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(src, dst)
           JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.src
           JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = k.dst
          WHERE c.contype = 'f' AND c.confrelid = 'members'::regclass AND r.attname = 'id'
          ORDER BY 1, 2`,
      );
      const targets = [
        ...refs.map((r) => ({ table: r.tbl, column: r.col })),
        ...this.mergeRegistry.columns(),
      ];
      const done = new Set<string>();
      for (const { table, column } of targets) {
        const handler = this.mergeRegistry.handlerFor(table);
        if (handler) {
          if (!done.has(table)) await handler(m, ctx);
        } else {
          const col = `"${column.replace(/"/g, '""')}"`;
          await m.query(`UPDATE ${table} SET ${col} = $1 WHERE ${col} = $2`, [survivorId, mergedId]);
        }
        done.add(table);
      }

      await m.query(
        `UPDATE members s SET
           nickname = COALESCE(s.nickname, d.nickname),
           phone = COALESCE(s.phone, d.phone),
           city = COALESCE(s.city, d.city),
           birthday = COALESCE(s.birthday, d.birthday),
           time_zone = COALESCE(s.time_zone, d.time_zone),
           source_channel = CASE WHEN d.joined_at < s.joined_at AND d.source_channel <> 'other' THEN d.source_channel ELSE s.source_channel END,
           utm_source = CASE WHEN d.joined_at < s.joined_at AND d.utm_source IS NOT NULL THEN d.utm_source ELSE COALESCE(s.utm_source, d.utm_source) END,
           utm_medium = CASE WHEN d.joined_at < s.joined_at AND d.utm_source IS NOT NULL THEN d.utm_medium ELSE COALESCE(s.utm_medium, d.utm_medium) END,
           utm_campaign = CASE WHEN d.joined_at < s.joined_at AND d.utm_source IS NOT NULL THEN d.utm_campaign ELSE COALESCE(s.utm_campaign, d.utm_campaign) END,
           utm_content = CASE WHEN d.joined_at < s.joined_at AND d.utm_source IS NOT NULL THEN d.utm_content ELSE COALESCE(s.utm_content, d.utm_content) END,
           utm_term = CASE WHEN d.joined_at < s.joined_at AND d.utm_source IS NOT NULL THEN d.utm_term ELSE COALESCE(s.utm_term, d.utm_term) END,
           consent_status = CASE WHEN d.consent_at > s.consent_at OR s.consent_at IS NULL THEN COALESCE(d.consent_status, s.consent_status) ELSE s.consent_status END,
           consent_channel = CASE WHEN d.consent_at > s.consent_at OR s.consent_at IS NULL THEN COALESCE(d.consent_channel, s.consent_channel) ELSE s.consent_channel END,
           consent_at = GREATEST(s.consent_at, d.consent_at),
           joined_at = LEAST(s.joined_at, d.joined_at),
           updated_at = now()
         FROM members d
        WHERE s.brand_id = $1 AND s.id = $2 AND d.brand_id = $1 AND d.id = $3`,
        [actor.brandId, survivorId, mergedId],
      );
      await m.query(
        `UPDATE members SET merged_into = $3, merged_at = now(), nickname = NULL, phone = NULL, city = NULL, birthday = NULL, time_zone = NULL,
                utm_source = NULL, utm_medium = NULL, utm_campaign = NULL, utm_content = NULL, utm_term = NULL,
                order_count = 0, paid_spend_minor = 0, first_order_at = NULL, last_order_at = NULL, updated_at = now()
          WHERE brand_id = $1 AND id = $2`,
        [actor.brandId, mergedId, survivorId],
      );
      await this.events.appendMany(m, [
        {
          brandId: actor.brandId,
          memberId: survivorId,
          type: MEMBER_EVENT_TYPES.merged,
          data: { mergedId },
          actor,
        },
        {
          brandId: actor.brandId,
          memberId: mergedId,
          type: MEMBER_EVENT_TYPES.mergedInto,
          data: { survivorId },
          actor,
        },
      ]);
      const survivor = (await this.repo.findById(actor.brandId, survivorId, m)) as MemberRecord;
      await this.audit.record(m, actor, {
        action: 'member.merge',
        entityType: 'member',
        entityId: survivorId,
        before: { survivor: auditSnapshot(survivorBefore), merged: auditSnapshot(mergedBefore) },
        after: { survivor: auditSnapshot(survivor), mergedId, movedTables: [...done] },
      });
      return survivor;
    });
  }

  /**
   * PIPL/GDPR erasure: personal fields and identities are destroyed, tags dropped, the member's audit
   * snapshots scrubbed; the row stays as a tombstone with its aggregates. Erasing twice is a no-op.
   */
  async erase(actor: Actor, id: string): Promise<MemberRecord> {
    return this.ds.transaction(async (m) => {
      const [row] = await this.repo.lock(actor.brandId, [id], m);
      if (!row) throw new NotFoundException('member', id);
      if (row.erasedAt) return (await this.repo.findById(actor.brandId, id, m)) as MemberRecord;
      const before = (await this.repo.findById(actor.brandId, id, m)) as MemberRecord;
      const identities = await m.query(
        `DELETE FROM member_identities WHERE brand_id = $1 AND member_id = $2 RETURNING kind`,
        [actor.brandId, id],
      );
      await m.query(`DELETE FROM member_tags WHERE brand_id = $1 AND member_id = $2`, [actor.brandId, id]);
      await m.query(
        `UPDATE members SET erased_at = now(), nickname = NULL, phone = NULL, city = NULL, birthday = NULL, time_zone = NULL,
                utm_source = NULL, utm_medium = NULL, utm_campaign = NULL, utm_content = NULL, utm_term = NULL,
                updated_at = now()
          WHERE brand_id = $1 AND id = $2`,
        [actor.brandId, id],
      );
      // Earlier audit snapshots of this person (this member and the tombstones merged into it) held
      // personal fields: keep who/what/when, drop those (also inside a merge's survivor/merged parts).
      const scrub = (col: string) =>
        `CASE WHEN ${col} IS NULL THEN NULL ELSE (${col} - $3::text[])
           || CASE WHEN jsonb_typeof(${col}->'survivor') = 'object' THEN jsonb_build_object('survivor', (${col}->'survivor') - $3::text[]) ELSE '{}'::jsonb END
           || CASE WHEN jsonb_typeof(${col}->'merged') = 'object' THEN jsonb_build_object('merged', (${col}->'merged') - $3::text[]) ELSE '{}'::jsonb END
         END`;
      await m.query(
        `UPDATE audit_log SET before = ${scrub('before')}, after = ${scrub('after')}
          WHERE brand_id = $1 AND entity_type = 'member'
            AND entity_id IN (SELECT $2::text UNION ALL SELECT id::text FROM members WHERE brand_id = $1 AND merged_into = $2::uuid)`,
        [actor.brandId, id, PERSONAL_AUDIT_KEYS],
      );
      await this.events.append(m, {
        brandId: actor.brandId,
        memberId: id,
        type: MEMBER_EVENT_TYPES.erased,
        data: { identitiesDeleted: (identities as unknown[][])[0]?.length ?? 0 },
        actor,
      });
      const after = (await this.repo.findById(actor.brandId, id, m)) as MemberRecord;
      await this.audit.record(m, actor, {
        action: 'member.erase',
        entityType: 'member',
        entityId: id,
        before: { erasedAt: before.erasedAt, tagIds: before.tags.map((t) => t.id) },
        after: {
          erasedAt: after.erasedAt,
          orderCount: after.orderCount,
          paidSpendMinor: after.paidSpendMinor,
        },
      });
      return after;
    });
  }

  /** Adds or removes tags for an audience in one SQL statement (events included); audited once. */
  async bulkTag(actor: Actor, req: BulkTagRequest): Promise<{ members: number; changed: number }> {
    if (req.memberIds !== undefined && req.segmentId !== undefined) {
      throw new ValidationException([
        { field: 'segmentId', message: 'give memberIds or segmentId, not both' },
      ]);
    }
    return this.ds.transaction(async (m) => {
      const found = await this.repo.existingTagIds(actor.brandId, req.tagIds, m);
      const missing = req.tagIds.filter((t) => !found.has(t));
      if (missing.length > 0) throw MemberException.tagsNotFound(missing);
      const params: unknown[] = [actor.brandId, req.tagIds, actor.actorType, actor.actorId];
      let audience: string;
      if (req.segmentId !== undefined) {
        const resolver = this.audiences.get('segment');
        if (!resolver) throw MemberException.audienceUnavailable('segment');
        audience = await resolver.resolve(actor.brandId, req.segmentId, params);
      } else {
        params.push([...new Set(req.memberIds ?? [])]);
        audience = `SELECT unnest($${params.length}::uuid[]) AS member_id`;
      }
      const change =
        req.action === 'add'
          ? `changed AS (
               INSERT INTO member_tags (brand_id, member_id, tag_id)
               SELECT $1, t.id, g.id FROM target t CROSS JOIN tags g WHERE g.brand_id = $1 AND g.id = ANY($2::uuid[])
               ON CONFLICT DO NOTHING
               RETURNING member_id, tag_id)`
          : `changed AS (
               DELETE FROM member_tags mt USING target t
                WHERE mt.member_id = t.id AND mt.brand_id = $1 AND mt.tag_id = ANY($2::uuid[])
               RETURNING mt.member_id, mt.tag_id)`;
      const type = req.action === 'add' ? MEMBER_EVENT_TYPES.tagged : MEMBER_EVENT_TYPES.untagged;
      const [result]: Array<{ members: number; changed: number }> = await m.query(
        `WITH audience AS (${audience}),
              target AS (
                SELECT mm.id FROM members mm
                 WHERE mm.brand_id = $1 AND mm.erased_at IS NULL AND mm.merged_into IS NULL
                   AND mm.id IN (SELECT member_id FROM audience)),
              ${change},
              ev AS (
                INSERT INTO member_events (brand_id, member_id, type, data, actor_type, actor_id)
                SELECT $1, member_id, '${type}', jsonb_build_object('tagId', tag_id, 'bulk', true), $3, $4::uuid FROM changed)
         SELECT (SELECT count(*) FROM target)::int AS members, (SELECT count(*) FROM changed)::int AS changed`,
        params,
      );
      await this.audit.record(m, actor, {
        action: `member.tags_bulk_${req.action}`,
        entityType: 'tag',
        entityId: req.tagIds[0],
        after: {
          tagIds: req.tagIds,
          audience:
            req.segmentId !== undefined
              ? { segmentId: req.segmentId }
              : { memberIds: req.memberIds?.length ?? 0 },
          ...result,
        },
      });
      return result;
    });
  }
}
