import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { AuthException } from './auth.errors';
import { TokenResponseDto } from './dto/auth.dto';
import { Operator } from './entities/operator.entity';
import { RefreshToken } from './entities/refresh-token.entity';
import { LoginLimiter } from './login-limiter';
import { dummyHash, verifyPassword } from './password-hasher';
import { Principal } from './principal';

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

export interface AccessClaims {
  sub: string;
  brandId: string;
  role: Principal['role'];
  typ: 'access';
}

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly limiter: LoginLimiter,
  ) {}

  /** Checks an email and password, with the failed-login limits. Used by login and by Basic auth. */
  async verifyCredentials(email: string, password: string, ip: string): Promise<Operator> {
    const account = email.trim().toLowerCase();
    await this.limiter.assertAllowed(account, ip);
    const operator = await this.ds.getRepository(Operator).findOneBy({ email: account });
    // Compare against a real hash even for unknown accounts, so timing does not reveal which exist.
    const ok = await verifyPassword(password, operator?.passwordHash ?? (await dummyHash()));
    if (!operator || !ok) {
      await this.limiter.recordFailure(account, ip);
      throw AuthException.invalidCredentials();
    }
    if (operator.disabledAt) throw AuthException.accountDisabled();
    await this.limiter.recordSuccess(account);
    return operator;
  }

  async login(email: string, password: string, ip: string): Promise<TokenResponseDto> {
    const operator = await this.verifyCredentials(email, password, ip);
    return this.ds.transaction(async (m) => {
      await m.update(Operator, { id: operator.id }, { lastLoginAt: new Date() });
      return this.issue(m, operator, randomUUID());
    });
  }

  /**
   * Rotates a refresh token. The rotation is a conditional UPDATE, so two concurrent refreshes of
   * one token cannot both win; presenting a token that was already rotated revokes its family.
   */
  async refresh(token: string): Promise<TokenResponseDto> {
    const hash = sha256(token);
    const result = await this.ds.transaction(async (m) => {
      const [rows]: [Array<{ id: string; operator_id: string; family_id: string }>, number] = await m.query(
        `UPDATE refresh_tokens SET rotated_at = now()
          WHERE token_hash = $1 AND rotated_at IS NULL AND revoked_at IS NULL AND expires_at > now()
          RETURNING id, operator_id, family_id`,
        [hash],
      );
      const row = rows[0];
      if (!row) return null;
      const operator = await m.findOneBy(Operator, { id: row.operator_id });
      if (!operator || operator.disabledAt) return null;
      return this.issue(m, operator, row.family_id);
    });
    if (result) return result;
    const reused = await this.ds.getRepository(RefreshToken).findOneBy({ tokenHash: hash });
    if (reused?.rotatedAt) {
      await this.revokeFamily(reused.familyId);
    }
    throw AuthException.refreshInvalid();
  }

  /** Ends the session the refresh token belongs to. Unknown tokens are accepted silently. */
  async logout(token: string): Promise<void> {
    const row = await this.ds.getRepository(RefreshToken).findOneBy({ tokenHash: sha256(token) });
    if (row) await this.revokeFamily(row.familyId);
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.ds.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId],
    );
  }

  async revokeAllFor(manager: EntityManager, operatorId: string): Promise<void> {
    await manager.query(
      `UPDATE refresh_tokens SET revoked_at = now() WHERE operator_id = $1 AND revoked_at IS NULL`,
      [operatorId],
    );
  }

  async verifyAccessToken(token: string): Promise<Principal> {
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token);
    } catch (err) {
      if ((err as { name?: string }).name === 'TokenExpiredError') throw AuthException.tokenExpired();
      throw AuthException.tokenInvalid();
    }
    if (claims.typ !== 'access' || !claims.sub || !claims.brandId) throw AuthException.tokenInvalid();
    return { kind: 'operator', id: claims.sub, brandId: claims.brandId, role: claims.role };
  }

  private async issue(m: EntityManager, operator: Operator, familyId: string): Promise<TokenResponseDto> {
    const ttl = this.config.get('JWT_ACCESS_TTL_SECONDS');
    const claims: AccessClaims = {
      sub: operator.id,
      brandId: operator.brandId,
      role: operator.role,
      typ: 'access',
    };
    const accessToken = await this.jwt.signAsync(claims, { expiresIn: ttl });
    const refreshToken = randomBytes(32).toString('base64url');
    const refreshExpiresAt = new Date(Date.now() + this.config.get('REFRESH_TTL_SECONDS') * 1000);
    await m.insert(RefreshToken, {
      operatorId: operator.id,
      brandId: operator.brandId,
      familyId,
      tokenHash: sha256(refreshToken),
      expiresAt: refreshExpiresAt,
    });
    return { accessToken, tokenType: 'Bearer', expiresIn: ttl, refreshToken, refreshExpiresAt };
  }
}
