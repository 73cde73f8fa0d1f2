import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import {
  MEMBER_ROUTE_ROLES,
  MemberAwareRequest,
  MemberOrOperatorGuard,
  MemberTokenException,
  MemberTokenService,
} from '@siyu/members';
import { ApiKeysService, looksLikeApiKey, Principal, Role } from '@siyu/platform';

/** The API key a request carries (`X-Api-Key`, or Bearer `sk_…`), as the platform's guard reads it. */
function presentedApiKey(req: MemberAwareRequest): string | null {
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header) return header;
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !/^Bearer\s+/i.test(auth)) return null;
  const token = auth.replace(/^Bearer\s+/i, '').trim();
  return looksLikeApiKey(token) ? token : null;
}

/**
 * Who may enter a draw: a member (member token), an operator for a member, or a machine client —
 * an API key, e.g. the brand's store or live-room backend entering members as they qualify. The
 * key is verified by the platform's own ApiKeysService (the check every other route uses) and its
 * role held to the route's `@OperatorRolesToo(...)`, as an operator's is; members and operators
 * go through MemberOrOperatorGuard unchanged.
 */
@Injectable()
export class DrawEntrantGuard extends MemberOrOperatorGuard {
  constructor(
    reflector: Reflector,
    tokens: MemberTokenService,
    jwt: JwtService,
    private readonly apiKeys: ApiKeysService,
  ) {
    super(reflector, tokens, jwt);
  }

  override async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<MemberAwareRequest>();
    const key = presentedApiKey(req);
    if (key === null) return super.canActivate(ctx);
    const principal: Principal = await this.apiKeys.verify(key);
    const roles =
      this.reflector.getAllAndOverride<Role[] | undefined>(MEMBER_ROUTE_ROLES, [
        ctx.getHandler(),
        ctx.getClass(),
      ]) ?? [];
    if (principal.role !== 'owner' && !roles.includes(principal.role))
      throw MemberTokenException.forbidden(['member', 'owner', ...roles]);
    req.principal = principal;
    (req.raw as typeof req.raw & { principal?: Principal }).principal = principal;
    return true;
  }
}
