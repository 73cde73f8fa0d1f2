import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AuditService } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { randomCodes } from './coupon-codes';
import { IssueRefusal, IssueSource } from './coupons.constants';
import { CouponException } from './coupons.errors';
import { CouponsRepository, UUID_RE } from './coupons.repository';
import { CouponTemplate } from './entities/coupon-template.entity';

/** The sources other libs issue from (`bulk` is the codes batch's own). */
export type CouponIssueSource = Exclude<IssueSource, 'bulk'>;

export interface CouponIssueRequest {
  brandId: string;
  templateId: string;
  memberId: string;
  source: CouponIssueSource;
  /** With template, source and member: the idempotency key (a campaign's delivery, a draw entry…). */
  sourceRef: string;
}

export type CouponIssueResult =
  | { ok: true; couponId: string; code: string; validUntil: Date | null; existing: boolean }
  | { ok: false; reason: IssueRefusal };

interface Item {
  memberId: string;
  sourceRef: string;
}

interface Inserted {
  id: string;
  code: string;
  member_id: string;
  source_ref: string;
  valid_until: Date | null;
}

const CODE_ROUNDS = 8;
const keyOf = (memberId: string, sourceRef: string) => `${memberId}\u0000${sourceRef}`;

/** The coupon's own end: the template's end, or N days from now (never past the template's end). */
export const COUPON_VALID_UNTIL_SQL = `CASE WHEN t.valid_days IS NULL THEN t.valid_until
  ELSE LEAST(COALESCE(t.valid_until, 'infinity'::timestamptz), now() + make_interval(days => t.valid_days)) END`;

/**
 * Issuing personal coupons, in the caller's transaction, to one member or to many at once.
 *
 * Order of work (the same for one member or ten thousand): the codes are inserted first
 * (`ON CONFLICT DO NOTHING`), so the unique issue key makes a concurrent retry of the same issue
 * wait for the first and then find its coupon; then the per-member limit moves by an upsert that
 * only increments below the limit; then the count budget by one conditional UPDATE that grants at
 * most what is left. Whatever a limit refused is deleted again before the transaction ends.
 */
@Injectable()
export class CouponIssuingService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly repo: CouponsRepository,
    private readonly audit: AuditService,
  ) {}

  /** One coupon for one member, idempotent per (template, source, sourceRef, member). */
  async issueInTransaction(manager: EntityManager, req: CouponIssueRequest): Promise<CouponIssueResult> {
    const [r] = await this.issueMany(manager, {
      brandId: req.brandId,
      templateId: req.templateId,
      source: req.source,
      items: [{ memberId: req.memberId, sourceRef: req.sourceRef }],
    });
    return r;
  }

  /** The ids that cannot be issued from (unknown to the brand, or ended), with the reason. */
  async checkTemplates(brandId: string, ids: string[]): Promise<Array<{ id: string; reason: string }>> {
    const valid = ids.filter((id) => UUID_RE.test(id));
    const rows: Array<{ id: string; status: string; ended: boolean }> = valid.length
      ? await this.ds.query(
          `SELECT id, status, (valid_until IS NOT NULL AND valid_until <= now()) AS ended
             FROM coupon_templates WHERE brand_id = $1 AND id = ANY($2::uuid[])`,
          [brandId, valid],
        )
      : [];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const out: Array<{ id: string; reason: string }> = [];
    for (const id of ids) {
      const r = byId.get(id.toLowerCase());
      if (!r) out.push({ id, reason: 'no such coupon template' });
      else if (r.status === 'ended' || r.ended) out.push({ id, reason: 'the coupon template has ended' });
    }
    return out;
  }

  /** POST /v1/coupon-templates/:id/issue: one member, in a transaction of its own, audited. */
  async issueByOperator(
    actor: Actor,
    templateId: string,
    dto: { memberId: string; sourceRef?: string; source?: 'manual' | 'partner' | 'live' },
  ): Promise<{ couponId: string; code: string; validUntil: Date | null; existing: boolean }> {
    await this.repo.templateOrThrow(actor.brandId, templateId);
    const source = dto.source ?? 'manual';
    const sourceRef = dto.sourceRef ?? `${actor.requestId ?? 'op'}-${Date.now()}-${Math.random()}`;
    return this.ds.transaction(async (m) => {
      const r = await this.issueInTransaction(m, {
        brandId: actor.brandId,
        templateId,
        memberId: dto.memberId,
        source,
        sourceRef,
      });
      if (!r.ok) throw CouponException.notIssued(r.reason, refusalText(r.reason));
      if (!r.existing)
        await this.audit.record(m, actor, {
          action: 'coupon.issued',
          entityType: 'coupon',
          entityId: r.couponId,
          after: { templateId, memberId: dto.memberId, source, sourceRef },
        });
      return { couponId: r.couponId, code: r.code, validUntil: r.validUntil, existing: r.existing };
    });
  }

  /** Many members (a campaign's batch of recipients, a tier run); results in the order of `items`. */
  async issueMany(
    m: EntityManager,
    req: { brandId: string; templateId: string; source: IssueSource; items: Item[] },
  ): Promise<CouponIssueResult[]> {
    const results = new Array<CouponIssueResult>(req.items.length);
    const refuseAll = (reason: IssueRefusal) => results.fill({ ok: false, reason });
    const t = await this.repo.template(req.brandId, req.templateId, m);
    if (!t) return refuseAll('template_not_found');
    const refusal = templateRefusal(t);
    if (refusal) return refuseAll(refusal);

    const ids = [...new Set(req.items.map((i) => i.memberId).filter((id) => UUID_RE.test(id)))];
    const known: Array<{ id: string }> = ids.length
      ? await m.query(
          `SELECT id FROM members WHERE brand_id = $1 AND id = ANY($2::uuid[]) AND merged_into IS NULL AND erased_at IS NULL`,
          [req.brandId, ids],
        )
      : [];
    const members = new Set(known.map((r) => r.id));

    // Each distinct key once; a member with several keys in one call goes round by round.
    const byKey = new Map<string, number[]>();
    req.items.forEach((it, i) => {
      if (!members.has(it.memberId.toLowerCase())) {
        results[i] = { ok: false, reason: 'member_not_found' };
        return;
      }
      const k = keyOf(it.memberId.toLowerCase(), it.sourceRef);
      byKey.set(k, [...(byKey.get(k) ?? []), i]);
    });
    let pending = [...byKey.keys()].map((k) => {
      const [memberId, sourceRef] = k.split('\u0000');
      return { memberId, sourceRef };
    });
    const done = new Map<string, CouponIssueResult>();
    while (pending.length > 0) {
      const seen = new Set<string>();
      const round: Item[] = [];
      const later: Item[] = [];
      for (const it of pending) {
        if (seen.has(it.memberId)) later.push(it);
        else round.push(it);
        seen.add(it.memberId);
      }
      for (const [k, r] of await this.issueRound(m, t, req.source, round)) done.set(k, r);
      pending = later;
    }
    for (const [k, indexes] of byKey) for (const i of indexes) results[i] = done.get(k) as CouponIssueResult;
    return results;
  }

  /** Distinct members: insert their codes, then hold them to the limits. */
  private async issueRound(
    m: EntityManager,
    t: CouponTemplate,
    source: IssueSource,
    items: Item[],
  ): Promise<Map<string, CouponIssueResult>> {
    const out = new Map<string, CouponIssueResult>();
    const fresh: Inserted[] = [];
    let todo = items;
    for (let round = 0; todo.length > 0; round++) {
      if (round === CODE_ROUNDS) throw new Error(`could not draw unique codes for template ${t.id}`);
      const codes = randomCodes(t.codePrefix, t.codeLength, todo.length);
      const rows: Inserted[] = await m.query(
        `INSERT INTO coupons (brand_id, template_id, code, kind, member_id, max_redemptions, source, source_ref, valid_from, valid_until)
         SELECT t.brand_id, t.id, x.code, 'personal', x.member_id, 1, $2, x.source_ref, t.valid_from, ${COUPON_VALID_UNTIL_SQL}
           FROM coupon_templates t, unnest($3::text[], $4::uuid[], $5::text[]) AS x(code, member_id, source_ref)
          WHERE t.id = $1
         ON CONFLICT DO NOTHING
         RETURNING id, code, member_id::text AS member_id, source_ref, valid_until`,
        [t.id, source, codes, todo.map((i) => i.memberId), todo.map((i) => i.sourceRef)],
      );
      fresh.push(...rows);
      const got = new Set(rows.map((r) => keyOf(r.member_id, r.source_ref)));
      const missing = todo.filter((i) => !got.has(keyOf(i.memberId, i.sourceRef)));
      if (missing.length === 0) break;
      // Not inserted: issued before (the same key: idempotent), or its code was taken (draw again).
      const existing: Inserted[] = await m.query(
        `SELECT c.id, c.code, c.member_id::text AS member_id, c.source_ref, c.valid_until
           FROM coupons c JOIN unnest($3::uuid[], $4::text[]) AS x(member_id, source_ref)
             ON c.member_id = x.member_id AND c.source_ref = x.source_ref
          WHERE c.template_id = $1 AND c.source = $2`,
        [t.id, source, missing.map((i) => i.memberId), missing.map((i) => i.sourceRef)],
      );
      for (const e of existing)
        out.set(keyOf(e.member_id, e.source_ref), {
          ok: true,
          couponId: e.id,
          code: e.code,
          validUntil: e.valid_until,
          existing: true,
        });
      const known = new Set(existing.map((e) => keyOf(e.member_id, e.source_ref)));
      todo = missing.filter((i) => !known.has(keyOf(i.memberId, i.sourceRef)));
    }
    const refused = await this.settle(m, t, fresh);
    for (const r of fresh) {
      const k = keyOf(r.member_id, r.source_ref);
      const reason = refused.get(r.id);
      out.set(
        k,
        reason
          ? { ok: false, reason }
          : { ok: true, couponId: r.id, code: r.code, validUntil: r.valid_until, existing: false },
      );
    }
    return out;
  }

  /**
   * Holds freshly inserted personal coupons to the per-member limit and the count budget, in their
   * order; deletes the refused ones (and gives back their per-member counts). Returns id → reason.
   */
  async settle(
    m: EntityManager,
    t: CouponTemplate,
    fresh: Array<{ id: string; member_id: string | null }>,
  ): Promise<Map<string, IssueRefusal>> {
    const refused = new Map<string, IssueRefusal>();
    if (fresh.length === 0) return refused;
    let passed = fresh;
    const counted = new Set<string>();
    if (t.perMemberLimit !== null) {
      const bound = fresh.filter((f) => f.member_id !== null);
      const rows: Array<{ member_id: string }> = bound.length
        ? await m.query(
            `INSERT INTO coupon_member_counts AS c (template_id, member_id, brand_id, issued)
             SELECT $1, x, $2, 1 FROM unnest($3::uuid[]) AS x
             ON CONFLICT (template_id, member_id) DO UPDATE SET issued = c.issued + 1 WHERE c.issued < $4
             RETURNING member_id::text AS member_id`,
            [t.id, t.brandId, bound.map((f) => f.member_id), t.perMemberLimit],
          )
        : [];
      for (const r of rows) counted.add(r.member_id);
      passed = fresh.filter((f) => f.member_id === null || counted.has(f.member_id));
      for (const f of fresh)
        if (f.member_id !== null && !counted.has(f.member_id)) refused.set(f.id, 'member_limit');
    }
    if (passed.length > 0 && t.budgetCount === null) {
      // No count budget: nothing to count against, so no hot row. A share lock on the template keeps
      // a concurrent pause or end from committing under an issue in flight (it waits for it).
      const [row]: Array<{ status: string }> = await m.query(
        `SELECT status FROM coupon_templates WHERE id = $1 FOR SHARE`,
        [t.id],
      );
      if (row?.status !== 'active') for (const f of passed) refused.set(f.id, 'template_not_active');
    } else if (passed.length > 0) {
      const [rows]: [Array<{ granted: number; status: string }>, number] = await m.query(
        `UPDATE coupon_templates t
            SET issued_count = t.issued_count + LEAST($2::int, COALESCE(o.budget_count - o.issued_count, $2::int))
           FROM (SELECT id, issued_count, budget_count FROM coupon_templates WHERE id = $1 FOR NO KEY UPDATE) o
          WHERE t.id = o.id AND t.status = 'active'
          RETURNING LEAST($2::int, COALESCE(o.budget_count - o.issued_count, $2::int)) AS granted`,
        [t.id, passed.length],
      );
      const granted = rows[0]?.granted ?? 0;
      const reason: IssueRefusal = rows[0] ? 'budget_exhausted' : 'template_not_active';
      for (const f of passed.slice(granted)) refused.set(f.id, reason);
    }
    if (refused.size > 0 && t.perMemberLimit !== null) {
      const giveBack = passed
        .filter((f) => refused.has(f.id))
        .filter((f) => f.member_id !== null && counted.has(f.member_id))
        .map((f) => f.member_id);
      if (giveBack.length > 0)
        await m.query(
          `UPDATE coupon_member_counts SET issued = issued - 1 WHERE template_id = $1 AND member_id = ANY($2::uuid[])`,
          [t.id, giveBack],
        );
    }
    if (refused.size > 0)
      await m.query(`DELETE FROM coupons WHERE id = ANY($1::uuid[])`, [[...refused.keys()]]);
    return refused;
  }
}

/** Why a template issues nothing now, or null. */
export function templateRefusal(t: CouponTemplate, now = new Date()): IssueRefusal | null {
  if (t.status === 'ended' || (t.validUntil && t.validUntil <= now)) return 'template_ended';
  if (t.status !== 'active') return 'template_not_active';
  return null;
}

export function refusalText(reason: IssueRefusal): string {
  switch (reason) {
    case 'template_not_found':
      return 'the coupon template was not found';
    case 'template_not_active':
      return 'the coupon template is not active (draft or paused)';
    case 'template_ended':
      return 'the coupon template has ended';
    case 'member_not_found':
      return 'the member was not found (or was merged or erased)';
    case 'member_limit':
      return 'the member already holds as many coupons of this template as its per-member limit allows';
    case 'budget_exhausted':
      return "the template's count budget is used up";
  }
}
