import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, NotFoundException, Page, toPage } from '@siyu/platform';
import { DataSource } from 'typeorm';

type Raw = Record<string, unknown>;

/** Sums every KPI row carries (minor units as strings), and the ratios derived from them. */
export interface KpiFigures {
  clicks: number;
  orders: number;
  gmvMinor: string;
  netGmvMinor: string;
  refundedOrders: number;
  /** refunded orders ÷ orders, basis points (floor); null without orders. */
  refundRateBp: number | null;
  commissionEarnedMinor: string;
  commissionPaidMinor: string;
  /** Commission earned ÷ clicks, minor units rounded half up; null without clicks. */
  epcMinor: string | null;
  upliftPaidMinor: string;
  incrementalGmvMinor: string;
  /** Incremental GMV ÷ uplift paid, two decimals; null when no uplift was paid. */
  incentiveRoi: string | null;
}

export interface PartnerKpis extends KpiFigures {
  partnerId: string;
  name: string;
  tier: string | null;
  status: string;
  /** partners.fraud_score (0–100), kept by the fraud checks. */
  fraudScore: number;
  activatedAt: Date | null;
  firstSaleAt: Date | null;
  timeToFirstSaleHours: number | null;
}

export interface TierKpis extends KpiFigures {
  tier: string | null;
  partners: number;
  activated: number;
  withFirstSale: number;
  medianTimeToFirstSaleHours: number | null;
  avgTimeToFirstSaleHours: number | null;
}

export interface PilotCohort {
  /** Activation month in the brand's time zone, YYYY-MM. */
  cohort: string;
  partners: number;
  firstSaleWithin30Days: number;
  firstSaleWithin30DaysBp: number;
  medianTimeToFirstSaleHours: number | null;
  ordersFirst30Days: number;
  netGmvFirst30DaysMinor: string;
  commissionFirst30DaysMinor: string;
  stillPilot: number;
  promoted: number;
  suspendedOrBanned: number;
}

export interface KpiWindow {
  from: Date | null;
  to: Date | null;
}

/** `t` inside the window [$2, $3) (either end open when null). */
const inWindow = (t: string) =>
  `($2::timestamptz IS NULL OR ${t} >= $2::timestamptz) AND ($3::timestamptz IS NULL OR ${t} < $3::timestamptz)`;

/**
 * One row per partner of the brand ($1) with the window's sums. `partnerFilter` narrows the
 * partners (a page, one partner). Counted orders are the partner's commissions not rejected as
 * fraud whose order is not cancelled, by the order's paid time.
 */
const perPartner = (partnerFilter: string) => `
  pp AS (SELECT p.* FROM partners p WHERE p.brand_id = $1 ${partnerFilter}),
  cm AS (
    SELECT pc.partner_id, pc.status, pc.amount_minor, pc.uplift_minor, pc.uplift_state, pc.uplift_id, pc.order_paid_at,
           o.amount_minor AS order_minor, o.amount_minor - o.refunded_minor AS net_minor, o.refunded_minor > 0 AS refunded
      FROM partner_commissions pc JOIN orders o ON o.id = pc.order_id
     WHERE pc.brand_id = $1 AND pc.partner_id IN (SELECT id FROM pp)
       AND pc.status <> 'rejected' AND o.status <> 'cancelled'),
  uw AS (
    SELECT partner_id, uplift_id, min(order_paid_at) AS s, max(order_paid_at) + interval '1 day' AS e
      FROM cm WHERE uplift_state = 'released' AND ${inWindow('order_paid_at')}
     GROUP BY partner_id, uplift_id),
  inc AS (
    SELECT uw.partner_id,
           sum((SELECT COALESCE(sum(c.net_minor), 0) FROM cm c WHERE c.partner_id = uw.partner_id AND c.order_paid_at >= uw.s AND c.order_paid_at < uw.e)
             - (SELECT COALESCE(sum(c.net_minor), 0) FROM cm c WHERE c.partner_id = uw.partner_id
                  AND c.order_paid_at >= uw.s - (uw.e - uw.s) AND c.order_paid_at < uw.s)) AS incremental
      FROM uw GROUP BY uw.partner_id),
  per AS (
    SELECT pp.id, pp.name, pp.tier, pp.status, pp.fraud_score, pp.activated_at, pp.created_at,
           COALESCE(pp.first_sale_at, (SELECT min(c.order_paid_at) FROM cm c WHERE c.partner_id = pp.id AND c.order_paid_at >= pp.activated_at)) AS first_sale_at,
           (SELECT count(*) FROM link_clicks lc WHERE lc.brand_id = $1 AND lc.partner_id = pp.id AND ${inWindow('lc.clicked_at')}) AS clicks,
           w.orders, w.gmv, w.net_gmv, w.refunded_orders, w.earned, w.paid, w.uplift_paid,
           COALESCE(inc.incremental, 0) AS incremental
      FROM pp
      LEFT JOIN inc ON inc.partner_id = pp.id
      CROSS JOIN LATERAL (
        SELECT count(*) AS orders, COALESCE(sum(c.order_minor), 0) AS gmv, COALESCE(sum(c.net_minor), 0) AS net_gmv,
               count(*) FILTER (WHERE c.refunded) AS refunded_orders,
               COALESCE(sum(c.amount_minor) FILTER (WHERE c.status IN ('pending', 'approved', 'paid')), 0) AS earned,
               COALESCE(sum(c.amount_minor) FILTER (WHERE c.status = 'paid'), 0) AS paid,
               COALESCE(sum(c.uplift_minor) FILTER (WHERE c.status = 'paid' AND c.uplift_state = 'released'), 0) AS uplift_paid
          FROM cm c WHERE c.partner_id = pp.id AND ${inWindow('c.order_paid_at')}) w)`;

const ttfsHours = `extract(epoch FROM first_sale_at - activated_at) / 3600`;

/** The sums of a group of `per` rows and the ratios derived from them (a partner is a group of one). */
const FIGURES = `
  COALESCE(sum(clicks), 0)::bigint AS clicks, COALESCE(sum(orders), 0)::bigint AS orders,
  COALESCE(sum(gmv), 0)::text AS gmv, COALESCE(sum(net_gmv), 0)::text AS net_gmv,
  COALESCE(sum(refunded_orders), 0)::bigint AS refunded_orders,
  CASE WHEN sum(orders) > 0 THEN floor(sum(refunded_orders) * 10000 / sum(orders))::int END AS refund_rate_bp,
  COALESCE(sum(earned), 0)::text AS earned, COALESCE(sum(paid), 0)::text AS paid,
  CASE WHEN sum(clicks) > 0 THEN floor((sum(earned) * 2 + sum(clicks)) / (2 * sum(clicks)))::text END AS epc,
  COALESCE(sum(uplift_paid), 0)::text AS uplift_paid, COALESCE(sum(incremental), 0)::text AS incremental,
  CASE WHEN sum(uplift_paid) > 0 THEN round(sum(incremental)::numeric / sum(uplift_paid), 2)::text END AS roi`;

const figures = (r: Raw): KpiFigures => ({
  clicks: Number(r.clicks),
  orders: Number(r.orders),
  gmvMinor: r.gmv as string,
  netGmvMinor: r.net_gmv as string,
  refundedOrders: Number(r.refunded_orders),
  refundRateBp: r.refund_rate_bp === null ? null : Number(r.refund_rate_bp),
  commissionEarnedMinor: r.earned as string,
  commissionPaidMinor: r.paid as string,
  epcMinor: (r.epc as string | null) ?? null,
  upliftPaidMinor: r.uplift_paid as string,
  incrementalGmvMinor: r.incremental as string,
  incentiveRoi: (r.roi as string | null) ?? null,
});

const hours = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 100) / 100);

const partnerKpis = (r: Raw): PartnerKpis => ({
  partnerId: r.id as string,
  name: r.name as string,
  tier: (r.tier as string | null) ?? null,
  status: r.status as string,
  fraudScore: Number(r.fraud_score),
  activatedAt: (r.activated_at as Date | null) ?? null,
  firstSaleAt: (r.first_sale_at as Date | null) ?? null,
  timeToFirstSaleHours: hours(r.ttfs),
  ...figures(r),
});

const tierKpis = (r: Raw): TierKpis => ({
  tier: (r.tier as string | null) ?? null,
  partners: Number(r.partners),
  activated: Number(r.activated),
  withFirstSale: Number(r.with_first_sale),
  medianTimeToFirstSaleHours: hours(r.median_ttfs),
  avgTimeToFirstSaleHours: hours(r.avg_ttfs),
  ...figures(r),
});

const GROUP_COLUMNS = `count(*) AS partners, count(activated_at) AS activated,
  count(*) FILTER (WHERE activated_at IS NOT NULL AND first_sale_at IS NOT NULL) AS with_first_sale,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY ${ttfsHours}) AS median_ttfs, avg(${ttfsHours}) AS avg_ttfs, ${FIGURES}`;

/**
 * Partner KPIs in SQL, every figure a sum over rows anyone can re-read (see README, Partners:
 * KPIs): clicks from link_clicks, orders and GMV from the partner's commissions and their orders,
 * commission earned (pending, approved, paid) and paid, EPC, refund rate, time to first sale, and
 * incentive ROI (incremental GMV over the uplift paid).
 */
@Injectable()
export class PartnerKpisService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  /** Totals and one row per tier (the partners' current tier; null: applied, not yet on one). */
  async summary(brandId: string, w: KpiWindow): Promise<{ totals: TierKpis; tiers: TierKpis[] }> {
    const rows: Raw[] = await this.ds.query(
      `WITH ${perPartner('')}
       SELECT GROUPING(tier) AS is_total, tier, ${GROUP_COLUMNS}
         FROM per GROUP BY GROUPING SETS ((tier), ())
        ORDER BY GROUPING(tier), array_position(ARRAY['pilot', 'standard', 'preferred']::varchar[], tier) NULLS FIRST`,
      [brandId, w.from, w.to],
    );
    const total = rows.find((r) => Number(r.is_total) === 1);
    return {
      totals: tierKpis(total ?? {}),
      tiers: rows.filter((r) => Number(r.is_total) === 0).map(tierKpis),
    };
  }

  /** One row per partner, oldest first (keyset on created_at, id). */
  async partners(
    brandId: string,
    w: KpiWindow,
    q: { tier?: string; limit: number; cursor?: string },
  ): Promise<Page<PartnerKpis>> {
    const after = decodeCursor(q.cursor, 2) as [string, string] | null;
    const params: unknown[] = [brandId, w.from, w.to, q.limit + 1];
    let filter = '';
    if (q.tier) {
      params.push(q.tier);
      filter += ` AND p.tier = $${params.length}`;
    }
    if (after) {
      params.push(after[0], after[1]);
      filter += ` AND (p.created_at, p.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`;
    }
    const rows: Raw[] = await this.ds.query(
      `WITH ${perPartner(`${filter} ORDER BY p.created_at, p.id LIMIT $4`)}
       SELECT id, name, tier, status, fraud_score, activated_at, first_sale_at, created_at::text AS cursor_at, ${ttfsHours} AS ttfs, ${FIGURES}
         FROM per GROUP BY id, name, tier, status, fraud_score, activated_at, first_sale_at, created_at
        ORDER BY created_at, id`,
      params,
    );
    return toPage(rows, q.limit, (r) => [r.cursor_at as string, r.id as string], partnerKpis);
  }

  async partner(brandId: string, partnerId: string, w: KpiWindow): Promise<PartnerKpis> {
    const [row]: Raw[] = await this.ds.query(
      `WITH ${perPartner('AND p.id = $4')}
       SELECT id, name, tier, status, fraud_score, activated_at, first_sale_at, ${ttfsHours} AS ttfs, ${FIGURES}
         FROM per GROUP BY id, name, tier, status, fraud_score, activated_at, first_sale_at`,
      [brandId, w.from, w.to, partnerId],
    );
    if (!row) throw new NotFoundException('partner', partnerId);
    return partnerKpis(row);
  }

  /**
   * Pilot validation: partners by activation month (brand time zone). For each cohort, how many
   * sold within 30 days of activation, the median time to first sale, what they sold in their
   * first 30 days, and where they are now (still pilot, promoted, suspended or banned).
   */
  async pilotCohorts(brandId: string): Promise<PilotCohort[]> {
    const rows: Raw[] = await this.ds.query(
      `WITH pp AS (
         SELECT p.*, to_char(p.activated_at AT TIME ZONE b.time_zone, 'YYYY-MM') AS cohort,
                COALESCE(p.first_sale_at, (SELECT min(pc.order_paid_at) FROM partner_commissions pc
                                            WHERE pc.partner_id = p.id AND pc.status <> 'rejected')) AS first_sale
           FROM partners p JOIN brands b ON b.id = p.brand_id
          WHERE p.brand_id = $1 AND p.activated_at IS NOT NULL),
       first30 AS (
         SELECT pp.id, count(pc.id) AS orders, COALESCE(sum(o.amount_minor - o.refunded_minor), 0) AS net_gmv,
                COALESCE(sum(pc.amount_minor) FILTER (WHERE pc.status IN ('pending', 'approved', 'paid')), 0) AS earned
           FROM pp
           LEFT JOIN partner_commissions pc ON pc.partner_id = pp.id AND pc.status <> 'rejected'
                AND pc.order_paid_at >= pp.activated_at AND pc.order_paid_at < pp.activated_at + interval '30 days'
           LEFT JOIN orders o ON o.id = pc.order_id AND o.status <> 'cancelled'
          WHERE pc.id IS NULL OR o.id IS NOT NULL
          GROUP BY pp.id)
       SELECT pp.cohort, count(*) AS partners,
              count(*) FILTER (WHERE pp.first_sale < pp.activated_at + interval '30 days') AS sold30,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM pp.first_sale - pp.activated_at) / 3600) AS median_ttfs,
              COALESCE(sum(f.orders), 0)::bigint AS orders, COALESCE(sum(f.net_gmv), 0)::text AS net_gmv,
              COALESCE(sum(f.earned), 0)::text AS earned,
              count(*) FILTER (WHERE pp.status = 'pilot') AS still_pilot,
              count(*) FILTER (WHERE pp.status IN ('standard', 'preferred')) AS promoted,
              count(*) FILTER (WHERE pp.status IN ('suspended', 'banned')) AS suspended
         FROM pp LEFT JOIN first30 f ON f.id = pp.id
        GROUP BY pp.cohort ORDER BY pp.cohort`,
      [brandId],
    );
    return rows.map((r) => ({
      cohort: r.cohort as string,
      partners: Number(r.partners),
      firstSaleWithin30Days: Number(r.sold30),
      firstSaleWithin30DaysBp: Math.floor((Number(r.sold30) * 10_000) / Number(r.partners)),
      medianTimeToFirstSaleHours: hours(r.median_ttfs),
      ordersFirst30Days: Number(r.orders),
      netGmvFirst30DaysMinor: r.net_gmv as string,
      commissionFirst30DaysMinor: r.earned as string,
      stillPilot: Number(r.still_pilot),
      promoted: Number(r.promoted),
      suspendedOrBanned: Number(r.suspended),
    }));
  }
}
