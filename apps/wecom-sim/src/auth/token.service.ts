import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { SimClock } from '../common/sim-clock';
import { SimConfigService } from '../config/sim-config.service';
import { WecomErrcode, WecomError } from '../wecom-errors';

/** WeCom (qyapi) tokens come from gettoken; OA (api.weixin) tokens from token / stable_token. */
export type TokenKind = 'wecom' | 'oa';

interface IssuedToken {
  kind: TokenKind;
  account: string;
  expiresAt: number;
}

export interface TokenReply {
  errcode: 0;
  errmsg: 'ok';
  access_token: string;
  expires_in: number;
}

const SWEEP_EVERY = 1000;

/** Issues and checks access tokens; each stays valid for the configured TTL from its issue. */
@Injectable()
export class TokenService {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly stableTokens = new Map<string, string>();
  private issuedSinceSweep = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly config: SimConfigService,
  ) {}

  issue(kind: TokenKind, account: string, secret: string): TokenReply {
    this.checkSecret(kind, account, secret);
    if (++this.issuedSinceSweep >= SWEEP_EVERY) this.sweep();
    const ttl = this.config.current.tokenTtlSeconds;
    const token = `${kind === 'wecom' ? 'SIMQY' : 'SIMWX'}${randomBytes(36).toString('base64url')}`;
    this.tokens.set(token, { kind, account, expiresAt: this.clock.now() + ttl * 1000 });
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: ttl };
  }

  /** OA stable_token: the same token until it expires or `force_refresh` asks for a new one. */
  issueStable(account: string, secret: string, forceRefresh: boolean): TokenReply {
    const current = this.stableTokens.get(account);
    const issued = current ? this.tokens.get(current) : undefined;
    if (current && issued && !forceRefresh && issued.expiresAt > this.clock.now()) {
      this.checkSecret('oa', account, secret);
      const expiresIn = Math.floor((issued.expiresAt - this.clock.now()) / 1000);
      return { errcode: 0, errmsg: 'ok', access_token: current, expires_in: expiresIn };
    }
    const reply = this.issue('oa', account, secret);
    this.stableTokens.set(account, reply.access_token);
    return reply;
  }

  /** The account the token belongs to; 41001 missing, 40014 (OA: 40001) unknown, 42001 expired. */
  resolve(kind: TokenKind, token: unknown): string {
    if (typeof token !== 'string' || token.length === 0)
      throw new WecomError(WecomErrcode.ACCESS_TOKEN_MISSING);
    const issued = this.tokens.get(token);
    if (!issued || issued.kind !== kind) {
      // The OA server answers an unknown token with 40001 "invalid credential"; WeCom with 40014.
      throw kind === 'oa'
        ? new WecomError(WecomErrcode.INVALID_CREDENTIAL, 'access_token is invalid or not latest')
        : new WecomError(WecomErrcode.INVALID_ACCESS_TOKEN);
    }
    if (this.clock.now() >= issued.expiresAt) throw new WecomError(WecomErrcode.ACCESS_TOKEN_EXPIRED);
    return issued.account;
  }

  /** Forgets every token (as after a secret reset), so the next call with one gets 40014. */
  revokeAll(): void {
    this.tokens.clear();
    this.stableTokens.clear();
  }

  reset(): void {
    this.tokens.clear();
    this.stableTokens.clear();
    this.issuedSinceSweep = 0;
  }

  private checkSecret(kind: TokenKind, account: string, secret: string): void {
    const secrets = kind === 'wecom' ? this.config.current.corpSecrets : this.config.current.appSecrets;
    if (!secrets) return;
    if (!Object.prototype.hasOwnProperty.call(secrets, account)) {
      throw new WecomError(
        WecomErrcode.INVALID_CORPID,
        kind === 'wecom' ? 'unknown corpid' : 'unknown appid',
      );
    }
    if (secrets[account] !== secret) throw new WecomError(WecomErrcode.INVALID_CREDENTIAL, 'secret is wrong');
  }

  private sweep(): void {
    this.issuedSinceSweep = 0;
    // Keep expired tokens for a day so a caller still holding one gets 42001, not 40014.
    const cutoff = this.clock.now() - 86_400_000;
    for (const [token, issued] of this.tokens) if (issued.expiresAt < cutoff) this.tokens.delete(token);
  }
}
