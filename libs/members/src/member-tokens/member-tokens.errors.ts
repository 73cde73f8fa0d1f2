import { DomainException } from '@siyu/platform';

export enum MemberTokenErrorCode {
  Invalid = 'MEMBER_TOKEN_INVALID',
  Expired = 'MEMBER_TOKEN_EXPIRED',
  Missing = 'UNAUTHENTICATED',
  OperatorTokenInvalid = 'TOKEN_INVALID',
  OperatorTokenExpired = 'TOKEN_EXPIRED',
  ApiKeyNotAccepted = 'API_KEY_NOT_ACCEPTED',
  MemberRoute = 'MEMBER_ROUTE',
  Forbidden = 'FORBIDDEN_ROLE',
  MemberNotFound = 'MEMBER_NOT_FOUND',
  MemberInactive = 'MEMBER_NOT_ACTIVE',
}

export class MemberTokenException extends DomainException {
  static missing = () =>
    new MemberTokenException(
      MemberTokenErrorCode.Missing,
      401,
      'Credentials are required: Authorization: Bearer <member token or operator access token>',
    );
  static invalid = () =>
    new MemberTokenException(MemberTokenErrorCode.Invalid, 401, 'The member token is not valid');
  static expired = () =>
    new MemberTokenException(
      MemberTokenErrorCode.Expired,
      401,
      'The member token has expired; ask the page for a new one',
    );
  static operatorInvalid = () =>
    new MemberTokenException(MemberTokenErrorCode.OperatorTokenInvalid, 401, 'The access token is not valid');
  static operatorExpired = () =>
    new MemberTokenException(
      MemberTokenErrorCode.OperatorTokenExpired,
      401,
      'The access token has expired; refresh it',
    );
  static apiKeyNotAccepted = () =>
    new MemberTokenException(
      MemberTokenErrorCode.ApiKeyNotAccepted,
      401,
      'This route takes a member token or an operator access token (Bearer JWT), not an API key',
    );
  static membersOnly = () =>
    new MemberTokenException(
      MemberTokenErrorCode.MemberRoute,
      403,
      'This route is for members (a member token)',
    );
  static forbidden = (roles: string[]) =>
    new MemberTokenException(
      MemberTokenErrorCode.Forbidden,
      403,
      roles.length > 1
        ? `This action needs a member token or one of the roles: ${roles.join(', ')}`
        : 'This action needs a member token',
    );
  static memberNotFound = (id: string) =>
    new MemberTokenException(MemberTokenErrorCode.MemberNotFound, 404, `member ${id} was not found`);
  static memberInactive = (id: string, why: 'erased' | 'merged') =>
    new MemberTokenException(
      MemberTokenErrorCode.MemberInactive,
      409,
      `member ${id} is ${why}; no token can be issued for it`,
    );
}
