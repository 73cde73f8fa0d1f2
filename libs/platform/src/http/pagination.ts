import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { ValidationException } from '../errors/domain.exception';
import type { ObjectLiteral, Repository, SelectQueryBuilder } from 'typeorm';

/** `?limit=&cursor=` for keyset-paginated lists. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit = 50;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Cursors are base64url JSON of the last row's sort key; opaque to clients. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, arity: number): unknown[] | null {
  if (!cursor) return null;
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(key) &&
      key.length === arity &&
      key.every((k) => typeof k === 'string' || typeof k === 'number')
    )
      return key;
  } catch {
    // fall through
  }
  throw new ValidationException([{ field: 'cursor', message: 'cursor is not one this API issued' }]);
}

/** Builds a page from `limit + 1` fetched rows. */
export function toPage<R, T>(
  rows: R[],
  limit: number,
  key: (row: R) => unknown[],
  map: (row: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items: items.map(map), nextCursor: more ? encodeCursor(key(items[items.length - 1])) : null };
}

/** An entity listed newest first by `(created_at, id)`, its usual keyset. */
export interface CreatedRow {
  id: string;
  createdAt: Date;
}

/**
 * The brand's rows of an entity, newest first, from the cursor on (`limit + 1` of them): add
 * filters with `andWhere`, then read the page with `newestFirstPage`.
 */
export function newestFirstQuery<E extends ObjectLiteral & CreatedRow>(
  repo: Repository<E>,
  alias: string,
  brandId: string,
  q: { limit: number; cursor?: string },
): SelectQueryBuilder<E> {
  const [createdAt, afterId] = (decodeCursor(q.cursor, 2) ?? []) as string[];
  const qb = repo
    .createQueryBuilder(alias)
    .where(`${alias}.brand_id = :brandId`, { brandId })
    .orderBy(`${alias}.created_at`, 'DESC')
    .addOrderBy(`${alias}.id`, 'DESC')
    .limit(q.limit + 1);
  if (createdAt)
    qb.andWhere(`(${alias}.created_at, ${alias}.id) < (:createdAt, :afterId)`, { createdAt, afterId });
  return qb;
}

export async function newestFirstPage<E extends ObjectLiteral & CreatedRow>(
  qb: SelectQueryBuilder<E>,
  limit: number,
): Promise<Page<E>> {
  return toPage(
    await qb.getMany(),
    limit,
    (r) => [r.createdAt.toISOString(), r.id],
    (r) => r,
  );
}
