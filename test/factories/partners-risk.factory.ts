import { randomBytes, randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { OrderView } from '@siyu/commerce';
import { PartnerHooks } from '@siyu/partners';
import { DataSource } from 'typeorm';
import { TestBrand } from './brand.factory';

/**
 * Partners and commissions written directly with SQL, standing in for the partners-core lib until
 * it lands: a commission is inserted, then PartnerHooks.commissionsCreated runs in the same
 * transaction, exactly as partners-core calls it after inserting an order's commission.
 */
export interface TestPartner {
  id: string;
  name: string;
  tier: string;
}

export async function createPartner(
  app: INestApplicationContext,
  brand: TestBrand,
  opts: {
    name?: string;
    tier?: 'pilot' | 'standard' | 'preferred';
    status?: string;
    memberId?: string | null;
    contactPhone?: string | null;
    activatedAt?: string | null;
    firstSaleAt?: string | null;
  } = {},
): Promise<TestPartner> {
  const tier = opts.tier ?? 'standard';
  const name = opts.name ?? `Partner ${randomUUID().slice(0, 6)}`;
  const [{ id }] = await app.get(DataSource).query(
    `INSERT INTO partners (brand_id, name, kind, status, tier, member_id, contact_phone, activated_at, first_sale_at)
     VALUES ($1, $2, 'creator', $3, $4, $5, $6, $7, $8) RETURNING id`,
    [
      brand.id,
      name,
      opts.status ?? tier,
      tier,
      opts.memberId ?? null,
      opts.contactPhone ?? null,
      opts.activatedAt === undefined ? '2025-06-01T00:00:00Z' : opts.activatedAt,
      opts.firstSaleAt ?? null,
    ],
  );
  return { id, name, tier };
}

/** A tracked link bound to the partner (as partners-core will make through the conversions lib). */
export async function createPartnerLink(
  app: INestApplicationContext,
  brand: TestBrand,
  partnerId: string,
): Promise<{ id: string; code: string }> {
  const code = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 10);
  const [{ id }] = await app
    .get(DataSource)
    .query(
      `INSERT INTO tracked_links (brand_id, code, destination, partner_id) VALUES ($1, $2, 'https://shop.example/tea', $3) RETURNING id`,
      [brand.id, code, partnerId],
    );
  return { id, code };
}

/** `count` clicks on the partner's link from one IP hash and one device (each its own unless given, and the member if given), spread over the minute before `at`. */
export async function addClicks(
  app: INestApplicationContext,
  brand: TestBrand,
  link: { id: string; code: string },
  partnerId: string,
  opts: { count: number; at: string; ipHash?: string; memberId?: string | null; deviceHash?: string },
): Promise<void> {
  await app.get(DataSource).query(
    `INSERT INTO link_clicks (brand_id, link_id, code, member_id, partner_id, ip_hash, device_hash, clicked_at)
     SELECT $1, $2, $3, $4, $5, COALESCE($6, md5(random()::text || g::text)),
            COALESCE($9, encode(sha256((random()::text || g::text)::bytea), 'hex')), $7::timestamptz - make_interval(secs => g)
       FROM generate_series(1, $8::int) g`,
    [
      brand.id,
      link.id,
      link.code,
      opts.memberId ?? null,
      partnerId,
      opts.ipHash ?? null,
      opts.at,
      opts.count,
      opts.deviceHash ?? null,
    ],
  );
}

/**
 * A commission for an order (9 % of its amount), created as partners-core does: inserted, then
 * PartnerHooks.commissionsCreated inside the same transaction. Answers the commission's id. When
 * partners-core is in the app and already made the order's commission (the order was attributed to
 * the partner's link), that one is answered: its hooks have run.
 */
export async function createCommission(
  app: INestApplicationContext,
  brand: TestBrand,
  partnerId: string,
  order: OrderView | { id: string; amountMinor: string; placedAt: string | Date },
  opts: {
    status?: string;
    holdUntil?: string;
    rateBp?: number;
    upliftId?: string | null;
    upliftMinor?: string;
    upliftState?: string;
  } = {},
): Promise<string> {
  const rate = opts.rateBp ?? 900;
  const placed = new Date(order.placedAt);
  const base = (BigInt(order.amountMinor) * BigInt(rate)) / 10_000n;
  const uplift = BigInt(opts.upliftMinor ?? '0');
  const released = opts.upliftState === 'released';
  return app.get(DataSource).transaction(async (m) => {
    const [row] = await m.query(
      `INSERT INTO partner_commissions (brand_id, partner_id, order_id, attributed_by, tier, currency, commissionable_minor,
                                        base_rate_bp, base_minor, uplift_id, uplift_rate_bp, uplift_minor, uplift_state,
                                        amount_minor, status, order_paid_at, hold_until)
       SELECT $1, $2, $3, 'link_code', p.tier, 'CNY', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14
         FROM partners p WHERE p.id = $2
       ON CONFLICT (brand_id, order_id) DO NOTHING RETURNING id`,
      [
        brand.id,
        partnerId,
        order.id,
        order.amountMinor,
        rate,
        base.toString(),
        opts.upliftId ?? null,
        opts.upliftId ? 1600 : 0,
        uplift.toString(),
        opts.upliftState ?? 'none',
        (base + (released ? uplift : 0n)).toString(),
        opts.status ?? 'pending',
        placed,
        opts.holdUntil ?? new Date(placed.getTime() + 14 * 86_400_000).toISOString(),
      ],
    );
    if (!row) {
      // partners-core already made this order's commission (it was attributed to a partner's link)
      // and ran the hooks in the order's transaction.
      const [made] = await m.query(
        `SELECT id FROM partner_commissions WHERE brand_id = $1 AND order_id = $2`,
        [brand.id, order.id],
      );
      return made.id as string;
    }
    await app.get(PartnerHooks).commissionsCreated(m, { brandId: brand.id, commissionIds: [row.id] });
    return row.id as string;
  });
}

export async function commissionStatus(app: INestApplicationContext, id: string): Promise<string> {
  const [row] = await app
    .get(DataSource)
    .query(`SELECT status, reason FROM partner_commissions WHERE id = $1`, [id]);
  return row.status as string;
}

export async function fraudScore(app: INestApplicationContext, partnerId: string): Promise<number> {
  const [row] = await app
    .get(DataSource)
    .query(`SELECT fraud_score FROM partners WHERE id = $1`, [partnerId]);
  return Number(row.fraud_score);
}

export async function flagsOf(
  app: INestApplicationContext,
  commissionId: string,
): Promise<Array<{ id: string; kind: string; evidence: Record<string, unknown>; held: boolean }>> {
  return app
    .get(DataSource)
    .query(
      `SELECT id, kind, evidence, held FROM partner_fraud_flags WHERE commission_id = $1 ORDER BY kind`,
      [commissionId],
    );
}
