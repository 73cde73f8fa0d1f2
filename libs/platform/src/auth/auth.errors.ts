import { DomainException } from '../errors/domain.exception';

export class AuthException extends DomainException {
  static invalidCredentials = () =>
    new AuthException('INVALID_CREDENTIALS', 401, 'The email or password is wrong');
  static missing = () =>
    new AuthException('UNAUTHENTICATED', 401, 'Credentials are required: a Bearer token or an X-Api-Key');
  static tokenExpired = () =>
    new AuthException('TOKEN_EXPIRED', 401, 'The access token has expired; refresh it');
  static tokenInvalid = () => new AuthException('TOKEN_INVALID', 401, 'The access token is not valid');
  static apiKeyInvalid = () => new AuthException('API_KEY_INVALID', 401, 'The API key is unknown or revoked');
  static refreshInvalid = () =>
    new AuthException('REFRESH_TOKEN_INVALID', 401, 'The refresh token is unknown, expired or revoked');
  static accountDisabled = () =>
    new AuthException('ACCOUNT_DISABLED', 401, 'This operator account is disabled');
  static forbidden = (roles: string[]) =>
    new AuthException('FORBIDDEN_ROLE', 403, `This action needs one of the roles: ${roles.join(', ')}`);
  static tooManyAttempts = (retryAfterSeconds: number) =>
    new AuthException(
      'TOO_MANY_LOGIN_ATTEMPTS',
      429,
      `Too many failed logins; try again in ${retryAfterSeconds} s`,
      undefined,
      {
        'retry-after': String(retryAfterSeconds),
      },
    );
}
