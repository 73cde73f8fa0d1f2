import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { normalisePhone } from '@siyu/members';
import { Actor, AuditService, Page, newestFirstPage, newestFirstQuery } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import type {
  PartnerCreateDto,
  PartnerQueryDto,
  PartnerStatusDto,
  PartnerUpdateDto,
} from '../dto/partner.dto';
import { PartnerTierChange } from '../entities/partner-tier-change.entity';
import { Partner } from '../entities/partner.entity';
import { UUID_RE } from '../partners-core.constants';
import type { PartnerStatus, PartnerTier } from '../partners.constants';
import { PartnerException } from '../partners.errors';
import { PARTNER_TRANSITIONS, changeReason } from './partner-lifecycle';
import { PartnerPayoutSecrets, payoutContext, payoutHint } from './partner-payout-secrets';

/** What the audit log keeps of a partner (no payout details, no phone). */
const auditView = (p: Partner) => ({
  name: p.name,
  kind: p.kind,
  status: p.status,
  tier: p.tier,
  contactEmail: p.contactEmail ? '(set)' : null,
  contactPhone: p.contactPhone ? '(set)' : null,
  memberId: p.memberId,
  socialHandles: p.socialHandles,
  payoutHint: p.payoutHint,
});

/** Partners: the record, sealed payout details, and the lifecycle (every move audited and in the history). */
@Injectable()
export class PartnersService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly secrets: PartnerPayoutSecrets,
  ) {}

  async create(actor: Actor, dto: PartnerCreateDto): Promise<Partner> {
    return this.ds.transaction(async (m) => {
      if (dto.memberId) await this.checkMember(m, actor.brandId, dto.memberId);
      const id = randomUUID();
      const repo = m.getRepository(Partner);
      const partner = await repo.save(
        repo.create({
          id,
          brandId: actor.brandId,
          name: dto.name.trim(),
          kind: dto.kind,
          status: 'applied',
          tier: null,
          contactEmail: dto.contactEmail?.trim().toLowerCase() ?? null,
          contactPhone: dto.contactPhone ? normalisePhone(dto.contactPhone) : null,
          memberId: dto.memberId ?? null,
          socialHandles: handles(dto.socialHandles),
          ...this.sealPayout(actor.brandId, id, dto.payout),
        }),
      );
      await this.audit.record(m, actor, {
        action: 'partner.created',
        entityType: 'partner',
        entityId: id,
        after: auditView(partner),
      });
      if (dto.activate) return this.move(m, actor, partner, 'pilot', 'activated at creation');
      return partner;
    });
  }

  async update(actor: Actor, id: string, dto: PartnerUpdateDto): Promise<Partner> {
    return this.ds.transaction(async (m) => {
      const p = await this.lock(m, actor.brandId, id);
      const before = auditView(p);
      if (dto.memberId) await this.checkMember(m, actor.brandId, dto.memberId);
      if (dto.name !== undefined) p.name = dto.name.trim();
      if (dto.kind !== undefined) p.kind = dto.kind;
      if (dto.contactEmail !== undefined) p.contactEmail = dto.contactEmail.trim().toLowerCase();
      if (dto.contactPhone !== undefined) p.contactPhone = normalisePhone(dto.contactPhone);
      if (dto.memberId !== undefined) p.memberId = dto.memberId;
      if (dto.socialHandles !== undefined) p.socialHandles = handles(dto.socialHandles);
      if (dto.payout !== undefined) Object.assign(p, this.sealPayout(actor.brandId, p.id, dto.payout));
      const saved = await m.getRepository(Partner).save(p);
      await this.audit.record(m, actor, {
        action: 'partner.updated',
        entityType: 'partner',
        entityId: p.id,
        before,
        after: auditView(saved),
      });
      return saved;
    });
  }

  /** Activation, a manual promotion or demotion, suspension, reinstatement or a ban. */
  async changeStatus(actor: Actor, id: string, dto: PartnerStatusDto): Promise<Partner> {
    return this.ds.transaction(async (m) => {
      const p = await this.lock(m, actor.brandId, id);
      if (p.status === dto.status) return p;
      const allowed = PARTNER_TRANSITIONS[p.status];
      if (!allowed.includes(dto.status))
        throw PartnerException.invalidTransition(p.status, dto.status, allowed);
      return this.move(m, actor, p, dto.status, dto.note ?? null);
    });
  }

  /** Moves a locked partner to `to`, with its history row and audit entry. */
  private async move(
    m: EntityManager,
    actor: Actor,
    p: Partner,
    to: PartnerStatus,
    note: string | null,
  ): Promise<Partner> {
    const from = p.status;
    const fromTier = p.tier;
    const toTier: PartnerTier | null = to === 'suspended' || to === 'banned' ? p.tier : (to as PartnerTier);
    const reason = changeReason(from, to, fromTier);
    const [[row]]: [Array<{ activated_at: Date | null; tier_changed_at: Date | null }>, number] =
      await m.query(
        `UPDATE partners SET status = $3::varchar, tier = $4::varchar,
              activated_at = CASE WHEN $3::varchar = 'pilot' AND activated_at IS NULL THEN now() ELSE activated_at END,
              tier_changed_at = CASE WHEN $4::varchar IS DISTINCT FROM tier THEN now() ELSE tier_changed_at END,
              updated_at = now()
        WHERE brand_id = $1 AND id = $2 RETURNING activated_at, tier_changed_at`,
        [p.brandId, p.id, to, toTier],
      );
    await m.insert(PartnerTierChange, {
      brandId: p.brandId,
      partnerId: p.id,
      fromStatus: from,
      toStatus: to,
      fromTier,
      toTier,
      reason,
      evidence: note ? { note } : null,
      actorId: actor.actorId,
    });
    await this.audit.record(m, actor, {
      action: `partner.${reason}`,
      entityType: 'partner',
      entityId: p.id,
      before: { status: from, tier: fromTier },
      after: { status: to, tier: toTier, note },
    });
    return Object.assign(p, {
      status: to,
      tier: toTier,
      activatedAt: row.activated_at,
      tierChangedAt: row.tier_changed_at,
    });
  }

  async get(brandId: string, id: string): Promise<Partner> {
    const p = UUID_RE.test(id) ? await this.ds.getRepository(Partner).findOneBy({ brandId, id }) : null;
    if (!p) throw PartnerException.notFound(id);
    return p;
  }

  async list(brandId: string, q: PartnerQueryDto): Promise<Page<Partner>> {
    const qb = newestFirstQuery(this.ds.getRepository(Partner), 'p', brandId, q);
    if (q.status) qb.andWhere('p.status = :status', { status: q.status });
    if (q.tier) qb.andWhere('p.tier = :tier', { tier: q.tier });
    return newestFirstPage(qb, q.limit);
  }

  async history(brandId: string, id: string): Promise<PartnerTierChange[]> {
    await this.get(brandId, id);
    return this.ds
      .getRepository(PartnerTierChange)
      .find({ where: { brandId, partnerId: id }, order: { id: 'ASC' } });
  }

  /** The partner row locked for the transaction (404 for another brand's id). */
  async lock(m: EntityManager, brandId: string, id: string): Promise<Partner> {
    const p = UUID_RE.test(id)
      ? await m
          .getRepository(Partner)
          .createQueryBuilder('p')
          .setLock('pessimistic_write')
          .where('p.brand_id = :brandId AND p.id = :id', { brandId, id })
          .getOne()
      : null;
    if (!p) throw PartnerException.notFound(id);
    return p;
  }

  /** The payout details opened (for the payout run); never returned by the API. */
  openPayout(p: Partner): { method: string; account: string; holder: string } | null {
    if (!p.payoutSealed) return null;
    return JSON.parse(this.secrets.open(p.payoutSealed, payoutContext(p.brandId, p.id))) as {
      method: string;
      account: string;
      holder: string;
    };
  }

  private sealPayout(
    brandId: string,
    id: string,
    payout: { method: string; account: string; holder: string } | undefined,
  ): { payoutSealed?: string | null; payoutHint?: string | null } {
    if (!payout) return {};
    const clean = { method: payout.method, account: payout.account.trim(), holder: payout.holder.trim() };
    return {
      payoutSealed: this.secrets.seal(JSON.stringify(clean), payoutContext(brandId, id)),
      payoutHint: payoutHint(clean.method, clean.account),
    };
  }

  private async checkMember(m: EntityManager, brandId: string, memberId: string): Promise<void> {
    const [row]: unknown[] = await m.query(
      `SELECT 1 FROM members WHERE brand_id = $1 AND id = $2 AND merged_into IS NULL AND erased_at IS NULL`,
      [brandId, memberId],
    );
    if (!row)
      throw PartnerException.invalid([{ field: 'memberId', message: 'is not a member of this brand' }]);
  }
}

function handles(dto: object | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(dto ?? {})) if (typeof v === 'string') out[k] = v.trim();
  return out;
}
