import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ActorType } from '../audit/entities/audit-entry.entity';
import { Role } from './roles';

/** Who is calling: an operator (JWT) or a machine client (API key), always within one brand. */
export interface Principal {
  kind: 'operator' | 'api_key';
  id: string;
  brandId: string;
  role: Role;
}

/** What a service needs to scope and audit a change: the brand, the actor and the request id. */
export interface Actor {
  brandId: string;
  actorType: ActorType;
  actorId: string | null;
  requestId: string | null;
}

export const systemActor = (brandId: string): Actor => ({
  brandId,
  actorType: 'system',
  actorId: null,
  requestId: null,
});

export type AuthedRequest = FastifyRequest & { principal?: Principal };

export const IS_PUBLIC = 'siyu:public';
export const ROLES_KEY = 'siyu:roles';

/** The route needs no credentials (login, health, redirects, signed webhooks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The roles allowed on a route. Owners are always allowed. A route without @Roles is refused. */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!req.principal) throw new Error('CurrentPrincipal used on a public route');
  return req.principal;
});

/** The calling brand, its actor and the request id, for services that change data. */
export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!req.principal) throw new Error('CurrentActor used on a public route');
  return {
    brandId: req.principal.brandId,
    actorType: req.principal.kind,
    actorId: req.principal.id,
    requestId: String(req.id),
  };
});
