import { createHash, randomUUID } from 'node:crypto';
import { DrawEntriesService } from '@siyu/draws';
import { DataSource } from 'typeorm';
import { createApiKey } from './factories/api-key.factory';
import { createBrand, createOperator, TestBrand, TestOperator } from './factories/brand.factory';
import { drawBody, insertMembers, memberToken } from './factories/draw.factory';
import { createTestApp, TestApp } from './harness';

describe('draws (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let a: TestBrand;
  let b: TestBrand;
  let marketer: TestOperator;
  const as = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    a = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
    b = await createBrand(t.app);
    marketer = await createOperator(t.app, a, 'marketer');
  });
  afterAll(() => t.close());

  const api = (brand: TestBrand) => ({
    get: (path: string) => t.http().get(path).set(as(brand.owner.token)),
    post: (path: string, body?: object) =>
      t
        .http()
        .post(path)
        .set(as(brand.owner.token))
        .send(body ?? {}),
    patch: (path: string, body: object) => t.http().patch(path).set(as(brand.owner.token)).send(body),
    delete: (path: string) => t.http().delete(path).set(as(brand.owner.token)),
  });

  async function openDraw(brand: TestBrand, over: Record<string, unknown> = {}): Promise<{ id: string }> {
    const created = await api(brand).post('/v1/draws', drawBody(over)).expect(201);
    await api(brand).post(`/v1/draws/${created.body.id}/publish`).expect(200);
    return created.body;
  }

  describe('validation: 400 problem+json naming the field, nothing saved', () => {
    const prize = { name: 'p', weight: 1, kind: 'physical' };
    it.each([
      ['negative weight', { prizes: [{ ...prize, weight: -1 }] }, 'prizes[0].weight'],
      ['zero weight', { prizes: [{ ...prize, weight: 0 }] }, 'prizes[0].weight'],
      ['fractional weight', { prizes: [{ ...prize, weight: 1.5 }] }, 'prizes[0].weight'],
      ['negative stock', { prizes: [prize, { ...prize, stock: -3 }] }, 'prizes[1].stock'],
      ['negative fallback weight', { fallbackWeight: -1 }, 'fallbackWeight'],
      [
        'window ending before it starts',
        { startsAt: '2026-12-02T00:00:00+08:00', endsAt: '2026-12-01T00:00:00+08:00' },
        'endsAt',
      ],
      [
        'window of zero length',
        { startsAt: '2026-12-01T00:00:00Z', endsAt: '2026-12-01T08:00:00+08:00' },
        'endsAt',
      ],
      ['start without an offset', { startsAt: '2026-12-01T00:00:00' }, 'startsAt'],
      ['no prizes', { prizes: [] }, 'prizes'],
      ['unknown kind', { prizes: [{ ...prize, kind: 'cash' }] }, 'prizes[0].kind'],
      ['coupon without template', { prizes: [{ ...prize, kind: 'coupon' }] }, 'prizes[0].couponTemplateId'],
      ['zero limit', { limitPerDay: 0 }, 'limitPerDay'],
      ['negative limit', { limitTotal: -2 }, 'limitTotal'],
      ['bad tier id', { eligibility: { tierIds: ['x'] } }, 'eligibility.tierIds'],
      ['unknown field', { odds: 3 }, 'odds'],
    ])('%s', async (_label, over, field) => {
      const before = await ds.query(`SELECT count(*)::int AS n FROM draws WHERE brand_id = $1`, [a.id]);
      const res = await api(a).post('/v1/draws', drawBody(over)).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(await ds.query(`SELECT count(*)::int AS n FROM draws WHERE brand_id = $1`, [a.id])).toEqual(
        before,
      );
    });

    it('a bad id is a 400, an entry body with junk is a 400', async () => {
      await api(a).get('/v1/draws/nope').expect(400);
      const d = await openDraw(a);
      const r = await api(a).post(`/v1/draws/${d.id}/entries`, { memberId: 'x' }).expect(400);
      expect(r.body.errors[0].field).toBe('memberId');
      await api(a).post(`/v1/draws/${d.id}/entries`, {}).expect(400);
    });
  });

  it('422 for eligibility references that are not the brand’s', async () => {
    const [tier] = await ds.query(
      `INSERT INTO tiers (brand_id, name, rank, threshold) VALUES ($1, 'Gold', 0, 0) RETURNING id`,
      [b.id],
    );
    const res = await api(a)
      .post(
        '/v1/draws',
        drawBody({ eligibility: { tierIds: [tier.id], segmentId: randomUUID(), groupIds: [randomUUID()] } }),
      )
      .expect(422);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'eligibility.groupIds[0]',
      'eligibility.segmentId',
      'eligibility.tierIds[0]',
    ]);
  });

  it('draft → published (seed committed) → closed (seed revealed), audited; drafts edit, published draws do not', async () => {
    const created = await api(a).post('/v1/draws', drawBody()).expect(201);
    const id = created.body.id;
    expect(created.body).toMatchObject({ state: 'draft', commitment: null, fallbackName: '谢谢参与' });
    expect(
      created.body.prizes.map((p: { name: string; remaining: number | null }) => [p.name, p.remaining]),
    ).toEqual([
      ['保温杯', 5],
      ['贴纸', null],
    ]);
    const edited = await api(a).patch(`/v1/draws/${id}`, { name: '改名', limitPerDay: 3 }).expect(200);
    expect(edited.body).toMatchObject({ name: '改名', limitPerDay: 3 });
    await api(a).patch(`/v1/draws/${id}`, { endsAt: '2020-01-01T00:00:00Z' }).expect(400);

    const published = await api(a).post(`/v1/draws/${id}/publish`).expect(200);
    expect(published.body.state).toBe('open');
    expect(published.body.commitment).toMatch(/^[0-9a-f]{64}$/);
    expect(published.body).not.toHaveProperty('seed');
    await api(a).post(`/v1/draws/${id}/publish`).expect(409);
    expect((await api(a).patch(`/v1/draws/${id}`, { name: 'x' }).expect(409)).body.code).toBe(
      'DRAW_INVALID_STATE',
    );
    await api(a).delete(`/v1/draws/${id}`).expect(409);

    const before = await api(a).get(`/v1/draws/${id}/verify`).expect(200);
    expect(before.body).toMatchObject({
      seed: null,
      seedRevealed: false,
      commitment: published.body.commitment,
    });

    const closed = await api(a).post(`/v1/draws/${id}/close`).expect(200);
    expect(closed.body.state).toBe('closed');
    await api(a).post(`/v1/draws/${id}/close`).expect(409);
    const after = await api(a).get(`/v1/draws/${id}/verify`).expect(200);
    expect(after.body.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(createHash('sha256').update(Buffer.from(after.body.seed, 'hex')).digest('hex')).toBe(
      published.body.commitment,
    );
    const audit: Array<{ action: string; after: unknown }> = await ds.query(
      `SELECT action, after FROM audit_log WHERE brand_id = $1 AND entity_id = $2 ORDER BY id`,
      [a.id, id],
    );
    expect(audit.map((x) => x.action)).toEqual([
      'draw.created',
      'draw.updated',
      'draw.published',
      'draw.closed',
    ]);
    expect(JSON.stringify(audit)).not.toContain(after.body.seed);

    const draft = await api(a).post('/v1/draws', drawBody()).expect(201);
    await api(a).delete(`/v1/draws/${draft.body.id}`).expect(204);
    await api(a).get(`/v1/draws/${draft.body.id}`).expect(404);
  });

  it('discloses prizes, quantities, odds, rules and the stock rule, to members and operators', async () => {
    const d = await openDraw(a, { limitPerDay: 3, limitTotal: 10 });
    const [memberId] = await insertMembers(t.app, a, 1);
    const token = await memberToken(t.app, a, memberId);
    const res = await t.http().get(`/v1/draws/${d.id}/disclosure`).set(as(token)).expect(200);
    expect(res.body).toMatchObject({
      state: 'open',
      rules: '每人每天 3 次；实物奖品 7 天内寄出',
      timeZone: 'Asia/Shanghai',
      totalWeight: 100,
      limits: { perMember: 10, perMemberPerDay: 3, dayStartsAt: '00:00 Asia/Shanghai' },
      prizes: [
        { name: '保温杯', quantity: 5, remaining: 5, weight: 10, odds: '0.100000', note: '7 天内寄出' },
        { name: '贴纸', quantity: null, weight: 40, odds: '0.400000' },
      ],
      fallback: { name: '谢谢参与', weight: 50, odds: '0.500000', oddsNow: '0.500000' },
      eligibility: { summary: 'every member of the brand' },
      fairness: { seedRevealed: false, commitment: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(res.body.stockRule).toContain('falls to the fallback');
    await t.http().get(`/v1/draws/${d.id}/disclosure`).set(as(marketer.token)).expect(200);
  });

  it('enters by member token and by an operator for a member; results, stats and stock agree', async () => {
    const d = await openDraw(a, {
      fallbackWeight: 0,
      prizes: [{ name: '杯', weight: 1, stock: 3, kind: 'physical', note: '寄出' }],
    });
    const members = await insertMembers(t.app, a, 5);
    const token = await memberToken(t.app, a, members[0]);
    const mine = await t.http().post(`/v1/draws/${d.id}/entries`).set(as(token)).send({}).expect(201);
    expect(mine.body).toMatchObject({
      memberId: members[0],
      outcome: 'won',
      prize: { name: '杯', note: '寄出' },
    });
    // a member cannot enter for someone else
    await t
      .http()
      .post(`/v1/draws/${d.id}/entries`)
      .set(as(token))
      .send({ memberId: members[1] })
      .expect(400);
    for (const m of members.slice(1))
      await api(a).post(`/v1/draws/${d.id}/entries`, { memberId: m }).expect(201);
    const stats = await api(a).get(`/v1/draws/${d.id}/stats`).expect(200);
    expect(stats.body).toMatchObject({
      entries: 5,
      entrants: 5,
      winners: 3,
      fallback: { drawn: 0, outOfStock: 2, prizeUnavailable: 0 },
      prizes: [{ name: '杯', stock: 3, remaining: 0, won: 3, outOfStock: 2 }],
    });
    const disclosure = await api(a).get(`/v1/draws/${d.id}/disclosure`).expect(200);
    expect(disclosure.body.fallback.oddsNow).toBe('1.000000');
    expect(disclosure.body.stockRule).toContain('Out of stock now: 杯');
    // a member sees only their own entries; an operator sees all
    const own = await t.http().get(`/v1/draws/${d.id}/entries`).set(as(token)).expect(200);
    expect(own.body.items.map((e: { memberId: string }) => e.memberId)).toEqual([members[0]]);
    expect((await api(a).get(`/v1/draws/${d.id}/entries?limit=2`).expect(200)).body.items).toHaveLength(2);
    // a marketer reads but may not enter for a member
    await t
      .http()
      .post(`/v1/draws/${d.id}/entries`)
      .set(as(marketer.token))
      .send({ memberId: members[1] })
      .expect(403);
  });

  it('takes entries from a machine client (API key) for a member, within its role and its brand', async () => {
    const d = await openDraw(a, {
      fallbackWeight: 0,
      prizes: [{ name: '券', weight: 1, stock: 10, kind: 'physical' }],
    });
    const [m1, m2] = await insertMembers(t.app, a, 2);
    const key = await createApiKey(t.app, a, 'operator');
    // as X-Api-Key, and as Bearer sk_…
    const viaHeader = await t
      .http()
      .post(`/v1/draws/${d.id}/entries`)
      .set('x-api-key', key.key)
      .send({ memberId: m1 })
      .expect(201);
    expect(viaHeader.body).toMatchObject({ memberId: m1, outcome: 'won' });
    await t.http().post(`/v1/draws/${d.id}/entries`).set(as(key.key)).send({ memberId: m2 }).expect(201);
    // the entries record the key as who entered them
    const rows = await ds.query(
      `SELECT actor_type, actor_id FROM draw_entries WHERE draw_id = $1 ORDER BY member_id`,
      [d.id],
    );
    expect(rows).toEqual([
      { actor_type: 'api_key', actor_id: key.id },
      { actor_type: 'api_key', actor_id: key.id },
    ]);
    // a key must name the member
    const noMember = await t.http().post(`/v1/draws/${d.id}/entries`).set('x-api-key', key.key).send({});
    expect(noMember.status).toBe(400);
    expect(noMember.body.errors).toEqual([expect.objectContaining({ field: 'memberId' })]);
    // a key whose role may not enter (marketer), a wrong key, another brand's key
    const readOnly = await createApiKey(t.app, a, 'marketer');
    await t
      .http()
      .post(`/v1/draws/${d.id}/entries`)
      .set('x-api-key', readOnly.key)
      .send({ memberId: m1 })
      .expect(403);
    const wrong = await t
      .http()
      .post(`/v1/draws/${d.id}/entries`)
      .set('x-api-key', `${key.key.slice(0, -4)}0000`)
      .send({ memberId: m1 });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('API_KEY_INVALID');
    const bKey = await createApiKey(t.app, b, 'operator');
    await t
      .http()
      .post(`/v1/draws/${d.id}/entries`)
      .set('x-api-key', bKey.key)
      .send({ memberId: m1 })
      .expect(404);
    const stats = await api(a).get(`/v1/draws/${d.id}/stats`).expect(200);
    expect(stats.body).toMatchObject({ entries: 2, entrants: 2, winners: 2 });
  });

  it('is closed to entries before its window, after it, when closed and while a draft', async () => {
    const [m] = await insertMembers(t.app, a, 1);
    const token = await memberToken(t.app, a, m);
    const later = await openDraw(a, {
      startsAt: new Date(Date.now() + 3_600_000).toISOString(),
      endsAt: new Date(Date.now() + 7_200_000).toISOString(),
    });
    expect((await api(a).get(`/v1/draws/${later.id}`).expect(200)).body.state).toBe('scheduled');
    expect((await t.http().post(`/v1/draws/${later.id}/entries`).set(as(token)).expect(409)).body.code).toBe(
      'DRAW_NOT_OPEN',
    );
    const draft = await api(a).post('/v1/draws', drawBody()).expect(201);
    await t.http().post(`/v1/draws/${draft.body.id}/entries`).set(as(token)).expect(404);
    await t.http().get(`/v1/draws/${draft.body.id}/disclosure`).set(as(token)).expect(404);
    expect(
      (await api(a).post(`/v1/draws/${draft.body.id}/entries`, { memberId: m }).expect(409)).body.code,
    ).toBe('DRAW_INVALID_STATE');
    const open = await openDraw(a);
    await api(a).post(`/v1/draws/${open.id}/close`).expect(200);
    expect((await t.http().post(`/v1/draws/${open.id}/entries`).set(as(token)).expect(409)).body.code).toBe(
      'DRAW_CLOSED',
    );
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM draw_entries WHERE member_id = $1`, [m]);
    expect(n).toBe(0);
  });

  it('checks eligibility (tier, group chat, segment) in SQL for the one member: 403 naming the condition', async () => {
    const [gold] = await ds.query(
      `INSERT INTO tiers (brand_id, name, rank, threshold) VALUES ($1, 'Gold', 1, 100) RETURNING id`,
      [a.id],
    );
    const [group] = await ds.query(
      `INSERT INTO community_groups (brand_id, chat_id, name) VALUES ($1, $2, '粉丝群') RETURNING id`,
      [a.id, `wr${randomUUID().slice(0, 8)}`],
    );
    const [inBoth, goldOnly, neither] = await insertMembers(t.app, a, 3);
    for (const m of [inBoth, goldOnly])
      await ds.query(
        `INSERT INTO member_tiers (member_id, brand_id, tier_id, since, evaluated_at) VALUES ($1, $2, $3, now(), now())`,
        [m, a.id, gold.id],
      );
    await ds.query(
      `INSERT INTO community_group_members (brand_id, group_id, userid, member_type, member_id, joined_at)
       VALUES ($1, $2, 'wm-x', 'external', $3, now())`,
      [a.id, group.id, inBoth],
    );
    const d = await openDraw(a, { eligibility: { tierIds: [gold.id], groupIds: [group.id] } });
    await api(a).post(`/v1/draws/${d.id}/entries`, { memberId: inBoth }).expect(201);
    const r1 = await api(a).post(`/v1/draws/${d.id}/entries`, { memberId: goldOnly }).expect(403);
    expect(r1.body).toMatchObject({ code: 'DRAW_NOT_ELIGIBLE', errors: [{ field: 'eligibility.groupIds' }] });
    const r2 = await api(a).post(`/v1/draws/${d.id}/entries`, { memberId: neither }).expect(403);
    expect(r2.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'eligibility.tierIds',
      'eligibility.groupIds',
    ]);
    const disclosure = await api(a).get(`/v1/draws/${d.id}/disclosure`).expect(200);
    expect(disclosure.body.eligibility).toMatchObject({ tiers: ['Gold'], groupChats: ['粉丝群'] });

    const [fromDouyin] = await insertMembers(t.app, a, 1);
    await ds.query(`UPDATE members SET source_channel = 'douyin' WHERE id = $1`, [fromDouyin]);
    const segment = await api(a)
      .post('/v1/segments', {
        name: `douyin ${randomUUID().slice(0, 6)}`,
        rule: { all: [{ field: 'source_channel', op: 'eq', value: 'douyin' }] },
      })
      .expect(201);
    const s = await openDraw(a, { eligibility: { segmentId: segment.body.id } });
    await api(a).post(`/v1/draws/${s.id}/entries`, { memberId: fromDouyin }).expect(201);
    const r3 = await api(a).post(`/v1/draws/${s.id}/entries`, { memberId: goldOnly }).expect(403);
    expect(r3.body.errors).toEqual([expect.objectContaining({ field: 'eligibility.segmentId' })]);
  });

  describe('tenancy: another brand’s draws answer 404', () => {
    it('to operators and to member tokens of the other brand', async () => {
      const d = await openDraw(a);
      const [bMember] = await insertMembers(t.app, b, 1);
      const bToken = await memberToken(t.app, b, bMember);
      for (const path of ['', '/disclosure', '/verify', '/stats', '/entries'])
        await api(b).get(`/v1/draws/${d.id}${path}`).expect(404);
      await api(b).patch(`/v1/draws/${d.id}`, { name: 'x' }).expect(404);
      await api(b).post(`/v1/draws/${d.id}/close`).expect(404);
      await api(b).post(`/v1/draws/${d.id}/entries`, { memberId: bMember }).expect(404);
      const r = await t.http().post(`/v1/draws/${d.id}/entries`).set(as(bToken)).send({}).expect(404);
      expect(r.body.code).toBe('DRAW_NOT_FOUND');
      await t.http().get(`/v1/draws/${d.id}/disclosure`).set(as(bToken)).expect(404);
      await t.http().get(`/v1/draws/${d.id}/verify`).set(as(bToken)).expect(404);
      // brand A's operator entering brand B's member in A's draw: the member is not found
      await api(a).post(`/v1/draws/${d.id}/entries`, { memberId: bMember }).expect(404);
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM draw_entries WHERE draw_id = $1`, [
        d.id,
      ]);
      expect(n).toBe(0);
    });
  });

  describe('coupon prizes, issued by the coupons lib in the entry transaction', () => {
    async function couponTemplate(body: Record<string, unknown> = {}): Promise<string> {
      const res = await api(a)
        .post('/v1/coupon-templates', {
          name: '抽奖 ¥20',
          kind: 'fixed_amount',
          amountOffMinor: 2000,
          ...body,
        })
        .expect(201);
      await api(a).post(`/v1/coupon-templates/${res.body.id}/activate`).expect(200);
      return res.body.id;
    }
    const couponsOf = (
      memberId: string,
      templateId: string,
    ): Promise<Array<{ code: string; source: string; source_ref: string }>> =>
      ds.query(`SELECT code, source, source_ref FROM coupons WHERE member_id = $1 AND template_id = $2`, [
        memberId,
        templateId,
      ]);

    it('issues a won coupon at once; a spent budget gives the fallback and puts the stock back', async () => {
      const bad = await api(a)
        .post(
          '/v1/draws',
          drawBody({ prizes: [{ name: '券', weight: 1, kind: 'coupon', couponTemplateId: randomUUID() }] }),
        )
        .expect(422);
      expect(bad.body.errors[0].field).toBe('prizes[0].couponTemplateId');
      const good = await couponTemplate();
      const d = await openDraw(a, {
        fallbackWeight: 0,
        prizes: [{ name: '20 元券', weight: 1, stock: 2, kind: 'coupon', couponTemplateId: good }],
      });
      const [m1, m2, m3] = await insertMembers(t.app, a, 3);
      const win = await api(a).post(`/v1/draws/${d.id}/entries`, { memberId: m1 }).expect(201);
      expect(win.body).toMatchObject({ outcome: 'won', prize: { kind: 'coupon' } });
      const held = await couponsOf(m1, good);
      expect(held).toEqual([{ code: win.body.coupon.code, source: 'draw', source_ref: win.body.id }]);

      // A template whose count budget is already spent: the winner gets the fallback, stock stays.
      const spent = await couponTemplate({ budgetCount: 1 });
      await api(a).post(`/v1/coupon-templates/${spent}/issue`, { memberId: m3 }).expect(201);
      const r = await openDraw(a, {
        fallbackWeight: 0,
        prizes: [{ name: '无预算券', weight: 1, stock: 2, kind: 'coupon', couponTemplateId: spent }],
      });
      const lost = await api(a).post(`/v1/draws/${r.id}/entries`, { memberId: m2 }).expect(201);
      expect(lost.body).toMatchObject({
        outcome: 'fallback',
        fallbackReason: 'prize_unavailable',
        detail: 'budget_exhausted',
        coupon: null,
      });
      expect(await couponsOf(m2, spent)).toEqual([]);
      const stats = await api(a).get(`/v1/draws/${r.id}/stats`).expect(200);
      expect(stats.body.prizes[0]).toMatchObject({ remaining: 2, won: 0, unavailable: 1 });
    });

    it('rolls the coupon back with the win when the entry transaction fails', async () => {
      const good = await couponTemplate();
      const d = await openDraw(a, {
        fallbackWeight: 0,
        prizes: [{ name: '券', weight: 1, stock: 1, kind: 'coupon', couponTemplateId: good }],
      });
      const [m] = await insertMembers(t.app, a, 1);
      const entries = t.app.get(DrawEntriesService);
      // an actor type the entries table refuses makes the final INSERT fail after the coupon was issued
      await expect(
        entries.enter({ brandId: a.id, actorType: 'bogus' as 'system', actorId: null }, d.id, m),
      ).rejects.toThrow();
      const [{ remaining }] = await ds.query(`SELECT remaining FROM draw_prizes WHERE draw_id = $1`, [d.id]);
      expect(remaining).toBe(1);
      expect(await couponsOf(m, good)).toEqual([]);
    });
  });
});
