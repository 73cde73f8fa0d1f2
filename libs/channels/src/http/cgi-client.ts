import { createHash } from 'node:crypto';
import { ChannelResult, classifyErrcode, Errcode, fail, ok } from '../channel-errors';
import { ChannelRateLimiter } from '../rate-limit/channel-rate-limiter';
import { AccessTokenCache, TokenSource } from './access-token-cache';
import { cgiRequest, CgiReply } from './cgi-transport';

export interface CgiClientOptions {
  baseUrl: string;
  timeoutMs: number;
  rateLimitBackoffMs: number;
}

/** An account to call as: its rate-limit key and where its access token comes from. */
export interface CgiAccount {
  /** `wecom-<corpid>` or `oa-<appid>`: the key of its rate limits and 45009 blocks. */
  accountKey: string;
  tokenSource: TokenSource;
}

export const secretFingerprint = (secret: string) =>
  createHash('sha256').update(secret).digest('hex').slice(0, 12);

/**
 * Calls one /cgi-bin API with the account's cached access token. A token error (40014, 42001,
 * 42007) drops that token, fetches a new one and retries the call once. A 45009 blocks the account
 * in the shared limiter for the rest of the window, so every worker backs off, not only this one.
 */
export class CgiClient {
  constructor(
    protected readonly opts: CgiClientOptions,
    protected readonly tokens: AccessTokenCache,
    protected readonly limiter: ChannelRateLimiter,
    /** The errcodes that mean "stale token" on this server's calls (OA adds 40001). */
    private readonly tokenErrcodes: ReadonlySet<number>,
  ) {}

  /** Fetches an access token from a token endpoint (GET, credentials in the query). */
  protected async issueToken(
    api: string,
    query: Record<string, string>,
  ): Promise<ChannelResult<{ token: string; expiresInSeconds: number }>> {
    const url = `${this.opts.baseUrl}/cgi-bin/${api}?${new URLSearchParams(query)}`;
    const res = await cgiRequest(api, url, this.opts.timeoutMs);
    if (!res.ok) return res;
    const reply = res.value;
    if (typeof reply.errcode === 'number' && reply.errcode !== 0) {
      const failure = classifyErrcode(
        api,
        reply.errcode,
        String(reply.errmsg ?? ''),
        this.opts.rateLimitBackoffMs,
      );
      // 40001 from a token endpoint is a wrong secret: permanent (on an OA call it means a stale token).
      return fail(
        reply.errcode === Errcode.INVALID_CREDENTIAL ? { ...failure, class: 'permanent' } : failure,
      );
    }
    if (typeof reply.access_token !== 'string' || typeof reply.expires_in !== 'number')
      return fail({
        class: 'retryable',
        errcode: null,
        errmsg: 'token answer without access_token',
        api,
        ambiguous: false,
      });
    return ok({ token: reply.access_token, expiresInSeconds: reply.expires_in });
  }

  /** POSTs `body` to `/cgi-bin/<api>`; a reply with errcode 0 is `ok`, anything else a classified failure. */
  async call<T extends CgiReply = CgiReply>(
    account: CgiAccount,
    api: string,
    body: unknown,
  ): Promise<ChannelResult<T>> {
    const stale = (r: ChannelResult<CgiReply>) =>
      !r.ok && r.failure.errcode !== null && this.tokenErrcodes.has(r.failure.errcode);
    let res = await this.once(account, api, body);
    if (stale(res)) res = await this.once(account, api, body);
    // A token refused twice in a row is a transient server-side state, not a bad request.
    if (!res.ok && stale(res)) return fail({ ...res.failure, class: 'retryable' });
    if (!res.ok && res.failure.class === 'rate_limited') {
      await this.limiter.block(account.accountKey, this.opts.rateLimitBackoffMs);
    }
    return res as ChannelResult<T>;
  }

  private async once(account: CgiAccount, api: string, body: unknown): Promise<ChannelResult<CgiReply>> {
    const token = await this.tokens.get(account.tokenSource);
    if (!token.ok) return token;
    const url = `${this.opts.baseUrl}/cgi-bin/${api}?access_token=${encodeURIComponent(token.value)}`;
    const res = await cgiRequest(api, url, this.opts.timeoutMs, body);
    if (!res.ok) return res;
    const errcode = typeof res.value.errcode === 'number' ? res.value.errcode : 0;
    if (errcode === 0) return res;
    if (this.tokenErrcodes.has(errcode)) await this.tokens.invalidate(account.tokenSource, token.value);
    return fail(classifyErrcode(api, errcode, String(res.value.errmsg ?? ''), this.opts.rateLimitBackoffMs));
  }
}
