import { Controller, Get, Module } from '@nestjs/common';
import { Roles } from '@siyu/platform';
import { createBrand, TestBrand } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';

/** A test-only route that fails the way a bug would. */
@Controller('v1/test-boom')
class BoomController {
  @Get()
  @Roles('owner')
  boom(): never {
    throw new TypeError("Cannot read properties of undefined (reading 'x')");
  }
}

@Module({ controllers: [BoomController] })
class BoomModule {}

const PROBLEM = /^application\/problem\+json/;

describe('errors as problem+json (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;
  const auth = () => ({ authorization: `Bearer ${brand.owner.token}` });

  beforeAll(async () => {
    t = await createTestApp(BoomModule);
    brand = await createBrand(t.app);
  });
  afterAll(() => t.close());

  const brandName = async () => (await t.http().get('/v1/brand').set(auth()).expect(200)).body.name;

  it('rejects an unknown field, naming it, and changes nothing', async () => {
    const before = await brandName();
    const res = await t
      .http()
      .patch('/v1/brand')
      .set(auth())
      .send({ name: 'New name', isAdmin: true })
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', title: 'Bad Request' });
    expect(res.body.type).toMatch(/^https:\/\//);
    expect(res.body.traceId).toBe(res.headers['x-request-id']);
    expect(res.body.errors).toEqual([{ field: 'isAdmin', message: 'isAdmin is not an accepted field' }]);
    expect(await brandName()).toBe(before);
  });

  it('names every field with a wrong type or value', async () => {
    const res = await t
      .http()
      .patch('/v1/brand')
      .set(auth())
      .send({ timeZone: 'Mars/Olympus', frequencyCapCount: 'three', quietHoursStart: '25:00' })
      .expect(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
    expect([...new Set(fields)]).toEqual(['frequencyCapCount', 'quietHoursStart', 'timeZone']);
  });

  it('rejects a half-set quiet-hours window with the field named', async () => {
    const res = await t
      .http()
      .patch('/v1/brand')
      .set(auth())
      .send({ quietHoursStart: null, quietHoursEnd: '08:00' })
      .expect(400);
    expect(res.body.errors[0].field).toBe('quietHoursStart');
  });

  it('answers malformed JSON with 400', async () => {
    const res = await t
      .http()
      .patch('/v1/brand')
      .set(auth())
      .set('content-type', 'application/json')
      .send('{"name": "x",')
      .expect(400);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('MALFORMED_JSON');
  });

  it('answers an oversized body with 413', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(1_100_000) });
    const res = await t
      .http()
      .patch('/v1/brand')
      .set(auth())
      .set('content-type', 'application/json')
      .send(huge)
      .expect(413);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers an unsupported content type with 415', async () => {
    const res = await t
      .http()
      .patch('/v1/brand')
      .set(auth())
      .set('content-type', 'application/xml')
      .send('<a/>')
      .expect(415);
    expect(res.body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('maps a unique violation to 409 with the field', async () => {
    const body = {
      email: `dup-${brand.id.slice(0, 6)}@test.siyu`,
      name: 'Dup',
      password: 'long-enough-password',
      role: 'marketer',
    };
    await t.http().post('/v1/operators').set(auth()).send(body).expect(201);
    const res = await t.http().post('/v1/operators').set(auth()).send(body).expect(409);
    expect(res.body).toMatchObject({ code: 'OPERATOR_EMAIL_TAKEN', errors: [{ field: 'email' }] });
  });

  it('answers a malformed id with 400 and an unknown one with 404', async () => {
    const bad = await t.http().get('/v1/operators/not-a-uuid').set(auth()).expect(400);
    expect(bad.body.errors[0].field).toBe('id');
    await t.http().get('/v1/operators/7b0e3b8e-5d2a-4c1e-9f1a-2b3c4d5e6f70').set(auth()).expect(404);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await t.http().get('/v1/no-such-thing').set(auth()).expect(404);
    expect(res.headers['content-type']).toMatch(PROBLEM);
  });

  it('rejects a bad cursor and an out-of-range limit', async () => {
    const c = await t.http().get('/v1/audit-log?cursor=%%%').set(auth()).expect(400);
    expect(c.body.errors[0].field).toBe('cursor');
    const l = await t.http().get('/v1/audit-log?limit=100000').set(auth()).expect(400);
    expect(l.body.errors[0].field).toBe('limit');
  });

  it('turns an unknown error into 500 with a traceId and no internals', async () => {
    const res = await t
      .http()
      .get('/v1/test-boom')
      .set(auth())
      .set('x-request-id', 'trace-abc-123')
      .expect(500);
    expect(res.headers['content-type']).toMatch(PROBLEM);
    expect(res.body).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', traceId: 'trace-abc-123' });
    expect(JSON.stringify(res.body)).not.toContain('Cannot read properties');
  });
});
