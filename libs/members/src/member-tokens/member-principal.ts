import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Principal, Role } from '@siyu/platform';
import type { FastifyRequest } from 'fastify';

/** A member calling from an H5 / mini-program page with a member token: one member of one brand. */
export interface MemberPrincipal {
  kind: 'member';
  memberId: string;
  brandId: string;
  /** The token's `jti`, for logs and support. */
  tokenId: string;
  expiresAt: Date;
}

/** Who called a route open to both: a member with a member token, or an operator (any role listed). */
export type MemberOrOperator = MemberPrincipal | Principal;

export type MemberAwareRequest = FastifyRequest & {
  principal?: Principal;
  member?: MemberPrincipal;
};

export const MEMBER_ROUTE_ROLES = 'siyu:member-route-roles';

/** The operator roles (besides owner) that may also call a member route; none: members only. */
export const OperatorRolesToo = (...roles: Role[]) => SetMetadata(MEMBER_ROUTE_ROLES, roles);

/** The member principal of a members-only route (MemberAuthGuard). */
export const CurrentMember = createParamDecorator((_: unknown, ctx: ExecutionContext): MemberPrincipal => {
  const req = ctx.switchToHttp().getRequest<MemberAwareRequest>();
  if (!req.member) throw new Error('CurrentMember used on a route without MemberAuthGuard');
  return req.member;
});

/** The member or the operator of a route guarded by MemberOrOperatorGuard. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): MemberOrOperator => {
  const req = ctx.switchToHttp().getRequest<MemberAwareRequest>();
  const caller = req.member ?? req.principal;
  if (!caller) throw new Error('CurrentCaller used on a route without MemberOrOperatorGuard');
  return caller;
});

export const isMember = (c: MemberOrOperator): c is MemberPrincipal => c.kind === 'member';
