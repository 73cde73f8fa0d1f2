import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { PartnerTierPutDto } from '../dto/partner-tier.dto';
import { minorOrNull } from '../dto/minor-amount';
import { PartnerTierConfig } from '../entities/partner-tier-config.entity';
import { DEFAULT_TIER_SETTINGS, TierSettings } from '../partners-core.constants';
import { PARTNER_TIERS, PartnerTier } from '../partners.constants';

export type TierView = TierSettings & { tier: PartnerTier; configured: boolean };

const COLUMNS: Array<[keyof TierSettings, string, string]> = [
  ['baseRateBp', 'base_rate_bp', 'int'],
  ['holdingDays', 'holding_days', 'int'],
  ['capMinor', 'cap_minor', 'bigint'],
  ['minPayoutMinor', 'min_payout_minor', 'bigint'],
  ['linkLimit', 'link_limit', 'int'],
  ['promoteMinOrders', 'promote_min_orders', 'int'],
  ['promoteMinGmvMinor', 'promote_min_gmv_minor', 'bigint'],
  ['promoteWindowDays', 'promote_window_days', 'int'],
  ['promoteMaxFraudScore', 'promote_max_fraud_score', 'int'],
  ['demoteMinOrders', 'demote_min_orders', 'int'],
  ['demoteMinGmvMinor', 'demote_min_gmv_minor', 'bigint'],
  ['demoteWindowDays', 'demote_window_days', 'int'],
  ['demoteFraudScore', 'demote_fraud_score', 'int'],
];

const lit = (v: string | number | null, type: string) => (v === null ? `NULL::${type}` : `${v}::${type}`);

/**
 * SQL: a relation `(brand_id, tier, <settings…>)` for every brand and tier, the brand's saved row or
 * else the defaults. Join it as `ts` on `ts.brand_id = … AND ts.tier = …`.
 */
export const TIER_SETTINGS_SQL = `(
  SELECT b.id AS brand_id, d.tier,
         ${COLUMNS.map(([, col]) => `CASE WHEN c.brand_id IS NULL THEN d.${col} ELSE c.${col} END AS ${col}`).join(',\n         ')}
    FROM brands b
   CROSS JOIN (VALUES ${PARTNER_TIERS.map(
     (t) =>
       `('${t}'::varchar, ${COLUMNS.map(([k, , type]) => lit(DEFAULT_TIER_SETTINGS[t][k], type)).join(', ')})`,
   ).join(', ')}) AS d(tier, ${COLUMNS.map(([, col]) => col).join(', ')})
    LEFT JOIN partner_tier_configs c ON c.brand_id = b.id AND c.tier = d.tier)`;

/** Per-brand tier settings: rates, holding, caps, minimum payout, link limit, promotion rules. */
@Injectable()
export class PartnerTierSettingsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async all(brandId: string, m: EntityManager = this.ds.manager): Promise<TierView[]> {
    const rows = await m.getRepository(PartnerTierConfig).findBy({ brandId });
    return PARTNER_TIERS.map((tier) => {
      const row = rows.find((r) => r.tier === tier);
      return row
        ? { ...view(row), tier, configured: true }
        : { ...DEFAULT_TIER_SETTINGS[tier], tier, configured: false };
    });
  }

  async get(brandId: string, tier: PartnerTier, m?: EntityManager): Promise<TierView> {
    return (await this.all(brandId, m)).find((t) => t.tier === tier) as TierView;
  }

  async put(actor: Actor, tier: PartnerTier, dto: PartnerTierPutDto): Promise<TierView> {
    const d = DEFAULT_TIER_SETTINGS[tier];
    const next: TierSettings = {
      baseRateBp: dto.baseRateBp,
      holdingDays: dto.holdingDays,
      capMinor: dto.capMinor === undefined ? d.capMinor : minorOrNull(dto.capMinor),
      minPayoutMinor: BigInt(dto.minPayoutMinor).toString(),
      linkLimit: dto.linkLimit === undefined ? d.linkLimit : dto.linkLimit,
      promoteMinOrders: dto.promoteMinOrders === undefined ? d.promoteMinOrders : dto.promoteMinOrders,
      promoteMinGmvMinor:
        dto.promoteMinGmvMinor === undefined ? d.promoteMinGmvMinor : minorOrNull(dto.promoteMinGmvMinor),
      promoteWindowDays: dto.promoteWindowDays ?? d.promoteWindowDays,
      promoteMaxFraudScore: dto.promoteMaxFraudScore ?? d.promoteMaxFraudScore,
      demoteMinOrders: dto.demoteMinOrders === undefined ? d.demoteMinOrders : dto.demoteMinOrders,
      demoteMinGmvMinor:
        dto.demoteMinGmvMinor === undefined ? d.demoteMinGmvMinor : minorOrNull(dto.demoteMinGmvMinor),
      demoteWindowDays: dto.demoteWindowDays ?? d.demoteWindowDays,
      demoteFraudScore: dto.demoteFraudScore === undefined ? d.demoteFraudScore : dto.demoteFraudScore,
    };
    return this.ds.transaction(async (m) => {
      const before = await this.get(actor.brandId, tier, m);
      await m
        .getRepository(PartnerTierConfig)
        .upsert({ brandId: actor.brandId, tier, ...next }, ['brandId', 'tier']);
      await this.audit.record(m, actor, {
        action: 'partner_tier.updated',
        entityType: 'partner_tier',
        entityId: tier,
        before,
        after: next,
      });
      return { ...next, tier, configured: true };
    });
  }
}

function view(r: PartnerTierConfig): TierSettings {
  return {
    baseRateBp: r.baseRateBp,
    holdingDays: r.holdingDays,
    capMinor: r.capMinor,
    minPayoutMinor: r.minPayoutMinor,
    linkLimit: r.linkLimit,
    promoteMinOrders: r.promoteMinOrders,
    promoteMinGmvMinor: r.promoteMinGmvMinor,
    promoteWindowDays: r.promoteWindowDays,
    promoteMaxFraudScore: r.promoteMaxFraudScore,
    demoteMinOrders: r.demoteMinOrders,
    demoteMinGmvMinor: r.demoteMinGmvMinor,
    demoteWindowDays: r.demoteWindowDays,
    demoteFraudScore: r.demoteFraudScore,
  };
}
