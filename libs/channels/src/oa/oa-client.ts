import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig, FieldError } from '@siyu/platform';
import { ChannelException, ChannelResult, Errcode, ok } from '../channel-errors';
import { AccessTokenCache } from '../http/access-token-cache';
import { CgiAccount, CgiClient, secretFingerprint } from '../http/cgi-client';
import { ChannelRateLimiter } from '../rate-limit/channel-rate-limiter';

export interface OaCredentials {
  appId: string;
  secret: string;
}

export type OaTemplateData = Record<string, { value: string; color?: string }>;

/** A template message (模板消息) to one follower. */
export interface OaTemplateMessage {
  kind: 'template';
  templateId: string;
  data: OaTemplateData;
  url?: string;
  miniprogram?: { appid: string; pagepath?: string };
}

/** A subscribe message (订阅通知) to one user who subscribed to the template. */
export interface OaSubscribeMessage {
  kind: 'subscribe';
  templateId: string;
  data: OaTemplateData;
  page?: string;
  miniprogramState?: 'developer' | 'trial' | 'formal';
  lang?: string;
}

export type OaMessage = OaTemplateMessage | OaSubscribeMessage;

/** WeChat caps client_msg_id at 64 characters; longer keys are hashed to fit. */
export function oaClientMsgId(key: string): string {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(key)
    ? key
    : createHash('sha256').update(key).digest('base64url').slice(0, 43);
}

export function validateOaMessage(message: OaMessage | undefined, path = 'message'): FieldError[] {
  const errors: FieldError[] = [];
  if (!message || (message.kind !== 'template' && message.kind !== 'subscribe'))
    return [{ field: `${path}.kind`, message: 'kind must be template or subscribe' }];
  if (typeof message.templateId !== 'string' || !message.templateId)
    errors.push({ field: `${path}.templateId`, message: 'templateId is required' });
  if (!message.data || typeof message.data !== 'object' || Array.isArray(message.data))
    errors.push({ field: `${path}.data`, message: 'data must be an object of { value } fields' });
  else
    for (const [k, v] of Object.entries(message.data)) {
      if (typeof v?.value !== 'string')
        errors.push({ field: `${path}.data.${k}.value`, message: 'value must be a string' });
    }
  if (message.kind === 'template' && message.url !== undefined && !/^https?:\/\/\S+$/.test(message.url))
    errors.push({ field: `${path}.url`, message: 'url must be an http(s) URL' });
  return errors;
}

/**
 * The WeChat Official Account server API (base URL from WECHAT_BASE_URL): access token from
 * /cgi-bin/token, template and subscribe messages, one recipient per call. 40001, 40014, 42001
 * and 42007 on a call mean a stale token: refreshed and retried once.
 */
@Injectable()
export class OaClient extends CgiClient {
  constructor(tokens: AccessTokenCache, limiter: ChannelRateLimiter, config: AppConfig) {
    super(
      {
        baseUrl: config.get('WECHAT_BASE_URL').replace(/\/+$/, ''),
        timeoutMs: config.get('CHANNEL_HTTP_TIMEOUT_MS'),
        rateLimitBackoffMs: config.get('CHANNEL_RATE_LIMIT_BACKOFF_MS'),
      },
      tokens,
      limiter,
      new Set([
        Errcode.INVALID_CREDENTIAL,
        Errcode.INVALID_ACCESS_TOKEN,
        Errcode.ACCESS_TOKEN_EXPIRED,
        Errcode.ACCESS_TOKEN_REFRESHED,
      ]),
    );
  }

  /** Accounts by app id and secret: built once, not per message (the secret's fingerprint is a hash). */
  private readonly accounts = new Map<string, CgiAccount>();

  static accountKey(appId: string): string {
    return `oa-${appId}`;
  }

  account(creds: OaCredentials): CgiAccount {
    const id = `${creds.appId}\u0000${creds.secret}`;
    let account = this.accounts.get(id);
    if (!account) {
      if (this.accounts.size >= 1_000) this.accounts.clear();
      account = this.newAccount(creds);
      this.accounts.set(id, account);
    }
    return account;
  }

  private newAccount(creds: OaCredentials): CgiAccount {
    return {
      accountKey: OaClient.accountKey(creds.appId),
      tokenSource: {
        key: `oa-${creds.appId}-${secretFingerprint(creds.secret)}`,
        issue: () =>
          this.issueToken('token', {
            grant_type: 'client_credential',
            appid: creds.appId,
            secret: creds.secret,
          }),
      },
    };
  }

  /**
   * Sends one template or subscribe message. `idempotencyKey` goes out as `client_msg_id`, which
   * WeChat's template send honours (same openid + id within 10 minutes is sent once); subscribe send
   * has no such field, so there the ledger claim alone prevents doubles.
   */
  async send(
    creds: OaCredentials,
    touser: string,
    message: OaMessage,
    idempotencyKey?: string,
  ): Promise<ChannelResult<{ msgid: string }>> {
    const errors = validateOaMessage(message);
    if (!touser) errors.push({ field: 'touser', message: 'touser (openid) is required' });
    if (errors.length > 0) throw ChannelException.requestInvalid(errors);
    const dedupe = idempotencyKey ? { client_msg_id: oaClientMsgId(idempotencyKey) } : {};
    const [api, body] =
      message.kind === 'template'
        ? [
            'message/template/send',
            {
              touser,
              template_id: message.templateId,
              ...(message.url ? { url: message.url } : {}),
              ...(message.miniprogram ? { miniprogram: message.miniprogram } : {}),
              data: message.data,
              ...dedupe,
            },
          ]
        : [
            'message/subscribe/send',
            {
              touser,
              template_id: message.templateId,
              ...(message.page ? { page: message.page } : {}),
              ...(message.miniprogramState ? { miniprogram_state: message.miniprogramState } : {}),
              ...(message.lang ? { lang: message.lang } : {}),
              data: message.data,
              ...dedupe,
            },
          ];
    const res = await this.call(this.account(creds), api, body);
    if (!res.ok) return res;
    return ok({ msgid: String(res.value.msgid ?? '') });
  }
}
