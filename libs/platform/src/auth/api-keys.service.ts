import { randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { NotFoundException } from '../errors/domain.exception';
import { decodeCursor, Page, toPage } from '../http/pagination';
import { AuthException } from './auth.errors';
import { sha256 } from './auth.service';
import { ApiKeyCreateDto, ApiKeyResponseDto } from './dto/api-key.dto';
import { ApiKey } from './entities/api-key.entity';
import { Actor, Principal } from './principal';

const KEY_FORMAT = /^sk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export const looksLikeApiKey = (s: string) => s.startsWith('sk_');

@Injectable()
export class ApiKeysService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, dto: ApiKeyCreateDto): Promise<{ key: ApiKey; secret: string }> {
    const prefix = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    return this.ds.transaction(async (m) => {
      const key = await m.save(
        m.create(ApiKey, {
          brandId: actor.brandId,
          name: dto.name,
          role: dto.role,
          prefix,
          secretHash: sha256(secret),
          createdBy: actor.actorId,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'api_key.create',
        entityType: 'api_key',
        entityId: key.id,
        after: ApiKeyResponseDto.from(key),
      });
      return { key, secret: `sk_${prefix}_${secret}` };
    });
  }

  async list(brandId: string, limit: number, cursor?: string): Promise<Page<ApiKey>> {
    const after = decodeCursor(cursor, 2) as [string, string] | null;
    const qb = this.ds
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .where('k.brand_id = :brandId', { brandId })
      .orderBy('k.created_at', 'DESC')
      .addOrderBy('k.id', 'DESC')
      .limit(limit + 1);
    if (after) qb.andWhere('(k.created_at, k.id) < (:at, :id)', { at: after[0], id: after[1] });
    const rows = await qb.getMany();
    return toPage(
      rows,
      limit,
      (k) => [k.createdAt.toISOString(), k.id],
      (k) => k,
    );
  }

  async get(brandId: string, id: string): Promise<ApiKey> {
    const key = await this.ds.getRepository(ApiKey).findOneBy({ brandId, id });
    if (!key) throw new NotFoundException('api key', id);
    return key;
  }

  async revoke(actor: Actor, id: string): Promise<ApiKey> {
    return this.ds.transaction(async (m) => {
      const before = await m.findOneBy(ApiKey, { brandId: actor.brandId, id });
      if (!before) throw new NotFoundException('api key', id);
      if (!before.revokedAt) {
        await m.update(ApiKey, { id, revokedAt: IsNull() }, { revokedAt: new Date() });
      }
      const after = (await m.findOneBy(ApiKey, { id })) as ApiKey;
      await this.audit.record(m, actor, {
        action: 'api_key.revoke',
        entityType: 'api_key',
        entityId: id,
        before: ApiKeyResponseDto.from(before),
        after: ApiKeyResponseDto.from(after),
      });
      return after;
    });
  }

  async verify(presented: string): Promise<Principal> {
    const match = KEY_FORMAT.exec(presented);
    if (!match) throw AuthException.apiKeyInvalid();
    const [, prefix, secret] = match;
    const key = await this.ds.getRepository(ApiKey).findOneBy({ prefix });
    const expected = Buffer.from(key?.secretHash ?? '0'.repeat(64), 'hex');
    const given = Buffer.from(sha256(secret), 'hex');
    if (!key || key.revokedAt || !timingSafeEqual(expected, given)) throw AuthException.apiKeyInvalid();
    void this.ds
      .query(
        `UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
        [key.id],
      )
      .catch(() => undefined);
    return { kind: 'api_key', id: key.id, brandId: key.brandId, role: key.role };
  }
}
