import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { CommerceHooks, OrdersChanged } from '@siyu/commerce';
import { MemberPiiService } from '@siyu/members';
import { DataSource, EntityManager } from 'typeorm';
import { CommissionsCreated, PartnerHooks } from '../partner-hooks';
import { fraudScoreSql } from './fraud.constants';
import { FraudSettingsService, FraudSettingsView } from './fraud-settings.service';

/** A flag the checks produced (one per commission and check; a repeat is a no-op). */
export interface RaisedFlag {
  id: string;
  partnerId: string;
  commissionId: string;
  kind: string;
  held: boolean;
}

/**
 * The commissions the checks look at, with their order and partner: `$2` are commission ids or
 * order ids (`by`), `$3` the partners' phone digests (computed in Node: phones are matched by
 * HMAC, as members' identities store them).
 */
const base = (by: 'commission' | 'order') => `
  c AS (
    SELECT pc.id AS commission_id, pc.partner_id, pc.order_id, pc.order_paid_at, pc.created_at AS commission_created_at,
           o.member_id, o.amount_minor, o.refunded_minor, o.placed_at, o.source, o.external_id,
           p.member_id AS partner_member_id, d.digest AS partner_phone
      FROM partner_commissions pc
      JOIN orders o ON o.id = pc.order_id AND o.brand_id = pc.brand_id
      JOIN partners p ON p.id = pc.partner_id AND p.brand_id = pc.brand_id
      LEFT JOIN jsonb_to_recordset($3::jsonb) AS d(partner_id uuid, digest text) ON d.partner_id = p.id
     WHERE pc.brand_id = $1 AND ${by === 'commission' ? 'pc.id' : 'pc.order_id'} = ANY($2::uuid[]))`;

/** An order's items as one comparable text (sku × quantity, sorted); null for an order without items. */
const itemsSig = (orderId: string) =>
  `(SELECT string_agg(i.sku || '×' || i.quantity, ',' ORDER BY i.sku, i.quantity) FROM order_items i WHERE i.order_id = ${orderId})`;

/** Self-purchase: the buyer is the partner's member, or the order carries the partner's phone or one of their member's identities. */
const SELF_PURCHASE = `
  SELECT c.commission_id, c.partner_id, c.order_id, 'self_purchase' AS kind,
         jsonb_build_object('rule', r.rule, 'buyerMemberId', c.member_id, 'partnerMemberId', c.partner_member_id) AS evidence
    FROM c CROSS JOIN LATERAL (
      SELECT x.rule FROM (
        SELECT 1 AS pri, 'partner_member' AS rule WHERE c.member_id IS NOT NULL AND c.member_id = c.partner_member_id
        UNION ALL
        SELECT 2, 'partner_phone' WHERE c.partner_phone IS NOT NULL AND (
          EXISTS (SELECT 1 FROM member_identities mi WHERE mi.member_id = c.member_id AND mi.kind = 'phone' AND mi.value = c.partner_phone)
          OR EXISTS (SELECT 1 FROM order_identity_claims oc WHERE oc.order_id = c.order_id AND oc.kind = 'phone' AND oc.value = c.partner_phone))
        UNION ALL
        SELECT 3, 'partner_identity' WHERE c.partner_member_id IS NOT NULL AND EXISTS (
          SELECT 1 FROM order_identity_claims oc
            JOIN member_identities mi ON mi.brand_id = oc.brand_id AND mi.kind = oc.kind AND mi.app_id = oc.app_id AND mi.value = oc.value
           WHERE oc.order_id = c.order_id AND mi.member_id = c.partner_member_id)
      ) x ORDER BY x.pri LIMIT 1) r`;

/**
 * Click flooding: in the window before the order, the partner's links got at least the threshold
 * of clicks from one IP hash, one device (the redirect's first-party device cookie, hashed), or
 * one member. $4 threshold, $5 window in minutes.
 */
const CLICK_FLOOD = `
  SELECT c.commission_id, c.partner_id, c.order_id, 'click_flood' AS kind,
         jsonb_build_object('by', f.by, 'key', f.key, 'clicks', f.n, 'threshold', $4::int, 'windowMinutes', $5::int) AS evidence
    FROM c CROSS JOIN LATERAL (
      SELECT g.by, g.key, g.n FROM (
        SELECT 'ip' AS by, left(lc.ip_hash, 16) AS key, count(*) AS n
          FROM link_clicks lc
         WHERE lc.brand_id = $1 AND lc.partner_id = c.partner_id
           AND lc.clicked_at > c.order_paid_at - make_interval(mins => $5::int) AND lc.clicked_at <= c.order_paid_at
         GROUP BY lc.ip_hash
        UNION ALL
        SELECT 'device', left(lc.device_hash, 16), count(*)
          FROM link_clicks lc
         WHERE lc.brand_id = $1 AND lc.partner_id = c.partner_id AND lc.device_hash IS NOT NULL
           AND lc.clicked_at > c.order_paid_at - make_interval(mins => $5::int) AND lc.clicked_at <= c.order_paid_at
         GROUP BY lc.device_hash
        UNION ALL
        SELECT 'member', lc.member_id::text, count(*)
          FROM link_clicks lc
         WHERE lc.brand_id = $1 AND lc.partner_id = c.partner_id AND lc.member_id IS NOT NULL
           AND lc.clicked_at > c.order_paid_at - make_interval(mins => $5::int) AND lc.clicked_at <= c.order_paid_at
         GROUP BY lc.member_id
      ) g WHERE g.n >= $4::int ORDER BY g.n DESC, g.by LIMIT 1) f`;

/**
 * Duplicate orders, the later of a pair credited to the same partner: the same buyer, amount and
 * items within $6 minutes; or the same external order id recorded twice (from two sources).
 */
const DUPLICATE = `
  SELECT c.commission_id, c.partner_id, c.order_id, 'duplicate_order' AS kind,
         jsonb_build_object('rule', 'same_buyer_amount_items', 'duplicateOf', d.id,
                            'minutesApart', round(extract(epoch FROM c.placed_at - d.placed_at) / 60)::int,
                            'windowMinutes', $6::int) AS evidence
    FROM c CROSS JOIN LATERAL (
      SELECT o2.id, o2.placed_at
        FROM partner_commissions pc2 JOIN orders o2 ON o2.id = pc2.order_id
       WHERE pc2.partner_id = c.partner_id AND o2.id <> c.order_id AND o2.status <> 'cancelled'
         AND c.member_id IS NOT NULL AND o2.member_id = c.member_id AND o2.amount_minor = c.amount_minor
         AND o2.placed_at >= c.placed_at - make_interval(mins => $6::int)
         AND (o2.placed_at, o2.id) < (c.placed_at, c.order_id)
         AND ${itemsSig('o2.id')} IS NOT DISTINCT FROM ${itemsSig('c.order_id')}
       ORDER BY o2.placed_at DESC, o2.id DESC LIMIT 1) d
  UNION ALL
  SELECT c.commission_id, c.partner_id, c.order_id, 'duplicate_order',
         jsonb_build_object('rule', 'same_external_id', 'duplicateOf', d.id, 'source', d.source, 'externalId', c.external_id)
    FROM c CROSS JOIN LATERAL (
      SELECT o2.id, o2.source
        FROM partner_commissions pc2 JOIN orders o2 ON o2.id = pc2.order_id
       WHERE pc2.partner_id = c.partner_id AND o2.external_id = c.external_id AND o2.source <> c.source
         AND (pc2.created_at, pc2.id) < (c.commission_created_at, c.commission_id)
       ORDER BY pc2.created_at, pc2.id LIMIT 1) d`;

/**
 * Orders refunded in full within `$n` hours of being placed (the refund that completed it; a
 * partial refund, one item sent back, is ordinary).
 */
const quickRefund = (n: number) => `
  SELECT c.commission_id, c.partner_id, c.order_id, 'quick_refund' AS kind,
         jsonb_build_object('refundedMinor', c.refunded_minor::text, 'orderMinor', c.amount_minor::text,
                            'minutesAfterOrder', round(extract(epoch FROM r.last_at - c.placed_at) / 60)::int,
                            'windowHours', $${n}::int) AS evidence
    FROM c CROSS JOIN LATERAL (
      SELECT max(x.refunded_at) AS last_at FROM order_refunds x WHERE x.order_id = c.order_id) r
   WHERE c.amount_minor > 0 AND c.refunded_minor = c.amount_minor
     AND r.last_at IS NOT NULL AND r.last_at <= c.placed_at + make_interval(hours => $${n}::int)`;

/**
 * Inserts the candidate flags (a repeat of a commission and check is a no-op) and holds their
 * commissions: only a pending or approved commission not yet in a settlement can be held, and it
 * keeps the status it had (`held_from`) for a review that clears it.
 */
const FLAG_AND_HOLD = (candidates: string) => `
  WITH ${candidates},
  ins AS (
    INSERT INTO partner_fraud_flags (brand_id, partner_id, commission_id, order_id, kind, evidence, held, held_from)
    SELECT $1, f.partner_id, f.commission_id, f.order_id, f.kind, f.evidence,
           pc.status IN ('pending', 'approved') AND pc.settlement_id IS NULL,
           CASE WHEN pc.status IN ('pending', 'approved') AND pc.settlement_id IS NULL THEN pc.status END
      FROM flags f JOIN partner_commissions pc ON pc.id = f.commission_id
    ON CONFLICT (commission_id, kind) DO NOTHING
    RETURNING id, partner_id, commission_id, kind, held),
  hold AS (
    UPDATE partner_commissions pc SET status = 'held', reason = 'fraud:' || h.kind, updated_at = now()
      FROM (SELECT DISTINCT ON (commission_id) commission_id, kind FROM ins WHERE held ORDER BY commission_id, kind) h
     WHERE pc.id = h.commission_id
    RETURNING pc.id)
  SELECT id, partner_id AS "partnerId", commission_id AS "commissionId", kind, held FROM ins`;

/**
 * The fraud checks. On every new commission (inside the order's transaction, through
 * PartnerHooks): self-purchase, click flooding, duplicate orders, and an order already refunded.
 * On refunds (CommerceHooks, inside the refund's transaction): orders refunded in full soon after
 * they were placed. On a schedule (the sweep): conversion rates far above the tier's norm. Each check
 * is one set-based statement; a flagged commission is held for review, and the partners' fraud
 * scores are recomputed from their flags.
 */
@Injectable()
export class FraudChecksService implements OnModuleInit {
  private readonly logger = new Logger(FraudChecksService.name);

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly partnerHooks: PartnerHooks,
    private readonly commerceHooks: CommerceHooks,
    private readonly pii: MemberPiiService,
    private readonly settings: FraudSettingsService,
  ) {}

  onModuleInit(): void {
    this.partnerHooks.onCommissionsCreated(async (m, change) => {
      await this.onCommissionsCreated(m, change);
    });
    this.commerceHooks.onOrdersChanged(async (m, change) => {
      await this.onOrdersChanged(m, change);
    });
  }

  /** Every check that can judge a commission at once, in the transaction that created it. */
  async onCommissionsCreated(m: EntityManager, change: CommissionsCreated): Promise<RaisedFlag[]> {
    // The ids come from the INSERT … RETURNING that made the commissions (PartnerHooks skips an empty list).
    const ids = change.commissionIds;
    const s = await this.settings.get(change.brandId, m);
    const digests = await this.phoneDigests(m, change.brandId, ids);
    const flags: RaisedFlag[] = await m.query(
      FLAG_AND_HOLD(
        `${base('commission')},
         flags AS (${SELF_PURCHASE} UNION ALL ${CLICK_FLOOD} UNION ALL ${DUPLICATE} UNION ALL ${quickRefund(7)})`,
      ),
      [
        change.brandId,
        ids,
        JSON.stringify(digests),
        s.clickFloodMaxClicks,
        s.clickFloodWindowMinutes,
        s.duplicateWindowMinutes,
        s.quickRefundHours,
      ],
    );
    await this.rescore(m, change.brandId, flags);
    return flags;
  }

  /** A refund (or a status moving to refunded) on orders with commissions: the quick-refund check. */
  async onOrdersChanged(m: EntityManager, change: OrdersChanged): Promise<RaisedFlag[]> {
    if (change.cause === 'created') return [];
    // Most refunds are of orders no partner earned on: one indexed probe, then nothing more.
    const [{ any }]: Array<{ any: boolean }> = await m.query(
      `SELECT EXISTS (SELECT 1 FROM partner_commissions WHERE brand_id = $1 AND order_id = ANY($2::uuid[])) AS any`,
      [change.brandId, change.orderIds],
    );
    if (!any) return [];
    const s = await this.settings.get(change.brandId, m);
    const flags: RaisedFlag[] = await m.query(
      FLAG_AND_HOLD(`${base('order')}, flags AS (${quickRefund(4)})`),
      [change.brandId, change.orderIds, '[]', s.quickRefundHours],
    );
    await this.rescore(m, change.brandId, flags);
    return flags;
  }

  /**
   * Conversion rates far above the tier's norm, judged at `at` over the settings' window: per
   * partner on a tier, orders (commissions not rejected) ÷ clicks on their links; the tier's norm
   * is the same ratio over the brand's other partners on that tier (the default norm when they
   * have fewer clicks than the minimum). A partner with at least the minimum clicks whose rate
   * exceeds norm × multiplier gets a flag on each of their commissions in the window.
   */
  async sweepConversionRates(m: EntityManager, brandId: string, at: Date): Promise<RaisedFlag[]> {
    const s = await this.settings.get(brandId, m);
    const flags: RaisedFlag[] = await m.query(
      FLAG_AND_HOLD(`
        stats AS (
          SELECT p.id AS partner_id, p.tier,
                 (SELECT count(*) FROM link_clicks lc
                   WHERE lc.brand_id = $1 AND lc.partner_id = p.id
                     AND lc.clicked_at > $2::timestamptz - make_interval(days => $3::int) AND lc.clicked_at <= $2::timestamptz) AS clicks,
                 (SELECT count(*) FROM partner_commissions pc
                   WHERE pc.partner_id = p.id AND pc.status <> 'rejected'
                     AND pc.order_paid_at > $2::timestamptz - make_interval(days => $3::int) AND pc.order_paid_at <= $2::timestamptz) AS orders
            FROM partners p WHERE p.brand_id = $1 AND p.tier IS NOT NULL),
        tiers AS (SELECT tier, sum(clicks) AS clicks, sum(orders) AS orders FROM stats GROUP BY tier),
        judged AS (
          SELECT s.partner_id, s.tier, s.clicks, s.orders, (s.orders * 10000 / s.clicks)::int AS rate_bp,
                 GREATEST(1, CASE WHEN t.clicks - s.clicks >= $4::int
                                  THEN ((t.orders - s.orders) * 10000 / (t.clicks - s.clicks))::int
                                  ELSE $6::int END) AS norm_bp,
                 t.clicks - s.clicks >= $4::int AS norm_from_tier
            FROM stats s JOIN tiers t ON t.tier = s.tier
           WHERE s.clicks >= $4::int),
        flags AS (
          SELECT pc.id AS commission_id, pc.partner_id, pc.order_id, 'conversion_rate' AS kind,
                 jsonb_build_object('clicks', j.clicks, 'orders', j.orders, 'rateBp', j.rate_bp, 'tier', j.tier,
                                    'tierNormBp', j.norm_bp, 'normFromTier', j.norm_from_tier,
                                    'multiplierPct', $5::int, 'windowDays', $3::int, 'at', $2::timestamptz) AS evidence
            FROM judged j JOIN partner_commissions pc ON pc.partner_id = j.partner_id
           WHERE j.rate_bp::bigint * 100 > j.norm_bp::bigint * $5::int
             AND pc.status <> 'rejected'
             AND pc.order_paid_at > $2::timestamptz - make_interval(days => $3::int) AND pc.order_paid_at <= $2::timestamptz)`),
      [
        brandId,
        at,
        s.conversionWindowDays,
        s.conversionMinClicks,
        s.conversionMultiplierPct,
        s.conversionDefaultNormBp,
      ],
    );
    await this.rescore(m, brandId, flags);
    return flags;
  }

  /** The sweep for one brand: conversion rates, then every partner's score (flags age out of its window). */
  async sweep(brandId: string, at = new Date()): Promise<RaisedFlag[]> {
    return this.ds.transaction(async (m) => {
      const flags = await this.sweepConversionRates(m, brandId, at);
      await this.rescore(m, brandId, null);
      return flags;
    });
  }

  /** The scheduled sweep: every brand with partners, each in its own transaction. */
  async sweepAll(at = new Date()): Promise<number> {
    const brands: Array<{ brand_id: string }> = await this.ds.query(`SELECT DISTINCT brand_id FROM partners`);
    let flagged = 0;
    for (const { brand_id } of brands) {
      try {
        flagged += (await this.sweep(brand_id, at)).length;
      } catch (err) {
        this.logger.error({ err, brandId: brand_id }, 'partner fraud sweep failed for a brand');
      }
    }
    return flagged;
  }

  /**
   * partners.fraud_score from the flags (fraudScoreSql): for the partners that just got flags, or
   * for every partner of the brand (`null`). Only rows whose score moves are written.
   */
  async rescore(
    m: EntityManager,
    brandId: string,
    flags: Array<{ partnerId: string }> | null,
  ): Promise<void> {
    if (flags !== null && flags.length === 0) return;
    const ids = flags === null ? null : [...new Set(flags.map((f) => f.partnerId))];
    await m.query(
      `UPDATE partners p SET fraud_score = s.score, updated_at = now()
         FROM (SELECT p.id, ${fraudScoreSql('partner_fraud_flags')} AS score
                 FROM partners p WHERE p.brand_id = $1 ${ids ? 'AND p.id = ANY($2::uuid[])' : ''}) s
        WHERE p.id = s.id AND p.fraud_score <> s.score`,
      ids ? [brandId, ids] : [brandId],
    );
  }

  /** The HMAC of each partner's contact phone (E.164), as member identities store phones. */
  private async phoneDigests(
    m: EntityManager,
    brandId: string,
    commissionIds: string[],
  ): Promise<Array<{ partner_id: string; digest: string }>> {
    const rows: Array<{ id: string; contact_phone: string }> = await m.query(
      `SELECT DISTINCT p.id, p.contact_phone FROM partner_commissions pc JOIN partners p ON p.id = pc.partner_id
        WHERE pc.brand_id = $1 AND pc.id = ANY($2::uuid[]) AND p.contact_phone IS NOT NULL`,
      [brandId, commissionIds],
    );
    return rows.map((r) => ({ partner_id: r.id, digest: this.pii.phoneDigest(r.contact_phone) }));
  }
}

export type { FraudSettingsView };
