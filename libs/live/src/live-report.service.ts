import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { COUNTED_ORDER_STATUSES } from './live.constants';
import { LiveSessionsService } from './live-sessions.service';

export interface SalesWindow {
  from: string;
  to: string;
  orders: number;
  /** Net of refunds, minor units of the brand's currency. */
  gmvMinor: string;
  /** Buyers with a first order (not a repurchase) in the window, and buyers with only repurchases. */
  newBuyers: number;
  repeatBuyers: number;
}

export interface LiveReport {
  sessionId: string;
  currency: string;
  rsvps: number;
  reminders: Array<{
    reminderId: string;
    kind: string;
    status: string;
    deliveries: { sent: number; skipped: number; failed: number; pending: number };
  }>;
  deliveries: { sent: number; skipped: number; failed: number; pending: number };
  during: SalesWindow;
  after24h: SalesWindow;
  coupon: { templateId: string; redemptions: number; discountMinor: string } | null;
  products: Array<{
    id: string;
    name: string;
    priceMinor: string;
    linkId: string | null;
    clicks: number | null;
  }>;
}

/**
 * A session's report, every figure one SQL aggregate over the rows: RSVPs, the reminders' deliveries
 * (their campaigns' ledgers), the brand's orders (paid and partially refunded, net of refunds) placed
 * during the session (actual start/end, else planned) and in the 24 h after, live-coupon redemptions
 * net of rollbacks, and new versus repeat buyers by `orders.is_repurchase`.
 */
@Injectable()
export class LiveReportService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly sessions: LiveSessionsService,
  ) {}

  async report(brandId: string, id: string): Promise<LiveReport> {
    const s = await this.sessions.get(brandId, id);
    const from = s.startedAt ?? s.plannedStartAt;
    const to = s.endedAt ?? s.plannedEndAt;
    const after = new Date(to.getTime() + 24 * 3_600_000);
    const [brand]: Array<{ currency: string }> = await this.ds.query(
      `SELECT currency FROM brands WHERE id = $1`,
      [brandId],
    );
    const reminders = await this.reminderDeliveries(brandId, id);
    const total = { sent: 0, skipped: 0, failed: 0, pending: 0 };
    for (const r of reminders)
      for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += r.deliveries[k];
    const products: Array<{
      id: string;
      name: string;
      price_minor: string;
      link_id: string | null;
      clicks: number | null;
    }> = await this.ds.query(
      `SELECT p.id, p.name, p.price_minor, p.link_id,
                CASE WHEN p.link_id IS NULL THEN NULL
                     ELSE (SELECT count(*)::int FROM link_clicks c WHERE c.brand_id = p.brand_id AND c.link_id = p.link_id) END AS clicks
           FROM live_products p WHERE p.brand_id = $1 AND p.session_id = $2 ORDER BY p.position`,
      [brandId, id],
    );
    return {
      sessionId: id,
      currency: brand.currency,
      rsvps: s.rsvpCount,
      reminders,
      deliveries: total,
      during: await this.sales(brandId, brand.currency, from, to),
      after24h: await this.sales(brandId, brand.currency, to, after),
      coupon: s.couponTemplateId ? await this.coupon(brandId, s.couponTemplateId) : null,
      products: products.map((p) => ({
        id: p.id,
        name: p.name,
        priceMinor: p.price_minor,
        linkId: p.link_id,
        clicks: p.clicks,
      })),
    };
  }

  private async reminderDeliveries(brandId: string, sessionId: string): Promise<LiveReport['reminders']> {
    const rows: Array<{
      id: string;
      kind: string;
      status: string;
      sent: string;
      skipped: string;
      failed: string;
      pending: string;
    }> = await this.ds.query(
      `SELECT r.id, r.kind,
                CASE WHEN r.status = 'scheduled' AND EXISTS (
                       SELECT 1 FROM campaigns c
                        WHERE c.id IN (r.group_campaign_id, r.member_campaign_id)
                          AND c.status NOT IN ('draft', 'scheduled', 'cancelled'))
                     THEN 'sent' ELSE r.status END AS status,
                count(*) FILTER (WHERE d.status = 'sent') AS sent,
                count(*) FILTER (WHERE d.status = 'skipped') AS skipped,
                count(*) FILTER (WHERE d.status = 'failed') AS failed,
                count(*) FILTER (WHERE d.status IN ('pending', 'retry', 'sending', 'submitted')) AS pending
           FROM live_reminders r
           LEFT JOIN campaign_deliveries d
             ON d.campaign_id IN (r.group_campaign_id, r.member_campaign_id) AND d.brand_id = r.brand_id
          WHERE r.brand_id = $1 AND r.session_id = $2
          GROUP BY r.id, r.kind, r.status, r.position
          ORDER BY r.position`,
      [brandId, sessionId],
    );
    return rows.map((r) => ({
      reminderId: r.id,
      kind: r.kind,
      status: r.status,
      deliveries: {
        sent: Number(r.sent),
        skipped: Number(r.skipped),
        failed: Number(r.failed),
        pending: Number(r.pending),
      },
    }));
  }

  private async sales(brandId: string, currency: string, from: Date, to: Date): Promise<SalesWindow> {
    const [r]: Array<{ orders: string; gmv: string; new_buyers: string; repeat_buyers: string }> =
      await this.ds.query(
        `WITH o AS (
           SELECT member_id, is_repurchase, amount_minor - refunded_minor AS net
             FROM orders
            WHERE brand_id = $1 AND currency = $2 AND placed_at >= $3 AND placed_at < $4
              AND status = ANY($5::text[])),
         b AS (SELECT member_id, bool_or(NOT is_repurchase) AS first FROM o
                WHERE member_id IS NOT NULL GROUP BY member_id)
         SELECT (SELECT count(*) FROM o) AS orders,
                (SELECT coalesce(sum(net), 0)::text FROM o) AS gmv,
                (SELECT count(*) FROM b WHERE first) AS new_buyers,
                (SELECT count(*) FROM b WHERE NOT first) AS repeat_buyers`,
        [brandId, currency, from, to, [...COUNTED_ORDER_STATUSES]],
      );
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      orders: Number(r.orders),
      gmvMinor: r.gmv,
      newBuyers: Number(r.new_buyers),
      repeatBuyers: Number(r.repeat_buyers),
    };
  }

  private async coupon(brandId: string, templateId: string): Promise<LiveReport['coupon']> {
    const [r]: Array<{ n: string; discount: string }> = await this.ds.query(
      `SELECT (count(*) FILTER (WHERE kind = 'redemption') - count(*) FILTER (WHERE kind = 'rollback')) AS n,
              (coalesce(sum(discount_minor) FILTER (WHERE kind = 'redemption'), 0)
               - coalesce(sum(discount_minor) FILTER (WHERE kind = 'rollback'), 0))::text AS discount
         FROM coupon_redemptions WHERE brand_id = $1 AND template_id = $2`,
      [brandId, templateId],
    );
    return { templateId, redemptions: Number(r.n), discountMinor: r.discount };
  }
}
