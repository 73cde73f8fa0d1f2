import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  Actor,
  AuditService,
  newestFirstPage,
  newestFirstQuery,
  NotFoundException,
  Page,
} from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { OrderSourceCreateDto, OrderSourceResponseDto } from '../dto/order-source.dto';
import { OrderSource, OrderSourceKind } from '../entities/order-source.entity';
import { IngestException } from '../ingest.errors';
import { generateSigningSecret, OrderSourceSecrets, secretContext } from './source-secrets';

/** Default `slug` (the orders' `source`) per kind. */
const DEFAULT_SLUG: Record<OrderSourceKind, string> = {
  generic: 'webhook',
  shopify: 'shopify',
  affiliate: 'aliexpress',
};

/** How long a rotated-out secret stays valid unless the operator says otherwise. */
export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;

export const webhookPath = (s: Pick<OrderSource, 'id' | 'kind'>): string | null =>
  s.kind === 'generic'
    ? `/v1/webhooks/orders/${s.id}`
    : s.kind === 'shopify'
      ? `/v1/webhooks/shopify/${s.id}`
      : null;

/** What a webhook needs to verify a delivery: the source and the secrets valid now. */
export interface SourceForWebhook {
  source: OrderSource;
  secrets: string[];
}

/**
 * Order sources per brand. A secret is generated here, shown once, sealed before it reaches
 * Postgres and never logged or audited (the audit keeps that it changed, not what it is).
 */
@Injectable()
export class OrderSourcesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly sealer: OrderSourceSecrets,
  ) {}

  async create(actor: Actor, dto: OrderSourceCreateDto): Promise<OrderSourceResponseDto> {
    const slug = dto.slug ?? DEFAULT_SLUG[dto.kind];
    const secret = dto.kind === 'affiliate' ? null : generateSigningSecret();
    return this.ds.transaction(async (m) => {
      const repo = m.getRepository(OrderSource);
      const [taken]: unknown[] = await m.query(
        `SELECT 1 FROM order_sources WHERE brand_id = $1 AND slug = $2`,
        [actor.brandId, slug],
      );
      if (taken) throw IngestException.slugTaken(slug);
      // The id is chosen here because the sealed secret is bound to it.
      const id = randomUUID();
      const secretSealed = secret
        ? this.sealer.seal(secret, secretContext(actor.brandId, id, 'current'))
        : null;
      const row = await repo.save(
        repo.create({ id, brandId: actor.brandId, kind: dto.kind, name: dto.name, slug, secretSealed }),
      );
      await this.audit.record(m, actor, {
        action: 'order_source.create',
        entityType: 'order_source',
        entityId: row.id,
        after: { kind: row.kind, name: row.name, slug: row.slug, secretIssued: secret !== null },
      });
      return { ...toResponse(row), ...(secret ? { secret } : {}) };
    });
  }

  /**
   * A new secret, shown once. The one it replaces keeps working for `graceSeconds` so the sender
   * can switch without losing deliveries; an earlier previous secret is dropped.
   */
  async rotate(
    actor: Actor,
    id: string,
    graceSeconds = DEFAULT_ROTATION_GRACE_SECONDS,
  ): Promise<OrderSourceResponseDto> {
    return this.ds.transaction(async (m) => {
      const row = await this.find(m, actor.brandId, id, true);
      if (row.kind === 'affiliate') throw IngestException.wrongKind(id, row.kind, 'generic or shopify');
      const secret = generateSigningSecret();
      const current = this.sealer.open(
        row.secretSealed as string,
        secretContext(row.brandId, row.id, 'current'),
      );
      const now = new Date();
      row.previousSecretSealed =
        graceSeconds > 0 ? this.sealer.seal(current, secretContext(row.brandId, row.id, 'previous')) : null;
      row.previousSecretExpiresAt = graceSeconds > 0 ? new Date(now.getTime() + graceSeconds * 1000) : null;
      row.secretSealed = this.sealer.seal(secret, secretContext(row.brandId, row.id, 'current'));
      row.secretRotatedAt = now;
      const saved = await m.getRepository(OrderSource).save(row);
      await this.audit.record(m, actor, {
        action: 'order_source.rotate_secret',
        entityType: 'order_source',
        entityId: row.id,
        after: { secretRotatedAt: now, previousSecretExpiresAt: row.previousSecretExpiresAt },
      });
      return { ...toResponse(saved), secret };
    });
  }

  /** Stops taking its deliveries and reports (they answer 401 and 409). Idempotent. */
  async disable(actor: Actor, id: string): Promise<OrderSourceResponseDto> {
    return this.ds.transaction(async (m) => {
      const row = await this.find(m, actor.brandId, id, true);
      if (row.disabledAt) return toResponse(row);
      row.disabledAt = new Date();
      const saved = await m.getRepository(OrderSource).save(row);
      await this.audit.record(m, actor, {
        action: 'order_source.disable',
        entityType: 'order_source',
        entityId: row.id,
        before: { status: 'active' },
        after: { status: 'disabled', disabledAt: saved.disabledAt },
      });
      return toResponse(saved);
    });
  }

  async get(brandId: string, id: string): Promise<OrderSourceResponseDto> {
    return toResponse(await this.find(this.ds.manager, brandId, id));
  }

  async list(brandId: string, q: { limit: number; cursor?: string }): Promise<Page<OrderSourceResponseDto>> {
    const page = await newestFirstPage(
      newestFirstQuery(this.ds.getRepository(OrderSource), 's', brandId, q),
      q.limit,
    );
    return { items: page.items.map(toResponse), nextCursor: page.nextCursor };
  }

  /** The brand's active source of a kind (affiliate imports, the JSON API). 404 / 409 / 422 otherwise. */
  async active(brandId: string, id: string, kind: OrderSourceKind): Promise<OrderSource> {
    const row = await this.find(this.ds.manager, brandId, id);
    if (row.kind !== kind) throw IngestException.wrongKind(id, row.kind, kind);
    if (row.disabledAt) throw IngestException.disabled(id);
    return row;
  }

  /**
   * For a webhook, by id alone (the route carries no brand): the active source of that kind and its
   * valid secrets, or null — the caller answers every null with the same 401.
   */
  async forWebhook(id: string, kind: OrderSourceKind, now = new Date()): Promise<SourceForWebhook | null> {
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return null;
    const source = await this.ds.getRepository(OrderSource).findOneBy({ id });
    if (!source || source.kind !== kind || source.disabledAt || !source.secretSealed) return null;
    const secrets = [
      this.sealer.open(source.secretSealed, secretContext(source.brandId, source.id, 'current')),
    ];
    if (source.previousSecretSealed && source.previousSecretExpiresAt && source.previousSecretExpiresAt > now)
      secrets.push(
        this.sealer.open(source.previousSecretSealed, secretContext(source.brandId, source.id, 'previous')),
      );
    return { source, secrets };
  }

  private async find(m: EntityManager, brandId: string, id: string, lock = false): Promise<OrderSource> {
    const row = await m.getRepository(OrderSource).findOne({
      where: { brandId, id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw new NotFoundException('order source', id);
    return row;
  }
}

function toResponse(s: OrderSource): OrderSourceResponseDto {
  return Object.assign(new OrderSourceResponseDto(), {
    id: s.id,
    kind: s.kind,
    name: s.name,
    slug: s.slug,
    status: s.disabledAt ? 'disabled' : 'active',
    webhookPath: webhookPath(s),
    previousSecretExpiresAt: s.previousSecretExpiresAt,
    secretRotatedAt: s.secretRotatedAt,
    disabledAt: s.disabledAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  });
}
