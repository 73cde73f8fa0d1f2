import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeysService, looksLikeApiKey } from './api-keys.service';
import { AuthException } from './auth.errors';
import { AuthService } from './auth.service';
import { AuthedRequest, IS_PUBLIC, Principal, ROLES_KEY } from './principal';
import { Role } from './roles';

/**
 * The global guard: authenticates (Bearer JWT, or an API key as `X-Api-Key` or Bearer `sk_…`)
 * and checks the route's roles. Routes are closed unless marked @Public or given @Roles.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const principal = await this.authenticate(req);
    req.principal = principal;
    (req.raw as typeof req.raw & { principal?: Principal }).principal = principal;

    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles) {
      this.logger.error(
        `route ${req.method} ${req.routeOptions?.url ?? req.url} declares no @Roles; refusing`,
      );
      throw AuthException.forbidden(['owner']);
    }
    if (principal.role !== 'owner' && !roles.includes(principal.role))
      throw AuthException.forbidden(['owner', ...roles]);
    return true;
  }

  async authenticate(req: AuthedRequest): Promise<Principal> {
    const header = req.headers.authorization;
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey) return this.apiKeys.verify(apiKey);
    if (typeof header === 'string' && /^Bearer\s+/i.test(header)) {
      const token = header.replace(/^Bearer\s+/i, '').trim();
      return looksLikeApiKey(token) ? this.apiKeys.verify(token) : this.auth.verifyAccessToken(token);
    }
    throw AuthException.missing();
  }
}
