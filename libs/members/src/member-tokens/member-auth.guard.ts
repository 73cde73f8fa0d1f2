import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { Principal, Role } from '@siyu/platform';
import { MEMBER_ROUTE_ROLES, MemberAwareRequest } from './member-principal';
import { MemberTokenService } from './member-token.service';
import { MemberTokenException } from './member-tokens.errors';

function bearer(req: MemberAwareRequest): string | null {
  const header = req.headers.authorization;
  if (typeof header !== 'string' || !/^Bearer\s+/i.test(header)) return null;
  return header.replace(/^Bearer\s+/i, '').trim() || null;
}

interface OperatorClaims {
  sub: string;
  brandId: string;
  role: Role;
  typ: string;
}

/**
 * For routes a member calls with a member token and an operator may call too (for a member). The
 * route is `@Public()` to the platform's global guard, which knows only operator credentials, and
 * carries this guard: a member token gives `req.member`; otherwise an operator access token is
 * verified exactly as the platform does (same JwtService defaults: key, issuer, audience `siyu-api`,
 * `typ: access`) and its role checked against `@OperatorRolesToo(...)` (owners always pass). API
 * keys are not taken here (the platform's key check is not exported): 401 API_KEY_NOT_ACCEPTED.
 */
@Injectable()
export class MemberOrOperatorGuard implements CanActivate {
  constructor(
    protected readonly reflector: Reflector,
    protected readonly tokens: MemberTokenService,
    private readonly jwt: JwtService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<MemberAwareRequest>();
    const token = bearer(req);
    if (typeof req.headers['x-api-key'] === 'string' || token?.startsWith('sk_'))
      throw MemberTokenException.apiKeyNotAccepted();
    if (!token) throw MemberTokenException.missing();
    if (this.tokens.looksLikeMemberToken(token)) {
      req.member = await this.tokens.verify(token);
      (req.raw as typeof req.raw & { member?: unknown }).member = req.member;
      return true;
    }
    const roles =
      this.reflector.getAllAndOverride<Role[] | undefined>(MEMBER_ROUTE_ROLES, [
        ctx.getHandler(),
        ctx.getClass(),
      ]) ?? [];
    const principal = await this.operator(token);
    if (principal.role !== 'owner' && !roles.includes(principal.role))
      throw MemberTokenException.forbidden(['member', 'owner', ...roles]);
    req.principal = principal;
    (req.raw as typeof req.raw & { principal?: Principal }).principal = principal;
    return true;
  }

  private async operator(token: string): Promise<Principal> {
    let claims: OperatorClaims;
    try {
      claims = await this.jwt.verifyAsync<OperatorClaims>(token);
    } catch (err) {
      if ((err as { name?: string }).name === 'TokenExpiredError')
        throw MemberTokenException.operatorExpired();
      throw MemberTokenException.operatorInvalid();
    }
    if (claims.typ !== 'access' || !claims.sub || !claims.brandId)
      throw MemberTokenException.operatorInvalid();
    return { kind: 'operator', id: claims.sub, brandId: claims.brandId, role: claims.role };
  }
}

/** For members-only routes (`@Public()` + this guard): a member token, nothing else. */
@Injectable()
export class MemberAuthGuard implements CanActivate {
  constructor(private readonly tokens: MemberTokenService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<MemberAwareRequest>();
    const token = bearer(req);
    if (!token) throw MemberTokenException.missing();
    if (!this.tokens.looksLikeMemberToken(token)) throw MemberTokenException.membersOnly();
    req.member = await this.tokens.verify(token);
    (req.raw as typeof req.raw & { member?: unknown }).member = req.member;
    return true;
  }
}
