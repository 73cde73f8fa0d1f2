import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AppConfig,
  AuditService,
  FieldError,
  Page,
  newestFirstPage,
  newestFirstQuery,
} from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { ConversionSettingsService } from './conversion-settings.service';
import { Utm, UTM_KEYS } from './conversions.constants';
import { ConversionException } from './conversions.errors';
import { destinationProblem } from './destination';
import type { LinkCreateDto, LinkQueryDto } from './dto/link.dto';
import { TrackedLink } from './entities/tracked-link.entity';
import { randomLinkCode, randomLinkCodes } from './link-codes';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A fresh code collides with an existing one about never (62^10); a few tries cover "about". */
const CODE_ATTEMPTS = 5;

export interface LinkStats {
  clicks: number;
  members: number;
  visitors: number;
}

/** Recipients of a campaign batch, as `{{link:<id>}}` sees them. */
export interface LinkRecipient {
  deliveryId: string;
}

/** Tracked links: creation behind the allowlist, reads scoped to the brand, per-recipient codes. */
@Injectable()
export class LinksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly settings: ConversionSettingsService,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  shortUrl(code: string): string {
    return `${this.config.get('LINKS_BASE_URL')}/r/${code}`;
  }

  async create(actor: Actor, dto: LinkCreateDto): Promise<TrackedLink> {
    const destination = dto.destination.trim();
    const { allowedDomains } = await this.settings.get(actor.brandId);
    const problem = destinationProblem(destination, allowedDomains);
    if (problem) throw ConversionException.destinationRefused(problem);
    await this.checkBindings(actor.brandId, dto);
    const utm: Utm = {};
    for (const k of UTM_KEYS) if (dto.utm?.[k]) utm[k] = dto.utm[k];
    return this.ds.transaction(async (m) => {
      const link = await this.insertLink(m, {
        brandId: actor.brandId,
        name: dto.name?.trim() ?? null,
        destination,
        utm,
        campaignId: dto.campaignId ?? null,
        campaignVariant: dto.campaignVariant ?? null,
        groupId: dto.groupId ?? null,
        liveSessionId: dto.liveSessionId ?? null,
        partnerId: dto.partnerId ?? null,
        createdById: actor.actorId,
      });
      await this.audit.record(m, actor, {
        action: 'tracked_link.created',
        entityType: 'tracked_link',
        entityId: link.id,
        after: { code: link.code, destination, utm, campaignId: link.campaignId, groupId: link.groupId },
      });
      return link;
    });
  }

  async list(brandId: string, q: LinkQueryDto): Promise<Page<TrackedLink>> {
    const qb = newestFirstQuery(this.ds.getRepository(TrackedLink), 'l', brandId, q);
    if (q.campaignId) qb.andWhere('l.campaign_id = :campaignId', { campaignId: q.campaignId });
    return newestFirstPage(qb, q.limit);
  }

  async get(brandId: string, id: string): Promise<TrackedLink> {
    const link = UUID_RE.test(id)
      ? await this.ds.getRepository(TrackedLink).findOneBy({ brandId, id })
      : null;
    if (!link) throw ConversionException.linkNotFound(id);
    return link;
  }

  async stats(brandId: string, linkId: string): Promise<LinkStats> {
    const [s]: LinkStats[] = await this.ds.query(
      `SELECT count(*)::int AS clicks, count(DISTINCT member_id)::int AS members, count(DISTINCT ip_hash)::int AS visitors
         FROM link_clicks WHERE brand_id = $1 AND link_id = $2`,
      [brandId, linkId],
    );
    return s;
  }

  /** The ids among `ids` that are not tracked links of the brand (for a campaign's `{{link:…}}`). */
  async check(brandId: string, ids: string[]): Promise<Array<{ id: string; reason: string }>> {
    const valid = ids.filter((id) => UUID_RE.test(id));
    const found: Array<{ id: string }> = valid.length
      ? await this.ds.query(`SELECT id FROM tracked_links WHERE brand_id = $1 AND id = ANY($2::uuid[])`, [
          brandId,
          valid,
        ])
      : [];
    const known = new Set(found.map((f) => f.id));
    return ids.filter((id) => !known.has(id)).map((id) => ({ id, reason: 'no such tracked link' }));
  }

  /**
   * One code per campaign delivery for link `linkId`, in the caller's (claim) transaction: one
   * INSERT … SELECT per batch that copies who the delivery is for (campaign, variant, member or
   * group), idempotent per (link, delivery) so a resend renders the same URL. A code that collides
   * gets a fresh one on the next pass. Answers deliveryId → short URL.
   */
  async recipientUrls(
    m: EntityManager,
    brandId: string,
    linkId: string,
    deliveryIds: string[],
  ): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (!UUID_RE.test(linkId) || deliveryIds.length === 0) return out;
    let missing = deliveryIds;
    for (let attempt = 0; attempt < CODE_ATTEMPTS && missing.length > 0; attempt++) {
      await m.query(
        `INSERT INTO link_codes (code, brand_id, link_id, delivery_id, campaign_id, campaign_variant, member_id, group_id)
         SELECT x.code, l.brand_id, l.id, d.id, d.campaign_id, d.variant, d.member_id, d.group_id
           FROM unnest($3::bigint[], $4::text[]) AS x(delivery_id, code)
           JOIN campaign_deliveries d ON d.id = x.delivery_id AND d.brand_id = $1
           JOIN tracked_links l ON l.id = $2 AND l.brand_id = $1
         ON CONFLICT DO NOTHING`,
        [brandId, linkId, missing, randomLinkCodes(missing.length)],
      );
      const rows: Array<{ delivery_id: string; code: string }> = await m.query(
        `SELECT delivery_id::text AS delivery_id, code FROM link_codes
          WHERE link_id = $1 AND delivery_id = ANY($2::bigint[])`,
        [linkId, missing],
      );
      for (const r of rows) out.set(r.delivery_id, this.shortUrl(r.code));
      // A delivery of another brand never gets a row; it only costs the remaining passes.
      missing = missing.filter((id) => !out.has(id));
    }
    return out;
  }

  private async insertLink(
    m: EntityManager,
    draft: Omit<TrackedLink, 'id' | 'code' | 'createdAt'>,
  ): Promise<TrackedLink> {
    const repo = m.getRepository(TrackedLink);
    for (let attempt = 1; ; attempt++) {
      const code = randomLinkCode();
      const [taken]: unknown[] = await m.query(`SELECT 1 FROM link_codes WHERE code = $1`, [code]);
      if (taken && attempt < CODE_ATTEMPTS) continue;
      const link = await repo.save(repo.create({ ...draft, code }));
      await m.query(
        `INSERT INTO link_codes (code, brand_id, link_id, campaign_id, campaign_variant, group_id)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [code, link.brandId, link.id, link.campaignId, link.campaignVariant, link.groupId],
      );
      return link;
    }
  }

  /** A campaign, variant or group chat the link names must be the brand's own. */
  private async checkBindings(brandId: string, dto: LinkCreateDto): Promise<void> {
    const errors: FieldError[] = [];
    if (dto.campaignVariant !== undefined && !dto.campaignId)
      errors.push({ field: 'campaignVariant', message: 'needs campaignId' });
    if (dto.campaignId) {
      const [c]: Array<{ variants: number }> = await this.ds.query(
        `SELECT jsonb_array_length(variants)::int AS variants FROM campaigns WHERE brand_id = $1 AND id = $2`,
        [brandId, dto.campaignId],
      );
      if (!c) errors.push({ field: 'campaignId', message: 'is not a campaign of this brand' });
      else if (dto.campaignVariant !== undefined && dto.campaignVariant >= c.variants)
        errors.push({ field: 'campaignVariant', message: `the campaign has ${c.variants} variant(s)` });
    }
    if (dto.groupId) {
      const [g]: unknown[] = await this.ds.query(
        `SELECT 1 FROM community_groups WHERE brand_id = $1 AND id = $2`,
        [brandId, dto.groupId],
      );
      if (!g) errors.push({ field: 'groupId', message: 'is not a group chat of this brand' });
    }
    if (errors.length > 0) throw ConversionException.bindingInvalid(errors);
  }
}
