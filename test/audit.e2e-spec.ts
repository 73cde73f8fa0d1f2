import { createBrand, createOperator, TestBrand } from './factories/brand.factory';
import { createTestApp, TestApp } from './harness';

describe('audit log (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;
  const auth = () => ({ authorization: `Bearer ${brand.owner.token}` });

  beforeAll(async () => {
    t = await createTestApp();
    brand = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
  });
  afterAll(() => t.close());

  it('records who changed what, with before and after', async () => {
    await t
      .http()
      .patch('/v1/brand')
      .set(auth())
      .set('x-request-id', 'audit-req-1')
      .send({ timeZone: 'America/Los_Angeles' })
      .expect(200);
    const res = await t.http().get('/v1/audit-log?action=brand.update').set(auth()).expect(200);
    expect(res.body.items).toHaveLength(1);
    expect(res.body.items[0]).toMatchObject({
      actorType: 'operator',
      actorId: brand.owner.id,
      action: 'brand.update',
      entityType: 'brand',
      entityId: brand.id,
      requestId: 'audit-req-1',
      before: { timeZone: 'Asia/Shanghai' },
      after: { timeZone: 'America/Los_Angeles' },
    });
  });

  it('never stores secrets in before/after', async () => {
    const op = await createOperator(t.app, brand, 'marketer');
    await t
      .http()
      .patch(`/v1/operators/${op.id}`)
      .set(auth())
      .send({ password: 'a-brand-new-password' })
      .expect(200);
    const res = await t
      .http()
      .get(`/v1/audit-log?entityType=operator&entityId=${op.id}`)
      .set(auth())
      .expect(200);
    const entry = res.body.items[0];
    expect(entry.after.passwordChanged).toBe(true);
    expect(JSON.stringify(entry)).not.toMatch(/scrypt|a-brand-new-password|passwordHash/);
  });

  it('filters by actor and pages with a keyset cursor, newest first, without gaps or repeats', async () => {
    for (let i = 0; i < 7; i++) {
      await t.http().patch('/v1/brand').set(auth()).send({ frequencyCapCount: i }).expect(200);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/v1/audit-log?limit=3&actorId=${brand.owner.id}${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await t.http().get(q).set(auth()).expect(200);
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await t
      .http()
      .get(`/v1/audit-log?limit=500&actorId=${brand.owner.id}`)
      .set(auth())
      .expect(200);
    expect(seen).toEqual(all.body.items.map((e: { id: string }) => e.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.map(Number)).toEqual([...seen.map(Number)].sort((a, b) => b - a));
    expect(seen.length).toBeGreaterThanOrEqual(8);
  });

  it("shows only the caller's brand and is closed to marketers", async () => {
    const other = await createBrand(t.app);
    const res = await t
      .http()
      .get('/v1/audit-log?limit=500')
      .set('authorization', `Bearer ${other.owner.token}`)
      .expect(200);
    expect(res.body.items.every((e: { entityId: string }) => e.entityId !== brand.id)).toBe(true);
    const marketer = await createOperator(t.app, brand, 'marketer');
    await t.http().get('/v1/audit-log').set('authorization', `Bearer ${marketer.token}`).expect(403);
  });
});
