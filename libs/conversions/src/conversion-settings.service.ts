import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService, ValidationException } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_ATTRIBUTION_WINDOW_DAYS } from './conversions.constants';
import { DOMAIN_PATTERN, normaliseDomain } from './destination';
import type { ConversionSettingsPutDto } from './dto/link.dto';

export interface ConversionSettingsView {
  allowedDomains: string[];
  attributionWindowDays: number;
}

const MAX_DOMAINS = 200;

/** A brand's link allowlist and attribution window (one row, audited on every change). */
@Injectable()
export class ConversionSettingsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async get(brandId: string, m: EntityManager = this.ds.manager): Promise<ConversionSettingsView> {
    const [row]: Array<{ allowed_domains: string[]; attribution_window_days: number }> = await m.query(
      `SELECT allowed_domains, attribution_window_days FROM conversion_settings WHERE brand_id = $1`,
      [brandId],
    );
    return row
      ? { allowedDomains: row.allowed_domains, attributionWindowDays: row.attribution_window_days }
      : { allowedDomains: [], attributionWindowDays: DEFAULT_ATTRIBUTION_WINDOW_DAYS };
  }

  async put(actor: Actor, dto: ConversionSettingsPutDto): Promise<ConversionSettingsView> {
    const domains = [...new Set(dto.allowedDomains.map(normaliseDomain))].sort();
    const bad = dto.allowedDomains.flatMap((raw, i) =>
      DOMAIN_PATTERN.test(normaliseDomain(raw))
        ? []
        : [{ field: `allowedDomains[${i}]`, message: `${JSON.stringify(raw)} is not a host name` }],
    );
    if (domains.length > MAX_DOMAINS)
      bad.push({ field: 'allowedDomains', message: `at most ${MAX_DOMAINS} domains` });
    if (bad.length > 0) throw new ValidationException(bad);
    return this.ds.transaction(async (m) => {
      const before = await this.get(actor.brandId, m);
      const window = dto.attributionWindowDays ?? before.attributionWindowDays;
      await m.query(
        `INSERT INTO conversion_settings (brand_id, allowed_domains, attribution_window_days) VALUES ($1, $2, $3)
         ON CONFLICT (brand_id) DO UPDATE
           SET allowed_domains = excluded.allowed_domains, attribution_window_days = excluded.attribution_window_days,
               updated_at = now()`,
        [actor.brandId, domains, window],
      );
      const after = { allowedDomains: domains, attributionWindowDays: window };
      await this.audit.record(m, actor, {
        action: 'conversion_settings.updated',
        entityType: 'conversion_settings',
        entityId: actor.brandId,
        before,
        after,
      });
      return after;
    });
  }
}
