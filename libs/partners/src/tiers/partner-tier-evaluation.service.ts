import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TIER_SETTINGS_SQL } from './partner-tier-settings.service';

/** Commissions that count toward a partner's volume (not reversed, not rejected as fraud). */
const COUNTED = `c.status NOT IN ('reversed', 'rejected')`;

const volume = (window: string, what: 'orders' | 'gmv') =>
  `(SELECT ${what === 'orders' ? 'count(*)' : 'coalesce(sum(c.commissionable_minor), 0)'} FROM partner_commissions c
     WHERE c.partner_id = p.id AND ${COUNTED} AND c.order_paid_at > now() - make_interval(days => ts.${window}))`;

/**
 * Promotion and demotion of every active partner (one brand, or all), in one statement: the
 * partner's orders and GMV (net of refunds) in each rule's window, read from its commissions, and
 * its fraud score, against its tier's rules. A promotion needs every promotion rule met and a fraud
 * score below the threshold; a demotion needs a fraud score at or above the tier's threshold, or,
 * after a whole window on the tier, fewer orders or less GMV than its floor. One step per run; each
 * move is written with its evidence to the tier history and the audit log, in the same statement.
 */
const EVALUATE_SQL = `
WITH s AS (
  SELECT p.id, p.brand_id, p.status, p.fraud_score, p.tier_changed_at, ts.*,
         ${volume('promote_window_days', 'orders')} AS p_orders,
         ${volume('promote_window_days', 'gmv')} AS p_gmv,
         ${volume('demote_window_days', 'orders')} AS d_orders,
         ${volume('demote_window_days', 'gmv')} AS d_gmv
    FROM partners p
    JOIN ${TIER_SETTINGS_SQL} ts ON ts.brand_id = p.brand_id AND ts.tier = p.tier
   WHERE p.status IN ('pilot', 'standard', 'preferred') AND ($1::uuid IS NULL OR p.brand_id = $1)),
d AS (
  SELECT s.*,
         CASE
           WHEN s.status <> 'preferred'
                AND (s.promote_min_orders IS NOT NULL OR s.promote_min_gmv_minor IS NOT NULL)
                AND s.p_orders >= coalesce(s.promote_min_orders, 0) AND s.p_gmv >= coalesce(s.promote_min_gmv_minor, 0)
                AND s.fraud_score < s.promote_max_fraud_score
             THEN CASE s.status WHEN 'pilot' THEN 'standard' ELSE 'preferred' END
           WHEN s.status <> 'pilot' AND (
                  (s.demote_fraud_score IS NOT NULL AND s.fraud_score >= s.demote_fraud_score)
                  OR (coalesce(s.tier_changed_at, '-infinity') <= now() - make_interval(days => s.demote_window_days)
                      AND ((s.demote_min_orders IS NOT NULL AND s.d_orders < s.demote_min_orders)
                        OR (s.demote_min_gmv_minor IS NOT NULL AND s.d_gmv < s.demote_min_gmv_minor))))
             THEN CASE s.status WHEN 'preferred' THEN 'standard' ELSE 'pilot' END
         END AS to_tier
    FROM s),
moved AS (
  UPDATE partners p SET status = d.to_tier, tier = d.to_tier, tier_changed_at = now(), updated_at = now()
    FROM d
   WHERE p.id = d.id AND d.to_tier IS NOT NULL AND p.status = d.status
  RETURNING p.id, p.brand_id, d.status AS from_tier, d.to_tier,
            CASE WHEN (d.status, d.to_tier) IN (('pilot', 'standard'), ('standard', 'preferred')) THEN 'promoted' ELSE 'demoted' END AS reason,
            jsonb_build_object(
              'fraudScore', d.fraud_score,
              'promotion', jsonb_build_object('windowDays', d.promote_window_days, 'orders', d.p_orders, 'gmvMinor', d.p_gmv::text,
                                              'minOrders', d.promote_min_orders, 'minGmvMinor', d.promote_min_gmv_minor::text,
                                              'maxFraudScore', d.promote_max_fraud_score),
              'demotion', jsonb_build_object('windowDays', d.demote_window_days, 'orders', d.d_orders, 'gmvMinor', d.d_gmv::text,
                                             'minOrders', d.demote_min_orders, 'minGmvMinor', d.demote_min_gmv_minor::text,
                                             'fraudScore', d.demote_fraud_score)) AS evidence),
hist AS (
  INSERT INTO partner_tier_changes (brand_id, partner_id, from_status, to_status, from_tier, to_tier, reason, evidence, actor_id)
  SELECT brand_id, id, from_tier, to_tier, from_tier, to_tier, reason, evidence, NULL FROM moved)
INSERT INTO audit_log (brand_id, actor_type, actor_id, request_id, action, entity_type, entity_id, before, after)
SELECT brand_id, 'system', NULL, NULL, 'partner.' || reason, 'partner', id::text,
       jsonb_build_object('status', from_tier, 'tier', from_tier),
       jsonb_build_object('status', to_tier, 'tier', to_tier, 'evidence', evidence)
  FROM moved
RETURNING entity_id, action`;

export interface TierMove {
  partnerId: string;
  action: string;
}

/** The scheduled promotion and demotion of partners (idempotent: a run with nothing to do moves nobody). */
@Injectable()
export class PartnerTierEvaluationService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async evaluate(brandId: string | null = null): Promise<TierMove[]> {
    const rows: Array<{ entity_id: string; action: string }> = await this.ds.query(EVALUATE_SQL, [brandId]);
    return rows.map((r) => ({ partnerId: r.entity_id, action: r.action }));
  }
}
