import { ReportQuery } from '../report-runner';
import { counted, ratioSql } from './report-sql';

export interface FunnelRow {
  campaign_id: string;
  campaign: string;
  status: string;
  started_at: Date;
  variant: number | null;
  variant_name: string | null;
  audience: number;
  delivered: number;
  clicks: number;
  clickers: number;
  orders: number;
  buyers: number;
  revenue_minor: string;
  coupon_cost_minor: string;
  roi: string | null;
}

export const FUNNEL_COLUMNS = [
  'campaign_id',
  'campaign',
  'status',
  'started_at',
  'variant',
  'variant_name',
  'audience',
  'delivered',
  'clicks',
  'clickers',
  'orders',
  'buyers',
  'revenue_minor',
  'coupon_cost_minor',
  'roi',
] as const;

/**
 * The campaign funnel per campaign and variant. $1 brand, $2 start, $3 end: the campaigns that
 * started sending in the range; each one's figures over its whole life. Every variant of the
 * campaign has a row (zeros before anything happened); attributions without a variant get their own.
 * - audience: its delivery-ledger rows (one per recipient: a member, or a group chat for group
 *   sends); delivered: those with status `sent`.
 * - clicks: tracked-link clicks carrying the campaign (bots and same-IP repeats are never logged);
 *   clickers: distinct members among them.
 * - orders / buyers: counted orders attributed to the campaign (order_attributions, any rule), and
 *   their distinct members; revenue: Σ (amount − refunded) of them.
 * - coupon cost: Σ discount of the coupon redemptions on those orders, net of rollbacks.
 * - roi: (revenue − coupon cost) ÷ coupon cost, 4 places; NULL when there is no coupon cost.
 */
export function funnelQuery(params: unknown[]): ReportQuery {
  const sql = `
WITH c AS (
  SELECT id, name, status, started_at, variants FROM campaigns
   WHERE brand_id = $1 AND started_at >= $2 AND started_at < $3
), d AS (
  SELECT cd.campaign_id, cd.variant::int AS variant, count(*)::int AS audience,
         count(*) FILTER (WHERE cd.status = 'sent')::int AS delivered
    FROM campaign_deliveries cd JOIN c ON c.id = cd.campaign_id
   WHERE cd.brand_id = $1
   GROUP BY 1, 2
), k AS (
  SELECT lc.campaign_id, lc.campaign_variant::int AS variant, count(*)::int AS clicks,
         count(DISTINCT lc.member_id)::int AS clickers
    FROM link_clicks lc JOIN c ON c.id = lc.campaign_id
   WHERE lc.brand_id = $1
   GROUP BY 1, 2
), o AS (
  SELECT a.campaign_id, a.campaign_variant::int AS variant, count(*)::int AS orders,
         count(DISTINCT o.member_id)::int AS buyers, sum(o.amount_minor - o.refunded_minor)::bigint AS revenue,
         COALESCE(sum(r.cost), 0)::bigint AS coupon_cost
    FROM order_attributions a
    JOIN c ON c.id = a.campaign_id
    JOIN orders o ON o.id = a.order_id AND o.brand_id = $1 AND ${counted('o')}
    LEFT JOIN LATERAL (
      SELECT sum(CASE cr.kind WHEN 'redemption' THEN cr.discount_minor ELSE -cr.discount_minor END) AS cost
        FROM coupon_redemptions cr WHERE cr.order_id = o.id AND cr.brand_id = $1) r ON TRUE
   WHERE a.brand_id = $1
   GROUP BY 1, 2
), keys AS (
  SELECT c.id AS campaign_id, (v.i - 1)::int AS variant FROM c CROSS JOIN LATERAL jsonb_array_elements(c.variants) WITH ORDINALITY AS v(x, i)
  UNION SELECT campaign_id, variant FROM d UNION SELECT campaign_id, variant FROM k UNION SELECT campaign_id, variant FROM o
)
SELECT c.id AS campaign_id, c.name AS campaign, c.status, c.started_at, x.variant,
       c.variants -> x.variant ->> 'name' AS variant_name,
       COALESCE(d.audience, 0) AS audience, COALESCE(d.delivered, 0) AS delivered,
       COALESCE(k.clicks, 0) AS clicks, COALESCE(k.clickers, 0) AS clickers,
       COALESCE(o.orders, 0) AS orders, COALESCE(o.buyers, 0) AS buyers,
       COALESCE(o.revenue, 0)::text AS revenue_minor, COALESCE(o.coupon_cost, 0)::text AS coupon_cost_minor,
       CASE WHEN COALESCE(o.coupon_cost, 0) = 0 THEN NULL
            ELSE ${ratioSql('(COALESCE(o.revenue, 0) - o.coupon_cost)', 'o.coupon_cost')} END AS roi
  FROM keys x
  JOIN c ON c.id = x.campaign_id
  LEFT JOIN d ON d.campaign_id = x.campaign_id AND d.variant IS NOT DISTINCT FROM x.variant
  LEFT JOIN k ON k.campaign_id = x.campaign_id AND k.variant IS NOT DISTINCT FROM x.variant
  LEFT JOIN o ON o.campaign_id = x.campaign_id AND o.variant IS NOT DISTINCT FROM x.variant
 ORDER BY c.started_at DESC, c.id, x.variant NULLS LAST`;
  return { sql, params };
}

export interface FunnelFigure {
  campaignId: string;
  campaign: string;
  status: string;
  startedAt: Date;
  variant: number | null;
  variantName: string | null;
  audience: number;
  delivered: number;
  clicks: number;
  clickers: number;
  orders: number;
  buyers: number;
  revenueMinor: string;
  couponCostMinor: string;
  roi: number | null;
}

export const shapeFunnel = (r: FunnelRow): FunnelFigure => ({
  campaignId: r.campaign_id,
  campaign: r.campaign,
  status: r.status,
  startedAt: r.started_at,
  variant: r.variant,
  variantName: r.variant_name,
  audience: r.audience,
  delivered: r.delivered,
  clicks: r.clicks,
  clickers: r.clickers,
  orders: r.orders,
  buyers: r.buyers,
  revenueMinor: r.revenue_minor,
  couponCostMinor: r.coupon_cost_minor,
  roi: r.roi === null ? null : Number(r.roi),
});
