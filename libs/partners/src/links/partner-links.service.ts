import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LinksService } from '@siyu/conversions';
import { CouponBatchesService, CouponTemplatesService } from '@siyu/coupons';
import { Actor, AuditService } from '@siyu/platform';
import { DataSource } from 'typeorm';
import type {
  PartnerCodeCreateDto,
  PartnerDedicatedTemplateDto,
  PartnerLinkCreateDto,
} from '../dto/partner-link.dto';
import { PartnerCode } from '../entities/partner-code.entity';
import type { Partner } from '../entities/partner.entity';
import { PartnerException } from '../partners.errors';
import { ACTIVE_STATUSES } from '../partners/partner-lifecycle';
import { PartnersService } from '../partners/partners.service';
import { PartnerTierSettingsService } from '../tiers/partner-tier-settings.service';

export interface PartnerLinkView {
  id: string;
  code: string;
  shortUrl: string;
  name: string | null;
  destination: string;
  createdAt: Date;
}

/**
 * A partner's tracked links (the conversions lib's links, bound to the partner; a tier may limit
 * how many) and coupon codes (shared codes from the coupons lib whose source is the partner, so
 * attribution maps an order using one to the partner), and a Preferred partner's dedicated coupon
 * template with its own budget.
 */
@Injectable()
export class PartnerLinksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly partners: PartnersService,
    private readonly tiers: PartnerTierSettingsService,
    private readonly links: LinksService,
    private readonly templates: CouponTemplatesService,
    private readonly batches: CouponBatchesService,
    private readonly audit: AuditService,
  ) {}

  /**
   * The partner's row stays locked while the link is made (in the conversions lib's own
   * transaction, committed before this one ends), so two requests cannot both take the last slot.
   */
  async createLink(actor: Actor, partnerId: string, dto: PartnerLinkCreateDto): Promise<PartnerLinkView> {
    return this.ds.transaction(async (m) => {
      const p = await this.partners.lock(m, actor.brandId, partnerId);
      active(p, 'get tracked links');
      const { linkLimit } = await this.tiers.get(actor.brandId, p.tier as NonNullable<Partner['tier']>, m);
      if (linkLimit !== null) {
        const [{ n }]: Array<{ n: number }> = await m.query(
          `SELECT count(*)::int AS n FROM tracked_links WHERE brand_id = $1 AND partner_id = $2`,
          [actor.brandId, p.id],
        );
        if (n >= linkLimit) throw PartnerException.linkLimit(linkLimit, p.tier as string);
      }
      const link = await this.links.create(actor, {
        destination: dto.destination,
        name: dto.name ?? `${p.name}`.slice(0, 120),
        partnerId: p.id,
        utm: { source: 'partner', medium: p.kind },
      });
      return {
        id: link.id,
        code: link.code,
        shortUrl: this.links.shortUrl(link.code),
        name: link.name,
        destination: link.destination,
        createdAt: link.createdAt,
      };
    });
  }

  async listLinks(brandId: string, partnerId: string): Promise<PartnerLinkView[]> {
    await this.partners.get(brandId, partnerId);
    const rows: Array<{
      id: string;
      code: string;
      name: string | null;
      destination: string;
      created_at: Date;
    }> = await this.ds.query(
      `SELECT id, code, name, destination, created_at FROM tracked_links
          WHERE brand_id = $1 AND partner_id = $2 ORDER BY created_at, id`,
      [brandId, partnerId],
    );
    return rows.map((r) => ({
      id: r.id,
      code: r.code,
      shortUrl: this.links.shortUrl(r.code),
      name: r.name,
      destination: r.destination,
      createdAt: r.created_at,
    }));
  }

  /**
   * A shared coupon code for the partner, on the given template or the partner's dedicated one.
   * The coupons lib makes the code as the partner's (source `partner`, source_ref the partner id, so
   * attribution maps an order using it to the partner); it is then recorded here.
   */
  async createCode(actor: Actor, partnerId: string, dto: PartnerCodeCreateDto): Promise<PartnerCode> {
    const p = await this.partners.get(actor.brandId, partnerId);
    active(p, 'get coupon codes');
    const templateId = dto.templateId ?? p.dedicatedTemplateId;
    if (!templateId)
      throw new PartnerException(
        'VALIDATION_FAILED',
        400,
        'templateId is required: the partner has no dedicated template',
        [{ field: 'templateId', message: 'is required (the partner has no dedicated coupon template)' }],
      );
    const shared = await this.batches.createShared(
      actor,
      templateId,
      { code: dto.code, maxRedemptions: dto.maxRedemptions },
      { source: 'partner', sourceRef: p.id },
    );
    return this.ds.transaction(async (m) => {
      await this.partners.lock(m, actor.brandId, p.id);
      const repo = m.getRepository(PartnerCode);
      const code = await repo.save(
        repo.create({
          brandId: actor.brandId,
          partnerId: p.id,
          couponId: shared.couponId,
          templateId,
          code: shared.code,
          maxRedemptions: shared.maxRedemptions,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'partner.code_created',
        entityType: 'partner',
        entityId: p.id,
        after: {
          couponId: shared.couponId,
          code: shared.code,
          templateId,
          maxRedemptions: shared.maxRedemptions,
        },
      });
      return code;
    });
  }

  async listCodes(brandId: string, partnerId: string): Promise<PartnerCode[]> {
    await this.partners.get(brandId, partnerId);
    return this.ds
      .getRepository(PartnerCode)
      .find({ where: { brandId, partnerId }, order: { createdAt: 'ASC' } });
  }

  /** A Preferred partner's dedicated coupon template, with its own budget, made active. */
  async createDedicatedTemplate(
    actor: Actor,
    partnerId: string,
    dto: PartnerDedicatedTemplateDto,
  ): Promise<Partner> {
    const p = await this.partners.get(actor.brandId, partnerId);
    if (p.status !== 'preferred')
      throw PartnerException.notActive(p.status, 'get a dedicated template (Preferred only)');
    if (p.dedicatedTemplateId) throw PartnerException.templateExists(p.dedicatedTemplateId);
    const t = await this.templates.create(actor, {
      name: dto.name ?? `${p.name} (partner)`.slice(0, 120),
      kind: dto.kind,
      amountOffMinor: dto.amountOffMinor,
      percentOff: dto.percentOff,
      minSpendMinor: dto.minSpendMinor,
      budgetCount: dto.budgetCount,
      budgetMoneyMinor: dto.budgetMoneyMinor,
    } as Parameters<CouponTemplatesService['create']>[1]);
    await this.templates.transition(actor, t.id, 'activate');
    return this.ds.transaction(async (m) => {
      const locked = await this.partners.lock(m, actor.brandId, p.id);
      if (locked.dedicatedTemplateId) throw PartnerException.templateExists(locked.dedicatedTemplateId);
      await m.query(`UPDATE partners SET dedicated_template_id = $2, updated_at = now() WHERE id = $1`, [
        p.id,
        t.id,
      ]);
      await this.audit.record(m, actor, {
        action: 'partner.dedicated_template_created',
        entityType: 'partner',
        entityId: p.id,
        after: {
          templateId: t.id,
          budgetCount: dto.budgetCount,
          budgetMoneyMinor: dto.budgetMoneyMinor ?? null,
        },
      });
      return Object.assign(locked, { dedicatedTemplateId: t.id });
    });
  }
}

function active(p: Partner, what: string): void {
  if (!ACTIVE_STATUSES.includes(p.status)) throw PartnerException.notActive(p.status, what);
}
