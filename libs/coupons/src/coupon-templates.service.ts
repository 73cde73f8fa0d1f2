import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AuditService,
  FieldError,
  Page,
  ValidationException,
  newestFirstPage,
  newestFirstQuery,
} from '@siyu/platform';
import { DataSource } from 'typeorm';
import { TEMPLATE_TRANSITIONS, TemplateStatus } from './coupons.constants';
import { CouponException } from './coupons.errors';
import { CouponsRepository } from './coupons.repository';
import type {
  CouponTemplateCreateDto,
  CouponTemplateQueryDto,
  CouponTemplateUpdateDto,
} from './dto/coupon-template.dto';
import { CouponTemplate } from './entities/coupon-template.entity';

/** The terms an active or paused template may still change (the rest are fixed once it issues). */
const LIVE_EDITABLE = new Set([
  'name',
  'description',
  'budgetCount',
  'budgetMoneyMinor',
  'perMemberLimit',
  'validUntil',
]);

export interface CouponReport {
  templateId: string;
  issued: number;
  redemptions: number;
  rollbacks: number;
  partialRefunds: number;
  redeemed: number;
  redemptionRate: number | null;
  discountGivenMinor: string;
  /** The discount shares taken back by partial refunds (of redemptions rolled back later too). */
  discountRefundedMinor: string;
  gmvMinor: string;
  orders: number;
  budgetCount: number | null;
  budgetMoneyMinor: string | null;
}

const snapshot = (t: CouponTemplate) => ({
  name: t.name,
  kind: t.kind,
  status: t.status,
  amountOffMinor: t.amountOffMinor,
  percentOff: t.percentOff,
  maxDiscountMinor: t.maxDiscountMinor,
  minSpendMinor: t.minSpendMinor,
  validFrom: t.validFrom,
  validUntil: t.validUntil,
  validDays: t.validDays,
  channels: t.channels,
  stacking: t.stacking,
  budgetCount: t.budgetCount,
  budgetMoneyMinor: t.budgetMoneyMinor,
  perMemberLimit: t.perMemberLimit,
  codePrefix: t.codePrefix,
  codeLength: t.codeLength,
});

/** Templates: CRUD of drafts, the audited state machine, and the redemption report. */
@Injectable()
export class CouponTemplatesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: CouponsRepository,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, dto: CouponTemplateCreateDto): Promise<CouponTemplate> {
    const draft: Partial<CouponTemplate> = {
      brandId: actor.brandId,
      name: dto.name.trim(),
      description: dto.description ?? null,
      kind: dto.kind,
      amountOffMinor: dto.amountOffMinor !== undefined ? String(dto.amountOffMinor) : null,
      percentOff: dto.percentOff ?? null,
      maxDiscountMinor: dto.maxDiscountMinor !== undefined ? String(dto.maxDiscountMinor) : null,
      minSpendMinor: String(dto.minSpendMinor ?? 0),
      validFrom: dto.validFrom ? new Date(dto.validFrom) : null,
      validUntil: dto.validUntil ? new Date(dto.validUntil) : null,
      validDays: dto.validDays ?? null,
      channels: dto.channels ?? [],
      stacking: dto.stacking ?? 'exclusive',
      budgetCount: dto.budgetCount ?? null,
      budgetMoneyMinor: dto.budgetMoneyMinor !== undefined ? String(dto.budgetMoneyMinor) : null,
      perMemberLimit: dto.perMemberLimit ?? null,
      codePrefix: dto.codePrefix ?? '',
      codeLength: dto.codeLength ?? 10,
      createdById: actor.actorId,
    };
    checkTerms(draft);
    return this.ds.transaction(async (m) => {
      const repo = m.getRepository(CouponTemplate);
      const t = await repo.save(repo.create(draft));
      await this.audit.record(m, actor, {
        action: 'coupon_template.created',
        entityType: 'coupon_template',
        entityId: t.id,
        after: snapshot(t),
      });
      return t;
    });
  }

  async update(actor: Actor, id: string, dto: CouponTemplateUpdateDto): Promise<CouponTemplate> {
    return this.ds.transaction(async (m) => {
      const t = await this.repo.lockTemplate(m, actor.brandId, id);
      if (t.status === 'ended')
        throw CouponException.invalidState('edit', t.status, ['draft', 'active', 'paused']);
      const fields = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
      if (t.status !== 'draft') {
        const fixed = fields.filter((f) => !LIVE_EDITABLE.has(f));
        if (fixed.length > 0)
          throw new CouponException(
            'COUPON_TEMPLATE_INVALID_STATE',
            409,
            `a ${t.status} template keeps its terms; only ${[...LIVE_EDITABLE].join(', ')} may change`,
            fixed.map((field) => ({ field, message: `cannot change once the template is ${t.status}` })),
          );
      }
      const before = snapshot(t);
      const money = (v: number | null | undefined) =>
        v === undefined ? undefined : v === null ? null : String(v);
      const patch: Partial<CouponTemplate> = {
        name: dto.name?.trim(),
        description: dto.description,
        kind: dto.kind,
        amountOffMinor: money(dto.amountOffMinor),
        percentOff: dto.percentOff,
        maxDiscountMinor: money(dto.maxDiscountMinor),
        minSpendMinor: dto.minSpendMinor !== undefined ? String(dto.minSpendMinor) : undefined,
        validFrom: dto.validFrom === undefined ? undefined : dto.validFrom ? new Date(dto.validFrom) : null,
        validUntil:
          dto.validUntil === undefined ? undefined : dto.validUntil ? new Date(dto.validUntil) : null,
        validDays: dto.validDays,
        channels: dto.channels,
        stacking: dto.stacking,
        budgetCount: dto.budgetCount,
        budgetMoneyMinor: money(dto.budgetMoneyMinor),
        perMemberLimit: dto.perMemberLimit,
        codePrefix: dto.codePrefix,
        codeLength: dto.codeLength,
      };
      for (const [k, v] of Object.entries(patch))
        if (v !== undefined) (t as unknown as Record<string, unknown>)[k] = v;
      checkTerms(t);
      // The counters are kept only while a budget needs them: a budget set now starts from the rows.
      if (t.budgetCount !== null && before.budgetCount === null) {
        const [{ n }]: Array<{ n: number }> = await m.query(
          `SELECT count(*)::int AS n FROM coupons WHERE template_id = $1 AND kind <> 'shared'`,
          [id],
        );
        t.issuedCount = n;
      }
      if (t.budgetMoneyMinor !== null && before.budgetMoneyMinor === null) {
        const [r]: Array<{ n: number; d: string }> = await m.query(
          `SELECT count(*) FILTER (WHERE kind = 'redemption')::int - count(*) FILTER (WHERE kind = 'rollback')::int AS n,
                  (coalesce(sum(discount_minor) FILTER (WHERE kind = 'redemption'), 0)
                   - coalesce(sum(discount_minor) FILTER (WHERE kind = 'rollback'), 0))::text AS d
             FROM coupon_redemptions WHERE template_id = $1`,
          [id],
        );
        t.redeemedCount = r.n;
        t.discountMinor = r.d;
      }
      const errors: FieldError[] = [];
      if (t.budgetCount !== null && t.budgetCount < t.issuedCount)
        errors.push({ field: 'budgetCount', message: `${t.issuedCount} coupons were already issued` });
      if (t.budgetMoneyMinor !== null && BigInt(t.budgetMoneyMinor) < BigInt(t.discountMinor))
        errors.push({ field: 'budgetMoneyMinor', message: `${t.discountMinor} was already given` });
      if (errors.length > 0) throw CouponException.invalid(errors);
      const saved = await m.getRepository(CouponTemplate).save(t);
      // A new end moves the codes already issued and not yet used with it (each code keeps its own
      // window, copied at issue): extending a template extends its codes, closing it closes them.
      if (patch.validUntil !== undefined && before.validUntil?.getTime() !== saved.validUntil?.getTime())
        await m.query(
          `UPDATE coupons c
              SET valid_until = CASE WHEN $3::int IS NULL THEN $2::timestamptz
                                     ELSE LEAST(COALESCE($2::timestamptz, 'infinity'), c.issued_at + make_interval(days => $3::int)) END
            WHERE c.template_id = $1 AND c.status = 'available'`,
          [id, saved.validUntil, saved.validDays],
        );
      await this.audit.record(m, actor, {
        action: 'coupon_template.updated',
        entityType: 'coupon_template',
        entityId: id,
        before,
        after: snapshot(saved),
      });
      return saved;
    });
  }

  /** activate / pause / end: a conditional move, audited with the states before and after. */
  async transition(
    actor: Actor,
    id: string,
    action: keyof typeof TEMPLATE_TRANSITIONS,
  ): Promise<CouponTemplate> {
    const rule = TEMPLATE_TRANSITIONS[action];
    return this.ds.transaction(async (m) => {
      const t = await this.repo.lockTemplate(m, actor.brandId, id);
      if (t.status === rule.to) return t;
      if (!rule.from.includes(t.status)) throw CouponException.invalidState(action, t.status, rule.from);
      if (action === 'activate' && t.validUntil && t.validUntil <= new Date())
        throw CouponException.invalid([{ field: 'validUntil', message: 'is in the past; extend it first' }]);
      const from: TemplateStatus = t.status;
      await m.query(`UPDATE coupon_templates SET status = $2, updated_at = now() WHERE id = $1`, [
        id,
        rule.to,
      ]);
      t.status = rule.to;
      await this.audit.record(m, actor, {
        action: `coupon_template.${action === 'end' ? 'ended' : action === 'pause' ? 'paused' : 'activated'}`,
        entityType: 'coupon_template',
        entityId: id,
        before: { status: from },
        after: { status: rule.to },
      });
      return t;
    });
  }

  get(brandId: string, id: string): Promise<CouponTemplate> {
    return this.repo.templateOrThrow(brandId, id);
  }

  async list(brandId: string, q: CouponTemplateQueryDto): Promise<Page<CouponTemplate>> {
    const qb = newestFirstQuery(this.ds.getRepository(CouponTemplate), 't', brandId, q);
    if (q.status) qb.andWhere('t.status = :status', { status: q.status });
    return newestFirstPage(qb, q.limit);
  }

  /** Issued, redeemed (net of rollbacks), rate, discount given and the GMV of the orders that used it. */
  async report(brandId: string, id: string): Promise<CouponReport> {
    const t = await this.repo.templateOrThrow(brandId, id);
    // A redemption counts until it is rolled back; its partial refunds take their shares of the
    // discount and of the GMV off it (an order that used two of the template's codes counts once).
    const [r]: Array<Record<string, string>> = await this.ds.query(
      `WITH live AS (
         SELECT r.order_ref, r.discount_minor - coalesce(p.discount, 0) AS discount,
                r.order_amount_minor - coalesce(p.gmv, 0) AS gmv
           FROM coupon_redemptions r
           LEFT JOIN LATERAL (
             SELECT sum(x.discount_minor) AS discount, sum(x.order_amount_minor) AS gmv
               FROM coupon_redemptions x WHERE x.reverses_id = r.id AND x.kind = 'partial_refund') p ON true
          WHERE r.template_id = $1 AND r.kind = 'redemption'
            AND NOT EXISTS (SELECT 1 FROM coupon_redemptions b WHERE b.reverses_id = r.id AND b.kind = 'rollback'))
       SELECT (SELECT count(*) FROM coupon_redemptions WHERE template_id = $1 AND kind = 'redemption')::int AS redemptions,
              (SELECT count(*) FROM coupon_redemptions WHERE template_id = $1 AND kind = 'rollback')::int AS rollbacks,
              (SELECT count(*) FROM coupon_redemptions WHERE template_id = $1 AND kind = 'partial_refund')::int AS partial_refunds,
              (SELECT coalesce(sum(discount_minor), 0) FROM coupon_redemptions WHERE template_id = $1 AND kind = 'partial_refund')::text AS discount_refunded,
              (SELECT count(*) FROM live)::int AS redeemed,
              (SELECT coalesce(sum(discount), 0) FROM live)::text AS discount,
              (SELECT coalesce(sum(gmv), 0) FROM (SELECT DISTINCT ON (order_ref) gmv FROM live ORDER BY order_ref) o)::text AS gmv,
              (SELECT count(DISTINCT order_ref) FROM live)::int AS orders`,
      [t.id],
    );
    const [{ issued }]: Array<{ issued: number }> = await this.ds.query(
      `SELECT count(*)::int AS issued FROM coupons WHERE template_id = $1 AND kind <> 'shared'`,
      [t.id],
    );
    const redeemed = Number(r.redeemed);
    return {
      templateId: t.id,
      issued,
      redemptions: Number(r.redemptions),
      rollbacks: Number(r.rollbacks),
      partialRefunds: Number(r.partial_refunds),
      redeemed,
      redemptionRate: issued > 0 ? Math.round((redeemed / issued) * 10_000) / 10_000 : null,
      discountGivenMinor: r.discount,
      discountRefundedMinor: r.discount_refunded,
      gmvMinor: r.gmv,
      orders: Number(r.orders),
      budgetCount: t.budgetCount,
      budgetMoneyMinor: t.budgetMoneyMinor,
    };
  }
}

/** Terms that only make sense together; 400 naming the field otherwise (class-validator checked each alone). */
export function checkTerms(t: Partial<CouponTemplate>): void {
  const errors: FieldError[] = [];
  if (t.kind === 'fixed_amount') {
    if (t.amountOffMinor === null || t.amountOffMinor === undefined)
      errors.push({ field: 'amountOffMinor', message: 'a fixed_amount coupon needs amountOffMinor' });
    if (t.percentOff !== null && t.percentOff !== undefined)
      errors.push({ field: 'percentOff', message: 'only a percentage coupon has percentOff' });
    if (t.maxDiscountMinor !== null && t.maxDiscountMinor !== undefined)
      errors.push({ field: 'maxDiscountMinor', message: 'a fixed_amount coupon has no cap' });
  } else {
    if (t.amountOffMinor !== null && t.amountOffMinor !== undefined)
      errors.push({ field: 'amountOffMinor', message: 'only a fixed_amount coupon has amountOffMinor' });
    if (t.kind === 'percentage' && (t.percentOff === null || t.percentOff === undefined))
      errors.push({ field: 'percentOff', message: 'a percentage coupon needs percentOff (1–100)' });
    if (t.kind === 'free_shipping' && t.percentOff !== null && t.percentOff !== undefined)
      errors.push({ field: 'percentOff', message: 'only a percentage coupon has percentOff' });
  }
  if (t.validFrom && t.validUntil && t.validUntil <= t.validFrom)
    errors.push({ field: 'validUntil', message: 'must be after validFrom' });
  if (errors.length > 0) throw new ValidationException(errors);
}
