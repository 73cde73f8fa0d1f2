import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, Page, toPage } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { countedOrderSql, netSpendSql, OrderStatus } from './commerce.constants';

export interface OrderItemView {
  sku: string;
  name: string | null;
  category: string | null;
  quantity: number;
  unitPriceMinor: string;
}

export interface OrderRefundView {
  id: string;
  externalId: string;
  amountMinor: string;
  reason: string | null;
  refundedAt: Date;
  createdAt: Date;
}

/** An order as the service sees it; amounts are bigint strings. */
export interface OrderView {
  id: string;
  brandId: string;
  memberId: string | null;
  source: string;
  externalId: string;
  status: OrderStatus;
  currency: string;
  amountMinor: string;
  refundedMinor: string;
  placedAt: Date;
  isRepurchase: boolean;
  couponCodes: string[];
  linkCode: string | null;
  createdAt: Date;
  updatedAt: Date;
  items?: OrderItemView[];
  refunds?: OrderRefundView[];
}

export interface OrderSummary {
  orders: number;
  countedOrders: number;
  unmatchedOrders: number;
  currency: string;
  grossMinor: string;
  refundedMinor: string;
  netMinor: string;
  buyers: number;
  repeatBuyers: number;
  repurchaseOrders: number;
  repurchaseRate: number;
}

export interface OrderFilter {
  memberId?: string;
  source?: string;
  status?: OrderStatus;
  matched?: boolean;
  placedFrom?: Date;
  placedTo?: Date;
  limit: number;
  cursor?: string;
}

type Raw = Record<string, unknown>;

export const ORDER_COLUMNS = `o.id, o.brand_id, o.member_id, o.source, o.external_id, o.status, o.currency,
  o.amount_minor::text AS amount_minor, o.refunded_minor::text AS refunded_minor, o.placed_at, o.is_repurchase,
  o.coupon_codes, o.link_code, o.created_at, o.updated_at`;

const ITEMS_JSON = `COALESCE((SELECT json_agg(json_build_object('sku', i.sku, 'name', i.name, 'category', i.category,
  'quantity', i.quantity, 'unitPriceMinor', i.unit_price_minor::text) ORDER BY i.id)
  FROM order_items i WHERE i.order_id = o.id), '[]'::json) AS items`;

const REFUNDS_JSON = `COALESCE((SELECT json_agg(json_build_object('id', r.id, 'externalId', r.external_id,
  'amountMinor', r.amount_minor::text, 'reason', r.reason, 'refundedAt', r.refunded_at, 'createdAt', r.created_at)
  ORDER BY r.refunded_at, r.created_at, r.id) FROM order_refunds r WHERE r.order_id = o.id), '[]'::json) AS refunds`;

export function toOrderView(r: Raw): OrderView {
  const view: OrderView = {
    id: r.id as string,
    brandId: r.brand_id as string,
    memberId: r.member_id as string | null,
    source: r.source as string,
    externalId: r.external_id as string,
    status: r.status as OrderStatus,
    currency: r.currency as string,
    amountMinor: String(r.amount_minor),
    refundedMinor: String(r.refunded_minor),
    placedAt: new Date(r.placed_at as string | Date),
    isRepurchase: r.is_repurchase as boolean,
    couponCodes: (r.coupon_codes as string[] | null) ?? [],
    linkCode: (r.link_code as string | null) ?? null,
    createdAt: r.created_at as Date,
    updatedAt: r.updated_at as Date,
  };
  if (r.items !== undefined) view.items = r.items as OrderItemView[];
  if (r.refunds !== undefined) {
    view.refunds = (r.refunds as Array<Record<string, unknown>>).map((x) => ({
      id: x.id as string,
      externalId: x.externalId as string,
      amountMinor: x.amountMinor as string,
      reason: x.reason as string | null,
      refundedAt: new Date(x.refundedAt as string),
      createdAt: new Date(x.createdAt as string),
    }));
  }
  return view;
}

/** Reads of orders. Every method takes the brand first. */
@Injectable()
export class OrdersRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** One order with its items and refunds. */
  async findById(brandId: string, id: string, m: EntityManager = this.ds.manager): Promise<OrderView | null> {
    const rows: Raw[] = await m.query(
      `SELECT ${ORDER_COLUMNS}, ${ITEMS_JSON}, ${REFUNDS_JSON} FROM orders o WHERE o.brand_id = $1 AND o.id = $2`,
      [brandId, id],
    );
    return rows[0] ? toOrderView(rows[0]) : null;
  }

  /** Orders by (source, external id), with their items; `lock` takes their row locks (in id order). */
  async findByKeys(
    brandId: string,
    keys: Array<{ source: string; externalId: string }>,
    m: EntityManager,
    lock = false,
  ): Promise<OrderView[]> {
    if (keys.length === 0) return [];
    // One probe of the unique (brand, source, external id) key per asked key (LIMIT 1 keeps the
    // lateral from being flattened into a join), whatever the statistics say: a semi-join planned
    // on stale ones (a table that grew since its last ANALYZE) read every order of the brand.
    const probe = (select: string) =>
      m.query(
        `SELECT ${select}
           FROM (SELECT DISTINCT source, external_id FROM unnest($2::text[], $3::text[]) AS k(source, external_id)) k
           CROSS JOIN LATERAL (
             SELECT * FROM orders x WHERE x.brand_id = $1 AND x.source = k.source AND x.external_id = k.external_id
              LIMIT 1) o`,
        [brandId, keys.map((k) => k.source), keys.map((k) => k.externalId)],
      );
    let rows: Raw[];
    if (!lock) {
      rows = await probe(`${ORDER_COLUMNS}, ${ITEMS_JSON}`);
    } else {
      // Row locks in id order (a lateral would lock in key order): the brand's ids first, then locked by primary key.
      const ids = ((await probe('o.id')) as Raw[]).map((r) => r.id as string);
      if (ids.length === 0) return [];
      rows = await m.query(
        `SELECT ${ORDER_COLUMNS}, ${ITEMS_JSON} FROM orders o WHERE o.id = ANY($1::uuid[]) ORDER BY o.id FOR UPDATE OF o`,
        [ids],
      );
    }
    return rows.map(toOrderView);
  }

  async brandCurrency(brandId: string, m: EntityManager = this.ds.manager): Promise<string> {
    const [row]: Raw[] = await m.query(`SELECT currency FROM brands WHERE id = $1`, [brandId]);
    return row.currency as string;
  }

  /** Totals over the brand's orders placed in [from, to). */
  async summary(brandId: string, from?: Date, to?: Date): Promise<OrderSummary> {
    const [r]: Raw[] = await this.ds.query(
      `SELECT count(*)::int AS orders,
              count(*) FILTER (WHERE ${countedOrderSql('o')})::int AS counted,
              count(*) FILTER (WHERE o.member_id IS NULL)::int AS unmatched,
              COALESCE(sum(o.amount_minor) FILTER (WHERE o.status <> 'cancelled'), 0)::text AS gross,
              COALESCE(sum(o.refunded_minor), 0)::text AS refunded,
              COALESCE(sum(${netSpendSql('o')}), 0)::text AS net,
              count(DISTINCT o.member_id) FILTER (WHERE ${countedOrderSql('o')})::int AS buyers,
              count(DISTINCT o.member_id) FILTER (WHERE ${countedOrderSql('o')} AND o.is_repurchase)::int AS repeat_buyers,
              count(*) FILTER (WHERE ${countedOrderSql('o')} AND o.is_repurchase)::int AS repurchase_orders,
              (SELECT currency FROM brands WHERE id = $1) AS currency
         FROM orders o
        WHERE o.brand_id = $1 AND ($2::timestamptz IS NULL OR o.placed_at >= $2) AND ($3::timestamptz IS NULL OR o.placed_at < $3)`,
      [brandId, from ?? null, to ?? null],
    );
    const buyers = Number(r.buyers);
    const repeat = Number(r.repeat_buyers);
    return {
      orders: Number(r.orders),
      countedOrders: Number(r.counted),
      unmatchedOrders: Number(r.unmatched),
      currency: r.currency as string,
      grossMinor: r.gross as string,
      refundedMinor: r.refunded as string,
      netMinor: r.net as string,
      buyers,
      repeatBuyers: repeat,
      repurchaseOrders: Number(r.repurchase_orders),
      repurchaseRate: buyers === 0 ? 0 : Math.round((repeat / buyers) * 10_000) / 10_000,
    };
  }

  /** Newest placed first, keyset-paginated on (placed_at, id). */
  async list(brandId: string, f: OrderFilter): Promise<Page<OrderView>> {
    const params: unknown[] = [brandId];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['o.brand_id = $1'];
    if (f.memberId) where.push(`o.member_id = ${p(f.memberId)}::uuid`);
    if (f.source) where.push(`o.source = ${p(f.source)}`);
    if (f.status) where.push(`o.status = ${p(f.status)}`);
    if (f.matched === true) where.push('o.member_id IS NOT NULL');
    if (f.matched === false) where.push('o.member_id IS NULL');
    if (f.placedFrom) where.push(`o.placed_at >= ${p(f.placedFrom)}`);
    if (f.placedTo) where.push(`o.placed_at < ${p(f.placedTo)}`);
    const after = decodeCursor(f.cursor, 2) as [string, string] | null;
    if (after) where.push(`(o.placed_at, o.id) < (${p(after[0])}::timestamptz, ${p(after[1])}::uuid)`);
    const rows: Raw[] = await this.ds.query(
      `SELECT ${ORDER_COLUMNS}, o.placed_at::text AS cursor_at FROM orders o
        WHERE ${where.join(' AND ')}
        ORDER BY o.placed_at DESC, o.id DESC LIMIT ${p(f.limit + 1)}`,
      params,
    );
    return toPage(rows, f.limit, (r) => [r.cursor_at as string, r.id as string], toOrderView);
  }
}
