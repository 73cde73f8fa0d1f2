import { applyBpSql } from '../partners-core.constants';
import { TIER_SETTINGS_SQL } from '../tiers/partner-tier-settings.service';

/**
 * One commission per order of brand `$1` among `$2` whose attribution names an active partner of
 * the brand and that counts as paid: the base part at the partner's tier rate, and the highest-rate
 * open uplift for the partner or its tier whose window holds the order's paid time, accrued as
 * `gated` on the in-scope share of the order (SKUs or categories): the order's net amount times the
 * in-scope lines' share of all its lines' list price, rounded down. `ON CONFLICT DO NOTHING` on the
 * (brand, order) key: a concurrent attribution of the same order creates nothing more.
 */
export const CREATE_COMMISSIONS_SQL = `
WITH o AS (
  SELECT o.id, o.brand_id, o.currency, o.amount_minor AS gross, o.amount_minor - o.refunded_minor AS net, o.placed_at,
         a.partner_id, a.rule, p.tier
    FROM orders o
    JOIN order_attributions a ON a.order_id = o.id AND a.brand_id = o.brand_id
    JOIN partners p ON p.id = a.partner_id AND p.brand_id = o.brand_id AND p.status IN ('pilot', 'standard', 'preferred')
   WHERE o.brand_id = $1 AND o.id = ANY($2::uuid[]) AND o.status IN ('paid', 'partially_refunded')),
x AS (
  SELECT o.*, ts.base_rate_bp, ts.holding_days, u.id AS uplift_id, coalesce(u.rate_bp, 0) AS uplift_rate_bp,
         CASE WHEN u.id IS NULL THEN 0
              WHEN cardinality(u.skus) = 0 AND cardinality(u.categories) = 0 THEN o.net
              ELSE coalesce((
                SELECT o.net * coalesce(sum(i.quantity * i.unit_price_minor)
                                          FILTER (WHERE i.sku = ANY(u.skus) OR i.category = ANY(u.categories)), 0)
                       / NULLIF(sum(i.quantity * i.unit_price_minor), 0)
                  FROM order_items i WHERE i.order_id = o.id), 0)
         END AS uplift_base
    FROM o
    JOIN ${TIER_SETTINGS_SQL} ts ON ts.brand_id = o.brand_id AND ts.tier = o.tier
    LEFT JOIN LATERAL (
      SELECT u.id, u.rate_bp, u.skus, u.categories FROM partner_uplifts u
       WHERE u.brand_id = o.brand_id AND u.closed_at IS NULL AND o.placed_at >= u.starts_at AND o.placed_at < u.ends_at
         AND (u.partner_id = o.partner_id OR u.tier = o.tier)
       ORDER BY u.rate_bp DESC, u.id LIMIT 1
       -- The close takes FOR UPDATE (SKIP LOCKED) on the uplift: it waits for no order, and an order
       -- waiting for a close sees it closed, so no gated part is left behind by a closed uplift.
       FOR KEY SHARE OF u) u ON true)
INSERT INTO partner_commissions AS c (brand_id, partner_id, order_id, attributed_by, tier, currency, commissionable_minor,
       base_rate_bp, base_minor, uplift_id, uplift_rate_bp, uplift_base_minor, uplift_minor, uplift_state,
       capped_minor, amount_minor, order_paid_at, hold_until)
SELECT x.brand_id, x.partner_id, x.id, x.rule, x.tier, x.currency, x.net,
       x.base_rate_bp, ${applyBpSql('x.net', 'x.base_rate_bp')},
       CASE WHEN x.uplift_base > 0 THEN x.uplift_id END,
       CASE WHEN x.uplift_base > 0 THEN x.uplift_rate_bp ELSE 0 END,
       CASE WHEN x.uplift_base > 0 THEN x.uplift_base ELSE 0 END,
       CASE WHEN x.uplift_base > 0 THEN ${applyBpSql('x.uplift_base', 'x.uplift_rate_bp')} ELSE 0 END,
       CASE WHEN x.uplift_base > 0 THEN 'gated' ELSE 'none' END,
       0, ${applyBpSql('x.net', 'x.base_rate_bp')},
       x.placed_at, x.placed_at + make_interval(days => x.holding_days)
  FROM x
ON CONFLICT (brand_id, order_id) DO NOTHING
RETURNING c.id, c.partner_id, c.order_paid_at`;

/**
 * The monthly cap (calendar month of the order's paid time in the brand's zone) on commissions `$1`
 * (all of one brand), for `part` ('base' at creation, already in the amount; 'uplift' when a gated
 * uplift is released, added to the amount here; ADD_UNCAPPED_UPLIFT_SQL adds it where the tier has
 * no cap): the new amounts fill what the partner's other commissions of the month left of the cap, in order
 * of paid time then id; what does not fit is added to `capped_minor`.
 */
export function capSql(part: 'base' | 'uplift'): string {
  const add = part === 'base' ? 'n.base_minor' : 'n.uplift_minor';
  const others =
    part === 'base'
      ? `c.id <> ALL($1::uuid[])`
      : // A released uplift comes on top of the month's amounts, its own commission's base included.
        `true`;
  return `
WITH n AS (
  SELECT c.id, c.partner_id, c.base_minor, c.uplift_minor, c.order_paid_at, b.time_zone, ts.cap_minor,
         date_trunc('month', c.order_paid_at AT TIME ZONE b.time_zone) AS period
    FROM partner_commissions c
    JOIN brands b ON b.id = c.brand_id
    JOIN ${TIER_SETTINGS_SQL} ts ON ts.brand_id = c.brand_id AND ts.tier = c.tier
   WHERE c.id = ANY($1::uuid[]) AND ts.cap_minor IS NOT NULL),
r AS (
  SELECT n.id, ${add} AS adding,
         sum(${add}) OVER (PARTITION BY n.partner_id, n.period ORDER BY n.order_paid_at, n.id) AS running,
         GREATEST(0, n.cap_minor - (
           SELECT coalesce(sum(c.amount_minor), 0) FROM partner_commissions c
            WHERE c.partner_id = n.partner_id AND ${others} AND c.status NOT IN ('reversed', 'rejected')
              AND c.order_paid_at >= (n.period AT TIME ZONE n.time_zone)
              AND c.order_paid_at < ((n.period + interval '1 month') AT TIME ZONE n.time_zone))) AS room
    FROM n)
UPDATE partner_commissions c
   SET capped_minor = c.capped_minor + LEAST(r.adding, GREATEST(0, r.running - r.room)),
       amount_minor = c.amount_minor ${part === 'base' ? '' : '+ r.adding '}- LEAST(r.adding, GREATEST(0, r.running - r.room)),
       updated_at = now()
  FROM r
 WHERE c.id = r.id${part === 'base' ? ' AND r.running > r.room' : ''}`;
}

/** Adds a released uplift to commissions `$1` (not yet in their amount), within the month's cap where there is one. */
export const ADD_UNCAPPED_UPLIFT_SQL = `
UPDATE partner_commissions c SET amount_minor = c.amount_minor + c.uplift_minor, updated_at = now()
  FROM partner_commissions x
  LEFT JOIN ${TIER_SETTINGS_SQL} ts ON ts.brand_id = x.brand_id AND ts.tier = x.tier
 WHERE c.id = x.id AND x.id = ANY($1::uuid[]) AND ts.cap_minor IS NULL`;

/** A commission's figures again after its order was refunded or cancelled (`x` joins `c` to its order). */
const RECALC = `
  SELECT c.id, o.status AS order_status,
         CASE WHEN o.status IN ('paid', 'partially_refunded') THEN o.amount_minor - o.refunded_minor ELSE 0 END AS net
    FROM partner_commissions c JOIN orders o ON o.id = c.order_id
   WHERE c.brand_id = $1 AND c.order_id = ANY($2::uuid[]) AND c.status NOT IN ('reversed', 'rejected')`;

const FIGURES = `
  SELECT y.*, ${applyBpSql('y.net', 'c.base_rate_bp')} AS base_new,
         CASE WHEN c.commissionable_minor = 0 THEN 0 ELSE c.uplift_base_minor * y.net / c.commissionable_minor END AS ub_new
    FROM (${RECALC}) y JOIN partner_commissions c ON c.id = y.id`;

const OWED = `
  SELECT f.*, ${applyBpSql('f.ub_new', 'c.uplift_rate_bp')} AS up_new,
         f.base_new + CASE WHEN c.uplift_state = 'released' THEN ${applyBpSql('f.ub_new', 'c.uplift_rate_bp')} ELSE 0 END AS raw_new
    FROM (${FIGURES}) f JOIN partner_commissions c ON c.id = f.id`;

/**
 * Refund or cancellation of orders `$2` (brand `$1`) on commissions not yet in a settlement: every
 * figure is computed again from the order's net amount (the same half-up rule), the amount owed is
 * the new figure but never more than the cap allowed before; nothing left (a full refund, a
 * cancellation) reverses the commission.
 */
export const REDUCE_UNSETTLED_SQL = `
UPDATE partner_commissions c
   SET commissionable_minor = x.net, base_minor = x.base_new, uplift_base_minor = x.ub_new, uplift_minor = x.up_new,
       amount_minor = LEAST(c.amount_minor, x.raw_new), capped_minor = x.raw_new - LEAST(c.amount_minor, x.raw_new),
       status = CASE WHEN x.net = 0 THEN 'reversed' ELSE c.status END,
       reversed_at = CASE WHEN x.net = 0 THEN now() ELSE c.reversed_at END,
       reason = CASE WHEN x.net = 0 THEN CASE WHEN x.order_status = 'cancelled' THEN 'order_cancelled' ELSE 'refunded_in_hold' END
                     ELSE c.reason END,
       updated_at = now()
  FROM (${OWED}) x
 WHERE c.id = x.id AND c.settlement_id IS NULL AND c.status IN ('pending', 'approved', 'held')
   AND x.net < c.commissionable_minor
RETURNING c.id, c.status`;

/**
 * The same for commissions already in a settlement (or paid): the commission stays as settled, and
 * the difference between what is owed now and what was settled (with earlier adjustments) becomes a
 * negative adjustment on the partner's next settlement.
 */
export const CLAWBACK_SETTLED_SQL = `
INSERT INTO partner_adjustments (brand_id, partner_id, commission_id, order_id, currency, amount_minor, reason)
SELECT c.brand_id, c.partner_id, c.id, c.order_id, c.currency, LEAST(z.owed, x.raw_new) - z.owed,
       CASE WHEN x.order_status = 'cancelled' THEN 'cancelled_after_settlement' ELSE 'refund_after_settlement' END
  FROM (${OWED}) x
  JOIN partner_commissions c ON c.id = x.id
  CROSS JOIN LATERAL (
    SELECT c.amount_minor + coalesce((SELECT sum(a.amount_minor) FROM partner_adjustments a WHERE a.commission_id = c.id), 0) AS owed) z
 WHERE (c.settlement_id IS NOT NULL OR c.status = 'paid') AND LEAST(z.owed, x.raw_new) < z.owed
RETURNING id, commission_id, amount_minor`;
