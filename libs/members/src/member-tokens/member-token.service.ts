import { createHmac, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { Actor, AppConfig, AuditService } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { MemberPrincipal } from './member-principal';
import { MemberTokenException } from './member-tokens.errors';

/** The `aud` of member tokens; operator access tokens carry `siyu-api`. */
export const MEMBER_TOKEN_AUDIENCE = 'siyu-member';
export const MEMBER_TOKEN_DEFAULT_TTL_SECONDS = 1800;
export const MEMBER_TOKEN_MAX_TTL_SECONDS = 86_400;

interface MemberClaims {
  sub: string;
  brandId: string;
  typ: 'member';
  jti: string;
  exp: number;
}

export interface IssuedMemberToken {
  token: string;
  tokenType: 'Bearer';
  memberId: string;
  expiresIn: number;
  expiresAt: Date;
}

/**
 * Short-lived JWTs for one member of one brand, handed by the brand's backend to an H5 or
 * mini-program page (draw entries, later live RSVP). They are kept apart from operator tokens three
 * ways: a key of their own (HMAC of JWT_SECRET with a fixed label, so an operator token's signature
 * never verifies as a member token nor the reverse), `aud` `siyu-member` and `typ` `member`.
 */
@Injectable()
export class MemberTokenService {
  private readonly secret: string;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly jwt: JwtService,
    private readonly audit: AuditService,
    config: AppConfig,
  ) {
    this.secret = createHmac('sha256', config.jwtSecret).update('siyu member tokens v1').digest('base64url');
  }

  /** A token for member `memberId` of the actor's brand (404 for another brand's, 409 erased/merged). */
  async issue(
    actor: Actor,
    memberId: string,
    ttlSeconds = MEMBER_TOKEN_DEFAULT_TTL_SECONDS,
  ): Promise<IssuedMemberToken> {
    return this.ds.transaction(async (m) => {
      const [row]: Array<{ erased_at: Date | null; merged_into: string | null }> = await m.query(
        `SELECT erased_at, merged_into FROM members WHERE id = $1 AND brand_id = $2`,
        [memberId, actor.brandId],
      );
      if (!row) throw MemberTokenException.memberNotFound(memberId);
      if (row.erased_at) throw MemberTokenException.memberInactive(memberId, 'erased');
      if (row.merged_into) throw MemberTokenException.memberInactive(memberId, 'merged');
      const jti = randomUUID();
      const token = await this.jwt.signAsync(
        { sub: memberId, brandId: actor.brandId, typ: 'member' },
        {
          secret: this.secret,
          audience: MEMBER_TOKEN_AUDIENCE,
          issuer: 'siyu',
          algorithm: 'HS256',
          expiresIn: ttlSeconds,
          jwtid: jti,
        },
      );
      const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + ttlSeconds * 1000);
      await this.audit.record(m, actor, {
        action: 'member.token_issued',
        entityType: 'member',
        entityId: memberId,
        after: { tokenId: jti, expiresAt: expiresAt.toISOString(), ttlSeconds },
      });
      return { token, tokenType: 'Bearer', memberId, expiresIn: ttlSeconds, expiresAt };
    });
  }

  /** True when the token claims to be a member token (unverified: only to pick the verifier). */
  looksLikeMemberToken(token: string): boolean {
    const claims = this.jwt.decode<{ typ?: unknown; aud?: unknown } | null>(token);
    return !!claims && (claims.typ === 'member' || claims.aud === MEMBER_TOKEN_AUDIENCE);
  }

  /** The member behind a token: signature, audience, expiry, and the member still active. */
  async verify(token: string): Promise<MemberPrincipal> {
    let claims: MemberClaims;
    try {
      claims = await this.jwt.verifyAsync<MemberClaims>(token, {
        secret: this.secret,
        audience: MEMBER_TOKEN_AUDIENCE,
        issuer: 'siyu',
        algorithms: ['HS256'],
      });
    } catch (err) {
      if ((err as { name?: string }).name === 'TokenExpiredError') throw MemberTokenException.expired();
      throw MemberTokenException.invalid();
    }
    if (claims.typ !== 'member' || !claims.sub || !claims.brandId || !claims.jti)
      throw MemberTokenException.invalid();
    const [row]: Array<{ ok: boolean }> = await this.ds.query(
      `SELECT (erased_at IS NULL AND merged_into IS NULL) AS ok FROM members WHERE id = $1 AND brand_id = $2`,
      [claims.sub, claims.brandId],
    );
    if (!row?.ok) throw MemberTokenException.invalid();
    return {
      kind: 'member',
      memberId: claims.sub,
      brandId: claims.brandId,
      tokenId: claims.jti,
      expiresAt: new Date(claims.exp * 1000),
    };
  }
}
