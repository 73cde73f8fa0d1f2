import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CouponException } from './coupons.errors';
import { CouponTemplate } from './entities/coupon-template.entity';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads of templates and codes; every method takes the brand first. */
@Injectable()
export class CouponsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async template(
    brandId: string,
    id: string,
    m: EntityManager = this.ds.manager,
  ): Promise<CouponTemplate | null> {
    if (!UUID_RE.test(id)) return null;
    return m.getRepository(CouponTemplate).findOneBy({ brandId, id });
  }

  async templateOrThrow(brandId: string, id: string, m?: EntityManager): Promise<CouponTemplate> {
    const t = await this.template(brandId, id, m);
    if (!t) throw CouponException.templateNotFound(id);
    return t;
  }

  /** Locks the template row (a status change, an edit of its terms). */
  async lockTemplate(m: EntityManager, brandId: string, id: string): Promise<CouponTemplate> {
    const t = await m
      .getRepository(CouponTemplate)
      .createQueryBuilder('t')
      .setLock('for_no_key_update')
      .where('t.brand_id = :brandId AND t.id = :id', { brandId, id })
      .getOne();
    if (!t) throw CouponException.templateNotFound(id);
    return t;
  }

  /** A brand's coupons, newest first by id (keyset), filtered by member or template. */
  async listCoupons(
    brandId: string,
    q: { memberId?: string; templateId?: string; limit: number; cursor?: string },
  ): Promise<{ items: Array<Record<string, unknown>>; nextCursor: string | null }> {
    const params: unknown[] = [brandId, q.limit + 1];
    const where = ['c.brand_id = $1'];
    if (q.memberId) where.push(`c.member_id = $${params.push(q.memberId)}`);
    if (q.templateId) where.push(`c.template_id = $${params.push(q.templateId)}`);
    if (q.cursor && UUID_RE.test(q.cursor)) where.push(`c.id < $${params.push(q.cursor)}`);
    const rows: Array<Record<string, unknown>> = await this.ds.query(
      `SELECT c.id, c.template_id, c.code, c.kind, c.member_id, c.status, c.max_redemptions, c.redemptions,
              c.source, c.source_ref, c.valid_from, c.valid_until, c.issued_at
         FROM coupons c WHERE ${where.join(' AND ')} ORDER BY c.id DESC LIMIT $2`,
      params,
    );
    const more = rows.length > q.limit;
    const items = rows.slice(0, q.limit);
    return { items, nextCursor: more ? String(items[items.length - 1].id) : null };
  }

  /** How many codes the template's prefix and length already use (for the feasibility check). */
  async codesOfShape(
    brandId: string,
    prefix: string,
    length: number,
    m: EntityManager = this.ds.manager,
  ): Promise<number> {
    const [row]: Array<{ n: number }> = await m.query(
      `SELECT count(*)::int AS n FROM coupons c JOIN coupon_templates t ON t.id = c.template_id
        WHERE t.brand_id = $1 AND t.code_prefix = $2 AND t.code_length = $3 AND c.kind <> 'shared'`,
      [brandId, prefix, length],
    );
    return row.n;
  }
}
