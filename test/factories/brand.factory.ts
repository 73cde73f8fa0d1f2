import { randomBytes, randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { BrandsService, Role } from '@siyu/platform';
import { DataSource } from 'typeorm';
import { hashPassword } from '../../libs/platform/src/auth/password-hasher';

export interface TestOperator {
  id: string;
  email: string;
  password: string;
  role: Role;
  /** A valid access token, signed by the app (as a login would issue it). */
  token: string;
}

export interface TestBrand {
  id: string;
  owner: TestOperator;
}

const unique = () => randomUUID().slice(0, 8);

export function accessToken(
  app: INestApplicationContext,
  op: { id: string; brandId: string; role: Role },
  expiresIn = 900,
): string {
  return app
    .get(JwtService)
    .sign({ sub: op.id, brandId: op.brandId, role: op.role, typ: 'access' }, { expiresIn });
}

/** A fresh brand with its owner; every test makes its own so tests never share state. */
export async function createBrand(
  app: INestApplicationContext,
  opts: { timeZone?: string; name?: string } = {},
): Promise<TestBrand> {
  const password = randomBytes(9).toString('base64url');
  const email = `owner-${unique()}@test.siyu`;
  const { brand, owner } = await app.get(BrandsService).createWithOwner({
    name: opts.name ?? `Brand ${unique()}`,
    ownerEmail: email,
    password,
    timeZone: opts.timeZone,
  });
  return {
    id: brand.id,
    owner: {
      id: owner.id,
      email,
      password,
      role: 'owner',
      token: accessToken(app, { id: owner.id, brandId: brand.id, role: 'owner' }),
    },
  };
}

/** Another operator of the brand with the given role, inserted directly. */
export async function createOperator(
  app: INestApplicationContext,
  brand: TestBrand,
  role: Role,
): Promise<TestOperator> {
  const password = randomBytes(9).toString('base64url');
  const email = `${role}-${unique()}@test.siyu`;
  const [{ id }] = await app
    .get(DataSource)
    .query(
      `INSERT INTO operators (brand_id, email, name, password_hash, role) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [brand.id, email, `Test ${role}`, await hashPassword(password), role],
    );
  return { id, email, password, role, token: accessToken(app, { id, brandId: brand.id, role }) };
}
