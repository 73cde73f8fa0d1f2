import { randomUUID } from 'node:crypto';
import { rfmGroupOf } from '../rfm.constants';
import { Queryable } from '../rule/segment-field';

/** Test data written straight to the tables segments read (orders and tiers before their APIs exist). */
export interface SeedOrder {
  status: 'paid' | 'partially_refunded' | 'refunded' | 'cancelled';
  amountMinor: number;
  refundedMinor?: number;
  placedAt: Date;
  isRepurchase?: boolean;
}

export interface SeedMember {
  id?: string;
  nickname?: string | null;
  phone?: string | null;
  sourceChannel?: string;
  consent?: 'opted_in' | 'opted_out' | null;
  city?: string | null;
  birthday?: string | null;
  joinedAt?: Date;
  utmSource?: string | null;
  utmMedium?: string | null;
  utmCampaign?: string | null;
  erased?: boolean;
  /** Index (in the same call) or id of the survivor this member was merged into. */
  mergedInto?: number | string | null;
  tagIds?: string[];
  tierId?: string | null;
  orders?: SeedOrder[];
  rfm?: { r: number; f: number; m: number } | null;
}

export interface SeededMember extends Required<Omit<SeedMember, 'mergedInto' | 'rfm'>> {
  id: string;
  brandId: string;
  mergedInto: string | null;
  rfm: { r: number; f: number; m: number; group: string } | null;
  orderCount: number;
  paidSpendMinor: number;
  firstOrderAt: Date | null;
  lastOrderAt: Date | null;
}

export const COUNTED = new Set(['paid', 'partially_refunded']);

export async function seedBrand(
  db: Queryable,
  timeZone = 'Asia/Shanghai',
  id: string = randomUUID(),
): Promise<string> {
  await db.query(`INSERT INTO brands (id, name, time_zone) VALUES ($1, $2, $3)`, [
    id,
    `Seg ${id.slice(0, 8)}`,
    timeZone,
  ]);
  return id;
}

/** Tags by name (ids may be chosen up front). */
export async function seedTags(
  db: Queryable,
  brandId: string,
  names: string[],
  ids: string[] = names.map(() => randomUUID()),
): Promise<string[]> {
  await db.query(
    `INSERT INTO tags (id, brand_id, name) SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[])`,
    [ids, names.map(() => brandId), names],
  );
  return ids;
}

export async function seedTiers(
  db: Queryable,
  brandId: string,
  tiers: Array<{ id?: string; name: string; rank: number }>,
): Promise<string[]> {
  const ids = tiers.map((t) => t.id ?? randomUUID());
  await db.query(
    `INSERT INTO tiers (id, brand_id, name, rank, threshold)
     SELECT u.id, $1, u.name, u.rank, u.rank * 10000 FROM unnest($2::uuid[], $3::text[], $4::int[]) AS u(id, name, rank)`,
    [brandId, ids, tiers.map((t) => t.name), tiers.map((t) => t.rank)],
  );
  return ids;
}

/** Inserts members with their tags, tier, orders (aggregates computed from them) and RFM row. */
export async function seedMembers(
  db: Queryable,
  brandId: string,
  input: SeedMember[],
): Promise<SeededMember[]> {
  const members: SeededMember[] = input.map((s) => {
    const counted = (s.orders ?? []).filter((o) => COUNTED.has(o.status));
    const times = counted.map((o) => o.placedAt.getTime());
    return {
      id: s.id ?? randomUUID(),
      brandId,
      nickname: s.erased ? null : (s.nickname ?? `Member ${randomUUID().slice(0, 6)}`),
      phone: s.erased ? null : (s.phone ?? null),
      sourceChannel: s.sourceChannel ?? 'other',
      consent: s.consent ?? null,
      city: s.erased ? null : (s.city ?? null),
      birthday: s.erased ? null : (s.birthday ?? null),
      joinedAt: s.joinedAt ?? new Date('2025-01-01T00:00:00Z'),
      utmSource: s.erased ? null : (s.utmSource ?? null),
      utmMedium: s.erased ? null : (s.utmMedium ?? null),
      utmCampaign: s.erased ? null : (s.utmCampaign ?? null),
      erased: s.erased ?? false,
      mergedInto: null,
      tagIds: s.tagIds ?? [],
      tierId: s.tierId ?? null,
      orders: s.orders ?? [],
      rfm: s.rfm ? { ...s.rfm, group: rfmGroupOf(s.rfm.r, s.rfm.f, s.rfm.m) } : null,
      orderCount: counted.length,
      paidSpendMinor: counted.reduce((n, o) => n + o.amountMinor - (o.refundedMinor ?? 0), 0),
      firstOrderAt: times.length ? new Date(Math.min(...times)) : null,
      lastOrderAt: times.length ? new Date(Math.max(...times)) : null,
    };
  });
  input.forEach((s, i) => {
    if (s.mergedInto === undefined || s.mergedInto === null) return;
    members[i].mergedInto = typeof s.mergedInto === 'number' ? members[s.mergedInto].id : s.mergedInto;
  });
  const col = <T>(f: (m: SeededMember) => T) => members.map(f);
  await db.query(
    `INSERT INTO members (id, brand_id, nickname, phone, source_channel, consent_status, city, birthday, joined_at,
                          utm_source, utm_medium, utm_campaign, erased_at, order_count, paid_spend_minor,
                          first_order_at, last_order_at)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                          $8::date[], $9::timestamptz[], $10::text[], $11::text[], $12::text[], $13::timestamptz[],
                          $14::int[], $15::bigint[], $16::timestamptz[], $17::timestamptz[])`,
    [
      col((m) => m.id),
      col(() => brandId),
      col((m) => m.nickname),
      col((m) => m.phone),
      col((m) => m.sourceChannel),
      col((m) => m.consent),
      col((m) => m.city),
      col((m) => m.birthday),
      col((m) => m.joinedAt),
      col((m) => m.utmSource),
      col((m) => m.utmMedium),
      col((m) => m.utmCampaign),
      col((m) => (m.erased ? new Date() : null)),
      col((m) => m.orderCount),
      col((m) => m.paidSpendMinor),
      col((m) => m.firstOrderAt),
      col((m) => m.lastOrderAt),
    ],
  );
  const merged = members.filter((m) => m.mergedInto);
  if (merged.length > 0)
    await db.query(
      `UPDATE members m SET merged_into = u.survivor, merged_at = now()
         FROM unnest($1::uuid[], $2::uuid[]) AS u(id, survivor) WHERE m.id = u.id`,
      [merged.map((m) => m.id), merged.map((m) => m.mergedInto)],
    );
  const tags = members.flatMap((m) => m.tagIds.map((t) => [m.id, t]));
  if (tags.length > 0)
    await db.query(
      `INSERT INTO member_tags (brand_id, member_id, tag_id) SELECT $1, * FROM unnest($2::uuid[], $3::uuid[])`,
      [brandId, tags.map((t) => t[0]), tags.map((t) => t[1])],
    );
  const tiered = members.filter((m) => m.tierId);
  if (tiered.length > 0)
    await db.query(
      `INSERT INTO member_tiers (member_id, brand_id, tier_id, since, evaluated_at)
       SELECT id, $1, tier, now(), now() FROM unnest($2::uuid[], $3::uuid[]) AS u(id, tier)`,
      [brandId, tiered.map((m) => m.id), tiered.map((m) => m.tierId)],
    );
  const orders = members.flatMap((m) => m.orders.map((o) => ({ m, o })));
  for (let i = 0; i < orders.length; i += 500) {
    const chunk = orders.slice(i, i + 500);
    await db.query(
      `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor, refunded_minor,
                           placed_at, is_repurchase)
       SELECT $1, u.member_id, 'test', u.external_id, u.status, 'CNY', u.amount, u.refunded, u.placed_at, u.repurchase
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::boolean[])
           AS u(member_id, external_id, status, amount, refunded, placed_at, repurchase)`,
      [
        brandId,
        chunk.map((x) => x.m.id),
        chunk.map(() => randomUUID()),
        chunk.map((x) => x.o.status),
        chunk.map((x) => x.o.amountMinor),
        chunk.map((x) => x.o.refundedMinor ?? 0),
        chunk.map((x) => x.o.placedAt),
        chunk.map((x) => x.o.isRepurchase ?? false),
      ],
    );
  }
  const scored = members.filter((m) => m.rfm);
  if (scored.length > 0)
    await db.query(
      `INSERT INTO member_rfm (member_id, brand_id, last_order_at, frequency, monetary_minor, r, f, m, rfm_group, computed_at)
       SELECT u.id, $1, u.last_order_at, u.frequency, u.monetary, u.r, u.f, u.m, u.grp, now()
         FROM unnest($2::uuid[], $3::timestamptz[], $4::int[], $5::bigint[], $6::int[], $7::int[], $8::int[], $9::text[])
           AS u(id, last_order_at, frequency, monetary, r, f, m, grp)`,
      [
        brandId,
        scored.map((m) => m.id),
        scored.map((m) => m.lastOrderAt ?? new Date()),
        scored.map((m) => m.orderCount),
        scored.map((m) => m.paidSpendMinor),
        scored.map((m) => m.rfm!.r),
        scored.map((m) => m.rfm!.f),
        scored.map((m) => m.rfm!.m),
        scored.map((m) => m.rfm!.group),
      ],
    );
  return members;
}
