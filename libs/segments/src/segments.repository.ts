import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { decodeCursor, NotFoundException, Page, toPage, ValidationException } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Segment } from './entities/segment.entity';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A keyset cursor that must hold one UUID (a member id). */
export function uuidCursor(cursor: string | undefined): string | null {
  const after = decodeCursor(cursor, 1) as [string] | null;
  if (after && !UUID_RE.test(String(after[0])))
    throw new ValidationException([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
  return after ? after[0] : null;
}

/** Saved segments; every method takes the brand id, so an unscoped read cannot be written. */
@Injectable()
export class SegmentsRepository {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private repo(m?: EntityManager) {
    return (m ?? this.ds.manager).getRepository(Segment);
  }

  /** The brand's segment, or 404 SEGMENT_NOT_FOUND (another brand's id included). */
  async get(brandId: string, id: string, m?: EntityManager, lock = false): Promise<Segment> {
    const found = UUID_RE.test(id)
      ? await this.repo(m).findOne({
          where: { brandId, id },
          ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
        })
      : null;
    if (!found) throw new NotFoundException('segment', id);
    return found;
  }

  /** By name, keyset-paginated. */
  async list(brandId: string, limit: number, cursor?: string): Promise<Page<Segment>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    if (after && !UUID_RE.test(String(after[1])))
      throw new ValidationException([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
    const qb = this.repo()
      .createQueryBuilder('s')
      .where('s.brand_id = :brandId', { brandId })
      .orderBy('s.name', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .take(limit + 1);
    if (after) qb.andWhere('(s.name, s.id) > (:name, :id)', { name: after[0], id: after[1] });
    const rows = await qb.getMany();
    return toPage(
      rows,
      limit,
      (s) => [s.name, s.id],
      (s) => s,
    );
  }

  async ids(brandId: string, m?: EntityManager): Promise<string[]> {
    const rows = await this.repo(m).find({ where: { brandId }, select: { id: true }, order: { id: 'ASC' } });
    return rows.map((r) => r.id);
  }

  async insert(
    m: EntityManager,
    brandId: string,
    v: Pick<Segment, 'name' | 'description' | 'rule' | 'includeErased' | 'memberCount' | 'countedAt'>,
  ): Promise<Segment> {
    const row = this.repo(m).create({ brandId, ...v });
    return this.repo(m).save(row);
  }

  async update(
    m: EntityManager,
    brandId: string,
    id: string,
    v: Partial<
      Pick<Segment, 'name' | 'description' | 'rule' | 'includeErased' | 'memberCount' | 'countedAt'>
    >,
  ): Promise<void> {
    const { rule, ...columns } = v;
    // A JSON column: TypeORM's deep-partial type cannot follow the rule's recursive union.
    const json = rule === undefined ? {} : { rule: rule as QueryDeepPartialEntity<Segment>['rule'] };
    await this.repo(m).update({ brandId, id }, { ...columns, ...json });
  }

  async delete(m: EntityManager, brandId: string, id: string): Promise<void> {
    await this.repo(m).delete({ brandId, id });
  }
}
