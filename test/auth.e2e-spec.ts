import { createApiKey } from './factories/api-key.factory';
import { accessToken, createBrand, createOperator, TestBrand } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';

describe('auth (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;

  beforeAll(async () => {
    t = await createTestApp();
    brand = await createBrand(t.app);
  });
  afterAll(() => t.close());

  it('logs in with the right password and returns tokens that work', async () => {
    const res = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: brand.owner.email, password: brand.owner.password })
      .expect(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(typeof res.body.refreshToken).toBe('string');
    const me = await t
      .http()
      .get('/v1/me')
      .set('authorization', `Bearer ${res.body.accessToken}`)
      .expect(200);
    expect(me.body).toMatchObject({
      kind: 'operator',
      id: brand.owner.id,
      role: 'owner',
      email: brand.owner.email,
    });
    expect(me.body.brand.id).toBe(brand.id);
  });

  it('accepts the email in any case', async () => {
    await t
      .http()
      .post('/v1/auth/login')
      .send({ email: brand.owner.email.toUpperCase(), password: brand.owner.password })
      .expect(200);
  });

  it('refuses a wrong password and an unknown account alike with 401 problem+json', async () => {
    const wrong = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: brand.owner.email, password: 'not-the-password' })
      .expect(401);
    expect(wrong.headers['content-type']).toContain('application/problem+json');
    expect(wrong.body).toMatchObject({ status: 401, code: 'INVALID_CREDENTIALS' });
    const unknown = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: 'nobody@test.siyu', password: 'whatever-password' })
      .expect(401);
    expect(unknown.body.code).toBe('INVALID_CREDENTIALS');
  });

  it('rate-limits failed logins per account (429 with Retry-After), even with the right password', async () => {
    const victim = await createOperator(t.app, brand, 'marketer');
    for (let i = 0; i < 5; i++) {
      await t
        .http()
        .post('/v1/auth/login')
        .send({ email: victim.email, password: 'wrong-password' })
        .expect(401);
    }
    const blocked = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: victim.email, password: victim.password })
      .expect(429);
    expect(blocked.body.code).toBe('TOO_MANY_LOGIN_ATTEMPTS');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // another account from the same IP is not locked by this one's failures
    await t
      .http()
      .post('/v1/auth/login')
      .send({ email: brand.owner.email, password: brand.owner.password })
      .expect(200);
  });

  it('rate-limits failed logins per IP across accounts', async () => {
    const ip = '203.0.113.77';
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) {
      const res = await t
        .http()
        .post('/v1/auth/login')
        .set('x-forwarded-for', ip)
        .send({ email: `spray-${i}@test.siyu`, password: 'wrong-password' });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses[50]).toBe(429);
  });

  it('rotates refresh tokens; a reused token revokes the session; logout revokes', async () => {
    const login = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: brand.owner.email, password: brand.owner.password })
      .expect(200);
    const first = login.body.refreshToken;
    const next = await t.http().post('/v1/auth/refresh').send({ refreshToken: first }).expect(200);
    expect(next.body.refreshToken).not.toBe(first);
    await t.http().get('/v1/me').set('authorization', `Bearer ${next.body.accessToken}`).expect(200);

    // replaying the rotated token is theft: it fails and kills the newer token too
    const replay = await t.http().post('/v1/auth/refresh').send({ refreshToken: first }).expect(401);
    expect(replay.body.code).toBe('REFRESH_TOKEN_INVALID');
    await t.http().post('/v1/auth/refresh').send({ refreshToken: next.body.refreshToken }).expect(401);

    const again = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: brand.owner.email, password: brand.owner.password })
      .expect(200);
    await t.http().post('/v1/auth/logout').send({ refreshToken: again.body.refreshToken }).expect(204);
    await t.http().post('/v1/auth/refresh').send({ refreshToken: again.body.refreshToken }).expect(401);
  });

  it('lets only one of two concurrent refreshes of the same token win', async () => {
    const login = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: brand.owner.email, password: brand.owner.password })
      .expect(200);
    const results = await Promise.all(
      [0, 1, 2, 3].map(() =>
        t.http().post('/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it('refuses a missing, expired or tampered token with 401', async () => {
    const missing = await t.http().get('/v1/me').expect(401);
    expect(missing.body.code).toBe('UNAUTHENTICATED');

    const expired = accessToken(t.app, { id: brand.owner.id, brandId: brand.id, role: 'owner' }, -10);
    const e = await t.http().get('/v1/me').set('authorization', `Bearer ${expired}`).expect(401);
    expect(e.body.code).toBe('TOKEN_EXPIRED');

    const [h, p, s] = brand.owner.token.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const forged = Buffer.from(
      JSON.stringify({ ...claims, role: 'owner', sub: '00000000-0000-4000-8000-000000000000' }),
    ).toString('base64url');
    const tampered = await t
      .http()
      .get('/v1/me')
      .set('authorization', `Bearer ${h}.${forged}.${s}`)
      .expect(401);
    expect(tampered.body.code).toBe('TOKEN_INVALID');
    const garbage = await t.http().get('/v1/me').set('authorization', 'Bearer not.a.jwt').expect(401);
    expect(garbage.body.code).toBe('TOKEN_INVALID');
  });

  it('denies a role that a route does not allow with 403', async () => {
    const cm = await createOperator(t.app, brand, 'community_manager');
    const res = await t
      .http()
      .post('/v1/operators')
      .set('authorization', `Bearer ${cm.token}`)
      .send({ email: 'x@test.siyu', name: 'X', password: 'long-enough-password', role: 'marketer' })
      .expect(403);
    expect(res.body.code).toBe('FORBIDDEN_ROLE');
    await t
      .http()
      .patch('/v1/brand')
      .set('authorization', `Bearer ${cm.token}`)
      .send({ name: 'Hijack' })
      .expect(403);
    // but the same operator may read the brand
    await t.http().get('/v1/brand').set('authorization', `Bearer ${cm.token}`).expect(200);
  });

  it('accepts API keys, shows the secret once, and refuses a revoked key with 401', async () => {
    const created = await t
      .http()
      .post('/v1/api-keys')
      .set('authorization', `Bearer ${brand.owner.token}`)
      .send({ name: 'relay', role: 'marketer' })
      .expect(201);
    expect(created.body.key).toMatch(/^sk_[0-9a-f]{12}_/);
    const me = await t.http().get('/v1/me').set('x-api-key', created.body.key).expect(200);
    expect(me.body).toMatchObject({ kind: 'api_key', role: 'marketer' });
    await t.http().get('/v1/me').set('authorization', `Bearer ${created.body.key}`).expect(200);

    const listed = await t
      .http()
      .get('/v1/api-keys')
      .set('authorization', `Bearer ${brand.owner.token}`)
      .expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key.split('_')[2]);

    await t
      .http()
      .delete(`/v1/api-keys/${created.body.id}`)
      .set('authorization', `Bearer ${brand.owner.token}`)
      .expect(200);
    const revoked = await t.http().get('/v1/me').set('x-api-key', created.body.key).expect(401);
    expect(revoked.body.code).toBe('API_KEY_INVALID');
    // a marketer key cannot manage keys
    const mk = await createApiKey(t.app, brand, 'marketer');
    await t.http().get('/v1/api-keys').set('x-api-key', mk.key).expect(403);
  });

  it("answers 404 for another brand's operators and keys, to operators and keys alike", async () => {
    const other = await createBrand(t.app);
    const otherKey = await createApiKey(t.app, other, 'owner');
    const mine = await createOperator(t.app, brand, 'marketer');
    const myKey = await createApiKey(t.app, brand, 'operator');

    for (const auth of [{ authorization: `Bearer ${other.owner.token}` }, { 'x-api-key': otherKey.key }]) {
      const op = await t.http().get(`/v1/operators/${mine.id}`).set(auth).expect(404);
      expect(op.body.code).toBe('OPERATOR_NOT_FOUND');
      await t.http().patch(`/v1/operators/${mine.id}`).set(auth).send({ name: 'pwned' }).expect(404);
      await t.http().get(`/v1/api-keys/${myKey.id}`).set(auth).expect(404);
      await t.http().delete(`/v1/api-keys/${myKey.id}`).set(auth).expect(404);
      const list = await t.http().get('/v1/operators').set(auth).expect(200);
      expect(list.body.items.map((o: { id: string }) => o.id)).not.toContain(mine.id);
    }
    // nothing changed
    const still = await t
      .http()
      .get(`/v1/operators/${mine.id}`)
      .set('authorization', `Bearer ${brand.owner.token}`)
      .expect(200);
    expect(still.body.name).toBe('Test marketer');
    await t.http().get('/v1/me').set('x-api-key', myKey.key).expect(200);
  });

  it('disabling an operator ends their sessions and logins; the last owner cannot be removed', async () => {
    const op = await createOperator(t.app, brand, 'operator');
    const login = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: op.email, password: op.password })
      .expect(200);
    await t
      .http()
      .delete(`/v1/operators/${op.id}`)
      .set('authorization', `Bearer ${brand.owner.token}`)
      .expect(204);
    await t.http().post('/v1/auth/refresh').send({ refreshToken: login.body.refreshToken }).expect(401);
    const denied = await t
      .http()
      .post('/v1/auth/login')
      .send({ email: op.email, password: op.password })
      .expect(401);
    expect(denied.body.code).toBe('ACCOUNT_DISABLED');

    const solo = await createBrand(t.app);
    const last = await t
      .http()
      .patch(`/v1/operators/${solo.owner.id}`)
      .set('authorization', `Bearer ${solo.owner.token}`)
      .send({ role: 'marketer' })
      .expect(409);
    expect(last.body.code).toBe('LAST_OWNER');
  });
});
