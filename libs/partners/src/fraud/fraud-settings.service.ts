import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';

export interface FraudSettingsView {
  clickFloodMaxClicks: number;
  clickFloodWindowMinutes: number;
  duplicateWindowMinutes: number;
  conversionWindowDays: number;
  conversionMinClicks: number;
  conversionMultiplierPct: number;
  conversionDefaultNormBp: number;
  quickRefundHours: number;
}

/** What a brand without a settings row gets (the columns' defaults say the same). */
export const FRAUD_SETTINGS_DEFAULTS: FraudSettingsView = {
  clickFloodMaxClicks: 20,
  clickFloodWindowMinutes: 60,
  duplicateWindowMinutes: 30,
  conversionWindowDays: 30,
  conversionMinClicks: 20,
  conversionMultiplierPct: 300,
  conversionDefaultNormBp: 500,
  quickRefundHours: 24,
};

const COLUMNS: Record<keyof FraudSettingsView, string> = {
  clickFloodMaxClicks: 'click_flood_max_clicks',
  clickFloodWindowMinutes: 'click_flood_window_minutes',
  duplicateWindowMinutes: 'duplicate_window_minutes',
  conversionWindowDays: 'conversion_window_days',
  conversionMinClicks: 'conversion_min_clicks',
  conversionMultiplierPct: 'conversion_multiplier_pct',
  conversionDefaultNormBp: 'conversion_default_norm_bp',
  quickRefundHours: 'quick_refund_hours',
};
const KEYS = Object.keys(COLUMNS) as Array<keyof FraudSettingsView>;

/** A brand's fraud thresholds: read with the defaults filled in, replaced whole (audited). */
@Injectable()
export class FraudSettingsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(brandId: string, m: EntityManager = this.ds.manager): Promise<FraudSettingsView> {
    const [row]: Array<Record<string, number>> = await m.query(
      `SELECT ${KEYS.map((k) => `${COLUMNS[k]} AS "${k}"`).join(', ')} FROM partner_fraud_settings WHERE brand_id = $1`,
      [brandId],
    );
    return row ? { ...FRAUD_SETTINGS_DEFAULTS, ...row } : { ...FRAUD_SETTINGS_DEFAULTS };
  }

  async put(actor: Actor, next: FraudSettingsView): Promise<FraudSettingsView> {
    return this.ds.transaction(async (m) => {
      // The brand's row is the lock: two concurrent saves serialise and each audits what it replaced.
      await m.query(`SELECT id FROM brands WHERE id = $1 FOR UPDATE`, [actor.brandId]);
      const before = await this.get(actor.brandId, m);
      const values = KEYS.map((k) => next[k]);
      await m.query(
        `INSERT INTO partner_fraud_settings (brand_id, ${KEYS.map((k) => COLUMNS[k]).join(', ')})
         VALUES ($1, ${KEYS.map((_, i) => `$${i + 2}`).join(', ')})
         ON CONFLICT (brand_id) DO UPDATE SET ${KEYS.map((k) => `${COLUMNS[k]} = excluded.${COLUMNS[k]}`).join(', ')},
           updated_at = now()`,
        [actor.brandId, ...values],
      );
      const after = await this.get(actor.brandId, m);
      await this.audit.record(m, actor, {
        action: 'partner_fraud_settings.update',
        entityType: 'partner_fraud_settings',
        entityId: actor.brandId,
        before,
        after,
      });
      return after;
    });
  }
}
