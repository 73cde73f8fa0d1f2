import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AppConfig, AuditService, describeConstraint, ValidationException } from '@siyu/platform';
import { DataSource, EntityManager } from 'typeorm';
import { ChannelErrorCode, ChannelException } from '../channel-errors';
import { OaCredentials } from '../oa/oa-client';
import { RateLimit } from '../rate-limit/channel-rate-limiter';
import { ChannelSecrets, maskSecret } from '../secrets/secret-box';
import { WecomCredentials } from '../wecom/wecom-client';
import { OaAppCreateDto } from './dto/oa-app-create.dto';
import { OaAppView } from './dto/oa-app-response.dto';
import { OaAppUpdateDto } from './dto/oa-app-update.dto';
import { WecomAccountPutDto } from './dto/wecom-account-put.dto';
import { WecomAccountView } from './dto/wecom-account-response.dto';
import { OaApp } from './entities/oa-app.entity';
import { WecomAccount } from './entities/wecom-account.entity';

/** What the callback endpoint needs to verify and decrypt a brand's callbacks. */
export interface WecomCallbackSecrets {
  corpId: string;
  token: string;
  encodingAesKey: string;
}

/** A WeCom corp ready to call: decrypted credentials and its send limit. */
export interface WecomAccountAccess {
  credentials: WecomCredentials;
  limit: RateLimit;
}

export interface OaAppAccess {
  id: string;
  credentials: OaCredentials;
  templateIds: string[];
  limit: RateLimit;
}

const WECOM_FIELDS = ['contactSecret', 'callbackToken', 'encodingAesKey'] as const;
type WecomSecretField = (typeof WECOM_FIELDS)[number];
const WECOM_COLUMN: Record<
  WecomSecretField,
  'contactSecretSealed' | 'callbackTokenSealed' | 'encodingAesKeySealed'
> = {
  contactSecret: 'contactSecretSealed',
  callbackToken: 'callbackTokenSealed',
  encodingAesKey: 'encodingAesKeySealed',
};

export const callbackPath = (brandId: string) => `/v1/channels/wecom/callback/${brandId}`;

/**
 * Channel accounts per brand: the WeCom corp and the Official Account apps. Secrets are sealed
 * (AES-256-GCM, bound to brand and field) before they reach Postgres, shown masked, and every
 * change is audited with masked values and the names of the secrets that changed.
 */
@Injectable()
export class ChannelAccountsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly audit: AuditService,
    private readonly secrets: ChannelSecrets,
    private readonly config: AppConfig,
  ) {}

  // ---- WeCom corp ----

  private wecomContext(brandId: string, field: WecomSecretField): string {
    return `channel_wecom_accounts:${brandId}:${field}`;
  }

  private open(sealed: string, context: string): string {
    try {
      return this.secrets.open(sealed, context);
    } catch {
      throw ChannelException.secretsUnreadable();
    }
  }

  private findWecom(
    brandId: string,
    m: EntityManager = this.ds.manager,
    lock = false,
  ): Promise<WecomAccount | null> {
    return m.getRepository(WecomAccount).findOne({
      where: { brandId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
  }

  private wecomView(a: WecomAccount): WecomAccountView {
    const reveal = (f: WecomSecretField) => this.open(a[WECOM_COLUMN[f]], this.wecomContext(a.brandId, f));
    return {
      corpId: a.corpId,
      agentId: a.agentId,
      contactSecret: maskSecret(reveal('contactSecret')),
      callbackToken: maskSecret(reveal('callbackToken')),
      encodingAesKey: maskSecret(reveal('encodingAesKey')),
      sendsPerSecond: a.sendsPerSecond,
      callbackPath: callbackPath(a.brandId),
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }

  async getWecom(brandId: string): Promise<WecomAccountView> {
    const a = await this.findWecom(brandId);
    if (!a) throw ChannelException.wecomAccountNotFound();
    return this.wecomView(a);
  }

  /** Creates or replaces the brand's corp. Secrets are required the first time, optional after. */
  async putWecom(actor: Actor, dto: WecomAccountPutDto): Promise<WecomAccountView> {
    return this.ds.transaction(async (m) => {
      const before = await this.findWecom(actor.brandId, m, true);
      if (!before) {
        const missing = WECOM_FIELDS.filter((f) => !dto[f]);
        if (missing.length > 0)
          throw new ValidationException(
            missing.map((f) => ({ field: f, message: `${f} is required when the corp is first set` })),
          );
      }
      const changed = WECOM_FIELDS.filter((f) => dto[f] !== undefined);
      const row: Partial<WecomAccount> = {
        brandId: actor.brandId,
        corpId: dto.corpId,
        agentId: dto.agentId !== undefined ? dto.agentId : (before?.agentId ?? null),
        sendsPerSecond:
          dto.sendsPerSecond !== undefined ? dto.sendsPerSecond : (before?.sendsPerSecond ?? null),
      };
      for (const f of WECOM_FIELDS) {
        const value = dto[f];
        row[WECOM_COLUMN[f]] =
          value !== undefined
            ? this.secrets.seal(value, this.wecomContext(actor.brandId, f))
            : before?.[WECOM_COLUMN[f]];
      }
      const repo = m.getRepository(WecomAccount);
      const saved = before ? await repo.save(repo.merge(before, row)) : await repo.save(repo.create(row));
      const after = this.wecomView(saved);
      await this.audit.record(m, actor, {
        action: before ? 'channel.wecom.update' : 'channel.wecom.create',
        entityType: 'channel_wecom_account',
        entityId: saved.id,
        before: before ? this.wecomAudit(this.wecomView(before)) : null,
        after: { ...this.wecomAudit(after), secretsChanged: changed },
      });
      return after;
    });
  }

  private wecomAudit(v: WecomAccountView): Record<string, unknown> {
    return {
      corpId: v.corpId,
      agentId: v.agentId,
      sendsPerSecond: v.sendsPerSecond,
      contactSecretMasked: v.contactSecret,
      callbackTokenMasked: v.callbackToken,
      encodingAesKeyMasked: v.encodingAesKey,
    };
  }

  /** The corp's decrypted credentials and send limit, for the adapters and other libs' sync jobs. */
  async wecomAccess(brandId: string): Promise<WecomAccountAccess> {
    const a = await this.findWecom(brandId);
    if (!a) throw ChannelException.wecomAccountNotFound();
    return {
      credentials: {
        corpId: a.corpId,
        secret: this.open(a.contactSecretSealed, this.wecomContext(brandId, 'contactSecret')),
      },
      limit: {
        points: a.sendsPerSecond ?? this.config.get('CHANNEL_WECOM_CALLS_PER_SECOND'),
        durationSeconds: 1,
      },
    };
  }

  /** The callback Token, EncodingAESKey and CorpID; null when the brand has no corp. */
  async wecomCallbackSecrets(brandId: string): Promise<WecomCallbackSecrets | null> {
    const a = await this.findWecom(brandId);
    if (!a) return null;
    return {
      corpId: a.corpId,
      token: this.open(a.callbackTokenSealed, this.wecomContext(brandId, 'callbackToken')),
      encodingAesKey: this.open(a.encodingAesKeySealed, this.wecomContext(brandId, 'encodingAesKey')),
    };
  }

  // ---- Official Account apps ----

  private oaContext(brandId: string, id: string): string {
    return `channel_oa_apps:${brandId}:${id}:secret`;
  }

  private oaView(a: OaApp): OaAppView {
    return {
      id: a.id,
      name: a.name,
      appId: a.appId,
      secret: maskSecret(this.open(a.secretSealed, this.oaContext(a.brandId, a.id))),
      templateIds: a.templateIds,
      sendsPerSecond: a.sendsPerSecond,
      createdAt: a.createdAt,
      updatedAt: a.updatedAt,
    };
  }

  private oaAudit(v: OaAppView): Record<string, unknown> {
    const { secret, createdAt: _c, updatedAt: _u, ...rest } = v;
    return { ...rest, secretMasked: secret };
  }

  private async findOa(
    brandId: string,
    id: string,
    m: EntityManager = this.ds.manager,
    lock = false,
  ): Promise<OaApp> {
    const a = await m.getRepository(OaApp).findOne({
      where: { brandId, id },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!a) throw ChannelException.oaAppNotFound(id);
    return a;
  }

  async listOaApps(brandId: string): Promise<OaAppView[]> {
    const rows = await this.ds
      .getRepository(OaApp)
      .find({ where: { brandId }, order: { name: 'ASC', id: 'ASC' } });
    return rows.map((r) => this.oaView(r));
  }

  async getOaApp(brandId: string, id: string): Promise<OaAppView> {
    return this.oaView(await this.findOa(brandId, id));
  }

  async createOaApp(actor: Actor, dto: OaAppCreateDto): Promise<OaAppView> {
    return this.ds.transaction(async (m) => {
      const repo = m.getRepository(OaApp);
      // The id is part of the secret's sealing context, so it is chosen before the insert.
      const [{ id }] = (await m.query('SELECT gen_random_uuid() AS id')) as Array<{ id: string }>;
      const saved = await repo.save(
        repo.create({
          id,
          brandId: actor.brandId,
          name: dto.name.trim(),
          appId: dto.appId,
          secretSealed: this.secrets.seal(dto.secret, this.oaContext(actor.brandId, id)),
          templateIds: dto.templateIds ?? [],
          sendsPerSecond: dto.sendsPerSecond ?? null,
        }),
      );
      const view = this.oaView(saved);
      await this.audit.record(m, actor, {
        action: 'channel.oa_app.create',
        entityType: 'channel_oa_app',
        entityId: id,
        after: this.oaAudit(view),
      });
      return view;
    });
  }

  async updateOaApp(actor: Actor, id: string, dto: OaAppUpdateDto): Promise<OaAppView> {
    return this.ds.transaction(async (m) => {
      const before = await this.findOa(actor.brandId, id, m, true);
      const beforeView = this.oaView(before);
      const repo = m.getRepository(OaApp);
      const saved = await repo.save(
        repo.merge(before, {
          ...(dto.name !== undefined ? { name: dto.name.trim() } : {}),
          ...(dto.appId !== undefined ? { appId: dto.appId } : {}),
          ...(dto.templateIds !== undefined ? { templateIds: dto.templateIds } : {}),
          ...(dto.sendsPerSecond !== undefined ? { sendsPerSecond: dto.sendsPerSecond } : {}),
          ...(dto.secret !== undefined
            ? { secretSealed: this.secrets.seal(dto.secret, this.oaContext(actor.brandId, id)) }
            : {}),
        }),
      );
      const after = this.oaView(saved);
      await this.audit.record(m, actor, {
        action: 'channel.oa_app.update',
        entityType: 'channel_oa_app',
        entityId: id,
        before: this.oaAudit(beforeView),
        after: { ...this.oaAudit(after), secretsChanged: dto.secret !== undefined ? ['secret'] : [] },
      });
      return after;
    });
  }

  async deleteOaApp(actor: Actor, id: string): Promise<OaAppView> {
    return this.ds.transaction(async (m) => {
      const before = this.oaView(await this.findOa(actor.brandId, id, m, true));
      await m.getRepository(OaApp).delete({ brandId: actor.brandId, id });
      await this.audit.record(m, actor, {
        action: 'channel.oa_app.delete',
        entityType: 'channel_oa_app',
        entityId: id,
        before: this.oaAudit(before),
      });
      return before;
    });
  }

  /** An app's decrypted credentials and send limit (the OA adapter's input). */
  async oaAccess(brandId: string, id: string): Promise<OaAppAccess> {
    const a = await this.findOa(brandId, id);
    return {
      id: a.id,
      credentials: { appId: a.appId, secret: this.open(a.secretSealed, this.oaContext(brandId, a.id)) },
      templateIds: a.templateIds,
      limit: {
        points: a.sendsPerSecond ?? this.config.get('CHANNEL_OA_SENDS_PER_SECOND'),
        durationSeconds: 1,
      },
    };
  }
}

describeConstraint(
  'channel_oa_apps_brand_app_key',
  ChannelErrorCode.OaAppTaken,
  'This brand already has an Official Account app with this appId',
  'appId',
);
