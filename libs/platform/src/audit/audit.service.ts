import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Actor } from '../auth/principal';
import { decodeCursor, Page, toPage } from '../http/pagination';
import { AuditEntry } from './entities/audit-entry.entity';

export interface AuditChange {
  action: string;
  entityType: string;
  entityId: string;
  before?: object | null;
  after?: object | null;
}

export interface AuditFilter {
  action?: string;
  entityType?: string;
  entityId?: string;
  actorId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}

const SECRET_KEYS = new Set(['password', 'passwordHash', 'secret', 'secretHash', 'token', 'tokenHash']);

function scrub(value: object | null | undefined): Record<string, unknown> | null {
  if (!value) return null;
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (SECRET_KEYS.has(k) ? undefined : v))) as Record<
    string,
    unknown
  >;
}

/** Invariant 9: every change is recorded in the same transaction that makes it. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async record(manager: EntityManager, actor: Actor, change: AuditChange): Promise<void> {
    await manager.insert(AuditEntry, {
      brandId: actor.brandId,
      actorType: actor.actorType,
      actorId: actor.actorId,
      requestId: actor.requestId,
      action: change.action,
      entityType: change.entityType,
      entityId: change.entityId,
      before: scrub(change.before) as never,
      after: scrub(change.after) as never,
    });
  }

  async list(brandId: string, f: AuditFilter): Promise<Page<AuditEntry>> {
    const [afterId] = (decodeCursor(f.cursor, 1) ?? []) as string[];
    const qb = this.ds
      .getRepository(AuditEntry)
      .createQueryBuilder('a')
      .where('a.brand_id = :brandId', { brandId })
      .orderBy('a.id', 'DESC')
      .limit(f.limit + 1);
    if (afterId) qb.andWhere('a.id < :afterId', { afterId });
    if (f.action) qb.andWhere('a.action = :action', { action: f.action });
    if (f.entityType) qb.andWhere('a.entity_type = :entityType', { entityType: f.entityType });
    if (f.entityId) qb.andWhere('a.entity_id = :entityId', { entityId: f.entityId });
    if (f.actorId) qb.andWhere('a.actor_id = :actorId', { actorId: f.actorId });
    if (f.from) qb.andWhere('a.created_at >= :from', { from: f.from });
    if (f.to) qb.andWhere('a.created_at < :to', { to: f.to });
    const rows = await qb.getMany();
    return toPage(
      rows,
      f.limit,
      (r) => [r.id],
      (r) => r,
    );
  }
}
