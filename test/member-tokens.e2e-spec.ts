import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { createBrand, createOperator, TestBrand } from './factories/brand.factory';
import { createMember } from './factories/member.factory';
import { createTestApp, TestApp } from './harness';

describe('member tokens (e2e)', () => {
  let t: TestApp;
  let a: TestBrand;
  let b: TestBrand;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    a = await createBrand(t.app);
    b = await createBrand(t.app);
  });
  afterAll(() => t.close());

  const mint = (brand: TestBrand, memberId: string, body: object = {}) =>
    t.http().post(`/v1/members/${memberId}/tokens`).set(as(brand.owner.token)).send(body);

  it('mints a short-lived token for one member; it resolves to that member; the minting is audited', async () => {
    const m = await createMember(t.app, a);
    const res = await mint(a, m.id, { ttlSeconds: 600 }).expect(201);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', memberId: m.id, expiresIn: 600 });
    const session = await t.http().get('/v1/member-session').set(as(res.body.token)).expect(200);
    expect(session.body).toMatchObject({ memberId: m.id, brandId: a.id });
    expect(
      Math.abs(new Date(session.body.expiresAt).getTime() - new Date(res.body.expiresAt).getTime()),
    ).toBeLessThan(1000);
    const [audit] = await t.app
      .get(DataSource)
      .query(`SELECT action, after FROM audit_log WHERE brand_id = $1 AND entity_id = $2::text`, [a.id, m.id])
      .then((rows: Array<{ action: string; after: { tokenId: string } }>) =>
        rows.filter((r) => r.action === 'member.token_issued'),
      );
    expect(audit.after.tokenId).toEqual(expect.any(String));
    expect(JSON.stringify(audit.after)).not.toContain(res.body.token);
  });

  it('keeps operator and member tokens apart, both ways', async () => {
    const m = await createMember(t.app, a);
    const { token } = (await mint(a, m.id).expect(201)).body;
    // a member token is not an operator credential
    const asOperator = await t.http().get('/v1/members').set(as(token)).expect(401);
    expect(asOperator.headers['content-type']).toMatch(/application\/problem\+json/);
    // an operator token is not a member token on a members-only route
    await t.http().get('/v1/member-session').set(as(a.owner.token)).expect(403);
    // a member-shaped token signed with the operator key (typ member, aud siyu-member) is refused
    const forged = t.app
      .get(JwtService)
      .sign({ sub: m.id, brandId: a.id, typ: 'member' }, { audience: 'siyu-member', expiresIn: 600 });
    expect((await t.http().get('/v1/member-session').set(as(forged)).expect(401)).body.code).toBe(
      'MEMBER_TOKEN_INVALID',
    );
    // tampering with the payload breaks the signature
    const [h, , s] = token.split('.');
    const other = await createMember(t.app, a);
    const payload = Buffer.from(
      JSON.stringify({
        sub: other.id,
        brandId: a.id,
        typ: 'member',
        aud: 'siyu-member',
        iss: 'siyu',
        exp: 9e9,
      }),
    ).toString('base64url');
    await t
      .http()
      .get('/v1/member-session')
      .set(as(`${h}.${payload}.${s}`))
      .expect(401);
    await t.http().get('/v1/member-session').expect(401);
  });

  it('refuses an expired token, and a token of a member erased since', async () => {
    const m = await createMember(t.app, a);
    const expired = t.app.get(JwtService).sign(
      { sub: m.id, brandId: a.id, typ: 'member' },
      {
        // the member key, as the service derives it, so only the expiry is wrong
        secret: (
          t.app.get(await import('@siyu/members').then((x) => x.MemberTokenService)) as unknown as {
            secret: string;
          }
        ).secret,
        audience: 'siyu-member',
        issuer: 'siyu',
        expiresIn: -10,
      },
    );
    expect((await t.http().get('/v1/member-session').set(as(expired)).expect(401)).body.code).toBe(
      'MEMBER_TOKEN_EXPIRED',
    );
    const { token } = (await mint(a, m.id).expect(201)).body;
    await t.app.get(DataSource).query(`UPDATE members SET erased_at = now() WHERE id = $1`, [m.id]);
    await t.http().get('/v1/member-session').set(as(token)).expect(401);
    expect((await mint(a, m.id).expect(409)).body.code).toBe('MEMBER_NOT_ACTIVE');
  });

  it("answers 404 for another brand's member, 400 for bad input, 403 for a marketer", async () => {
    const m = await createMember(t.app, a);
    await mint(b, m.id).expect(404);
    const bad = await mint(a, m.id, { ttlSeconds: 10 }).expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'ttlSeconds' })]);
    await mint(a, m.id, { ttlSeconds: 86_401 }).expect(400);
    await mint(a, 'not-a-uuid').expect(400);
    const marketer = await createOperator(t.app, a, 'marketer');
    await t.http().post(`/v1/members/${m.id}/tokens`).set(as(marketer.token)).send({}).expect(403);
  });
});
