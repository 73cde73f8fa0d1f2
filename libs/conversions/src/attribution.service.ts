import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, ValidationException } from '@siyu/platform';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS } from './conversions.constants';
import { ConversionException } from './conversions.errors';
import type { AttributionRecomputeDto } from './dto/link.dto';
import { OrderAttribution } from './entities/order-attribution.entity';

const UUID_SQL = `'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'`;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Orders per recompute transaction. */
const RECOMPUTE_CHUNK = 5_000;
const MAX_RECOMPUTE_DAYS = 366;

/**
 * A column of the winning rule: the coupon's (`cp`), the order's link code's (`lk`) or the last
 * click's (`lc`); NULL where the winning rule has none.
 */
const pick = (coupon: string, code: string, click: string) =>
  `CASE WHEN cp.coupon_id IS NOT NULL THEN ${coupon} WHEN lk.link_id IS NOT NULL THEN ${code} ELSE ${click} END`;

/**
 * Attributes orders `$2` of brand `$1` in one statement, rules in order: a coupon of the brand used
 * in the order (its issue source: a campaign and group, a partner, a live session), else the link
 * code the order carried, else the member's last counted click within the window before the order.
 * First touch (the member's first click before the order) is kept whatever won.
 */
const ATTRIBUTE_SQL = `
WITH s AS (
  SELECT coalesce((SELECT attribution_window_days FROM conversion_settings WHERE brand_id = $1), ${DEFAULT_ATTRIBUTION_WINDOW_DAYS}) AS days),
o AS (
  SELECT o.id, o.brand_id, o.member_id, o.placed_at, o.coupon_codes, o.link_code
    FROM orders o WHERE o.brand_id = $1 AND o.id = ANY($2::uuid[])),
cp0 AS (
  SELECT DISTINCT ON (o.id) o.id AS order_id, c.id AS coupon_id, c.source, c.source_ref, c.member_id
    FROM o CROSS JOIN LATERAL unnest(o.coupon_codes) WITH ORDINALITY AS u(code, n)
    JOIN coupons c ON c.brand_id = o.brand_id AND c.code = upper(regexp_replace(u.code, '\\s', '', 'g'))
   ORDER BY o.id, u.n),
cp AS (
  SELECT x.*, (SELECT d.variant FROM campaign_deliveries d
                WHERE d.campaign_id = x.campaign_id AND d.recipient_key = coalesce(x.group_id, x.member_id)) AS variant
    FROM (
      SELECT cp0.order_id, cp0.coupon_id, cp0.member_id,
             CASE WHEN cp0.source = 'campaign' AND split_part(cp0.source_ref, '/', 1) ~ ${UUID_SQL}
                  THEN split_part(cp0.source_ref, '/', 1)::uuid END AS campaign_id,
             CASE WHEN cp0.source = 'campaign' AND split_part(cp0.source_ref, '/', 2) ~ ${UUID_SQL}
                  THEN split_part(cp0.source_ref, '/', 2)::uuid END AS group_id,
             CASE WHEN cp0.source = 'partner' AND cp0.source_ref ~ ${UUID_SQL} THEN cp0.source_ref::uuid END AS partner_id,
             CASE WHEN cp0.source = 'live' AND cp0.source_ref ~ ${UUID_SQL} THEN cp0.source_ref::uuid END AS live_session_id
        FROM cp0) x),
lk AS (
  SELECT o.id AS order_id, k.code, k.link_id, coalesce(k.campaign_id, l.campaign_id) AS campaign_id,
         coalesce(k.campaign_variant, l.campaign_variant) AS variant, coalesce(k.group_id, l.group_id) AS group_id,
         l.live_session_id, l.partner_id,
         -- The recipient's latest click on its own code (a shared code's clicks are anyone's: none).
         (SELECT c.id FROM link_clicks c WHERE k.delivery_id IS NOT NULL AND c.code = k.code AND c.clicked_at <= o.placed_at
           ORDER BY c.clicked_at DESC, c.id DESC LIMIT 1) AS click_id
    FROM o JOIN link_codes k ON k.code = o.link_code AND k.brand_id = o.brand_id
    JOIN tracked_links l ON l.id = k.link_id),
ins AS (
  INSERT INTO order_attributions AS a (order_id, brand_id, rule, campaign_id, campaign_variant, link_id, click_id, coupon_id,
                                       group_id, live_session_id, partner_id, link_code, first_click_id, first_link_id,
                                       first_campaign_id, window_days, attributed_at)
  SELECT o.id, o.brand_id,
         CASE WHEN cp.coupon_id IS NOT NULL THEN 'coupon' WHEN lk.link_id IS NOT NULL THEN 'link_code'
              WHEN lc.id IS NOT NULL THEN 'last_click' ELSE 'none' END,
         ${pick('cp.campaign_id', 'lk.campaign_id', 'lc.campaign_id')},
         ${pick('cp.variant', 'lk.variant', 'lc.campaign_variant')},
         ${pick('NULL::uuid', 'lk.link_id', 'lc.link_id')},
         ${pick('NULL::bigint', 'lk.click_id', 'lc.id')},
         cp.coupon_id,
         ${pick('cp.group_id', 'lk.group_id', 'lc.group_id')},
         ${pick('cp.live_session_id', 'lk.live_session_id', 'lc.live_session_id')},
         ${pick('cp.partner_id', 'lk.partner_id', 'lc.partner_id')},
         ${pick('NULL::varchar', 'lk.code', 'lc.code')},
         fc.id, fc.link_id, fc.campaign_id, s.days, now()
    FROM o CROSS JOIN s
    LEFT JOIN cp ON cp.order_id = o.id
    LEFT JOIN lk ON lk.order_id = o.id
    LEFT JOIN LATERAL (
      SELECT c.* FROM link_clicks c
       WHERE o.member_id IS NOT NULL AND c.member_id = o.member_id AND c.brand_id = o.brand_id
         AND c.clicked_at <= o.placed_at AND c.clicked_at > o.placed_at - make_interval(days => s.days)
       ORDER BY c.clicked_at DESC, c.id DESC LIMIT 1) lc ON true
    LEFT JOIN LATERAL (
      SELECT c.id, c.link_id, c.campaign_id FROM link_clicks c
       WHERE o.member_id IS NOT NULL AND c.member_id = o.member_id AND c.brand_id = o.brand_id
         AND c.clicked_at <= o.placed_at
       ORDER BY c.clicked_at, c.id LIMIT 1) fc ON true
  ON CONFLICT (order_id) DO UPDATE SET
    rule = excluded.rule, campaign_id = excluded.campaign_id, campaign_variant = excluded.campaign_variant,
    link_id = excluded.link_id, click_id = excluded.click_id, coupon_id = excluded.coupon_id,
    group_id = excluded.group_id, live_session_id = excluded.live_session_id, partner_id = excluded.partner_id,
    link_code = excluded.link_code, first_click_id = excluded.first_click_id, first_link_id = excluded.first_link_id,
    first_campaign_id = excluded.first_campaign_id, window_days = excluded.window_days,
    attributed_at = excluded.attributed_at
  RETURNING a.rule)
SELECT rule, count(*)::int AS n FROM ins GROUP BY rule`;

export type RuleCounts = Record<string, number>;

/**
 * Attribution: one `order_attributions` row per order, written set-wise in the order's own
 * transaction (the commerce hook) and again by a recompute when the rules or the window change.
 * A refund changes nothing here: the row holds no money, revenue is read from `orders` net of refunds.
 */
@Injectable()
export class AttributionService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async attribute(m: EntityManager, brandId: string, orderIds: string[]): Promise<RuleCounts> {
    if (orderIds.length === 0) return {};
    const rows: Array<{ rule: string; n: number }> = await m.query(ATTRIBUTE_SQL, [brandId, orderIds]);
    return Object.fromEntries(rows.map((r) => [r.rule, r.n]));
  }

  /**
   * Members just matched to orders (or merged): their orders that no rule attributed yet get
   * another chance, now that the member's clicks can be found.
   */
  async reattributeMembers(m: EntityManager, brandId: string, memberIds: string[]): Promise<void> {
    if (memberIds.length === 0) return;
    const rows: Array<{ id: string }> = await m.query(
      `SELECT o.id FROM orders o LEFT JOIN order_attributions a ON a.order_id = o.id
        WHERE o.brand_id = $1 AND o.member_id = ANY($2::uuid[]) AND (a.order_id IS NULL OR a.rule = 'none')`,
      [brandId, memberIds],
    );
    await this.attribute(
      m,
      brandId,
      rows.map((r) => r.id),
    );
  }

  async get(brandId: string, orderId: string): Promise<OrderAttribution> {
    const row = UUID_RE.test(orderId)
      ? await this.ds.getRepository(OrderAttribution).findOneBy({ brandId, orderId })
      : null;
    if (!row) throw ConversionException.orderNotFound(orderId);
    return row;
  }

  /** Re-runs attribution for the brand's orders placed in [from, to), in keyset chunks; audited. */
  async recompute(
    actor: Actor,
    dto: AttributionRecomputeDto,
  ): Promise<{ orders: number; rules: RuleCounts }> {
    const [brand]: Array<{ time_zone: string }> = await this.ds.query(
      `SELECT time_zone FROM brands WHERE id = $1`,
      [actor.brandId],
    );
    const from = instant(dto.from, brand.time_zone, 'from');
    const to = instant(dto.to, brand.time_zone, 'to');
    if (to <= from) throw new ValidationException([{ field: 'to', message: 'must be after from' }]);
    if (to.getTime() - from.getTime() > MAX_RECOMPUTE_DAYS * 86_400_000)
      throw new ValidationException([
        { field: 'to', message: `the range may span at most ${MAX_RECOMPUTE_DAYS} days` },
      ]);
    const rules: RuleCounts = {};
    let orders = 0;
    let after: { placedAt: Date; id: string } | null = null;
    for (;;) {
      const ids: Array<{ id: string; placed_at: Date }> = await this.ds.query(
        `SELECT id, placed_at FROM orders
          WHERE brand_id = $1 AND placed_at >= $2 AND placed_at < $3
            AND ($4::timestamptz IS NULL OR (placed_at, id) > ($4, $5::uuid))
          ORDER BY placed_at, id LIMIT $6`,
        [actor.brandId, from, to, after?.placedAt ?? null, after?.id ?? null, RECOMPUTE_CHUNK],
      );
      if (ids.length === 0) break;
      const counts = await this.ds.transaction((m) =>
        this.attribute(
          m,
          actor.brandId,
          ids.map((r) => r.id),
        ),
      );
      for (const [rule, n] of Object.entries(counts)) rules[rule] = (rules[rule] ?? 0) + n;
      orders += ids.length;
      const last = ids[ids.length - 1];
      after = { placedAt: last.placed_at, id: last.id };
      if (ids.length < RECOMPUTE_CHUNK) break;
    }
    await this.ds.transaction((m) =>
      this.audit.record(m, actor, {
        action: 'attribution.recomputed',
        entityType: 'order_attributions',
        entityId: actor.brandId,
        after: { from: from.toISOString(), to: to.toISOString(), orders, rules },
      }),
    );
    return { orders, rules };
  }
}

/** An ISO 8601 instant (with an offset), or a date taken at midnight in the brand's time zone. */
function instant(raw: string, zone: string, field: string): Date {
  const s = raw.trim();
  const dt = /^\d{4}-\d{2}-\d{2}$/.test(s)
    ? DateTime.fromISO(s, { zone })
    : /([zZ]|[+-]\d{2}:?\d{2})$/.test(s)
      ? DateTime.fromISO(s, { setZone: true })
      : null;
  if (!dt?.isValid)
    throw new ValidationException([
      {
        field,
        message: 'must be a date (YYYY-MM-DD, in the brand time zone) or an ISO 8601 instant with an offset',
      },
    ]);
  return dt.toJSDate();
}
