import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { DataSource } from 'typeorm';
import { createBrand, createOperator, TestBrand, TestOperator } from './factories/brand.factory';
import { createMember, createTag, uniquePhone } from './factories/member.factory';
import { createTestApp, TestApp } from './harness';

describe('segments (e2e)', () => {
  let t: TestApp;
  let ds: DataSource;
  let brand: TestBrand;
  let cm: TestOperator;
  let operator: TestOperator;
  let marketer: TestOperator;
  let tea: { id: string; name: string };
  let vip: { id: string; name: string };
  const members: Record<string, string> = {};
  const as = (who: { token: string }) => ({ authorization: `Bearer ${who.token}` });
  const owner = () => as(brand.owner);
  const wecomTea = () => ({
    all: [
      { field: 'source_channel', op: 'eq', value: 'wecom' },
      { field: 'tags', op: 'has_any', value: [tea.id] },
    ],
  });

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    brand = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
    [cm, operator, marketer] = await Promise.all(
      (['community_manager', 'operator', 'marketer'] as const).map((r) => createOperator(t.app, brand, r)),
    );
    tea = await createTag(t.app, brand, 'tea-lover');
    vip = await createTag(t.app, brand, 'vip');
    const specs: Array<[string, object]> = [
      ['ann', { sourceChannel: 'wecom', tagIds: [tea.id, vip.id], identities: { phone: uniquePhone() } }],
      ['bob', { sourceChannel: 'wecom', tagIds: [tea.id], nickname: '=HYPERLINK("http://evil")' }],
      ['cat', { sourceChannel: 'wecom', tagIds: [tea.id], city: `x'); DROP TABLE members; --` }],
      ['dan', { sourceChannel: 'douyin', tagIds: [tea.id] }],
      ['eve', { sourceChannel: 'wecom' }],
    ];
    for (const [name, dto] of specs) members[name] = (await createMember(t.app, brand, dto)).id;
    // orders and tiers land with other issues: written straight to their tables here
    const [gold] = await ds.query(
      `INSERT INTO tiers (brand_id, name, rank, threshold) VALUES ($1, 'Gold', 2, 100000) RETURNING id`,
      [brand.id],
    );
    await ds.query(
      `INSERT INTO member_tiers (member_id, brand_id, tier_id, since, evaluated_at) VALUES ($1, $2, $3, now(), now())`,
      [members.ann, brand.id, gold.id],
    );
    await ds.query(
      `INSERT INTO orders (brand_id, member_id, source, external_id, status, currency, amount_minor, placed_at)
       VALUES ($1, $2, 'store', $3, 'paid', 'CNY', 128800, now() - interval '3 days')`,
      [brand.id, members.ann, randomUUID()],
    );
    await ds.query(
      `UPDATE members SET order_count = 1, paid_spend_minor = 128800, first_order_at = now() - interval '3 days',
              last_order_at = now() - interval '3 days' WHERE id = $1`,
      [members.ann],
    );
  });
  afterAll(() => t.close());

  const preview = (rule: unknown, headers = owner()) =>
    t.http().post('/v1/segments/preview').set(headers).send({ rule });

  describe('preview and validation', () => {
    it('counts and samples members, phones masked, with tier, tags and orders', async () => {
      const res = await preview(wecomTea(), as(marketer)).expect(200);
      expect(res.body.count).toBe(3);
      expect(res.body.sample.map((m: { id: string }) => m.id).sort()).toEqual(
        [members.ann, members.bob, members.cat].sort(),
      );
      const ann = res.body.sample.find((m: { id: string }) => m.id === members.ann);
      expect(ann).toMatchObject({
        sourceChannel: 'wecom',
        tier: 'Gold',
        orderCount: 1,
        paidSpendMinor: '128800',
        tags: ['tea-lover', 'vip'],
      });
      expect(ann.phone).toMatch(/^\+86139\*{4}\d{4}$/);
      const spend = await preview({
        all: [
          { field: 'tier', op: 'rank_gte', value: 2 },
          { field: 'spend_within_days', op: 'gte', value: 100000, days: 365 },
          { field: 'days_since_last_order', op: 'lte', value: 3 },
        ],
      }).expect(200);
      expect(spend.body.count).toBe(1);
    });

    it('answers 400 problem+json with the path of the bad node', async () => {
      const res = await preview({
        all: [
          { field: 'source_channel', op: 'eq', value: 'wecom' },
          { field: 'tags', op: 'has_any', value: [tea.id] },
          { any: [{ field: 'order_count', op: 'gte', value: 'lots' }] },
        ],
      }).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        status: 400,
        code: 'SEGMENT_RULE_INVALID',
        errors: [{ field: 'rule.all[2].any[0].value', message: expect.stringMatching(/integer/) }],
      });
      expect(
        (await preview({ all: [{ field: 'shoe_size', op: 'eq', value: 1 }] }).expect(400)).body.errors,
      ).toEqual([{ field: 'rule.all[0].field', message: 'unknown field "shoe_size"' }]);
      expect((await preview({ field: 'tags', op: 'gte', value: 1 }).expect(400)).body.errors[0].field).toBe(
        'rule.op',
      );
      let deep: unknown = { field: 'reachable', op: 'eq', value: true };
      for (let i = 0; i < 6; i++) deep = { any: [deep] };
      expect((await preview(deep).expect(400)).body.errors[0].field).toBe(
        'rule.any[0].any[0].any[0].any[0].any[0]',
      );
      const missing = await t.http().post('/v1/segments/preview').set(owner()).send({}).expect(400);
      expect(missing.body.errors[0].field).toBe('rule');
      const extra = await t
        .http()
        .post('/v1/segments/preview')
        .set(owner())
        .send({ rule: { all: [] }, sql: 'x' })
        .expect(400);
      expect(extra.body.errors[0].field).toBe('sql');
    });

    it('keeps injection attempts inert', async () => {
      const evil = await preview({ field: 'city', op: 'eq', value: `x'); DROP TABLE members; --` }).expect(
        200,
      );
      expect(evil.body.count).toBe(1);
      expect(evil.body.sample[0].id).toBe(members.cat);
      const widen = await preview({ field: 'city', op: 'contains', value: `' OR '1'='1` }).expect(200);
      expect(widen.body.count).toBe(0);
      const badEnum = await preview({
        field: 'source_channel',
        op: 'in',
        value: [`wecom' OR 1=1 --`],
      }).expect(400);
      expect(badEnum.body.errors[0].field).toBe('rule.value[0]');
      const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM members WHERE brand_id = $1`, [
        brand.id,
      ]);
      expect(n).toBe(5);
    });
  });

  describe('saved segments', () => {
    it('create, list, read, update with a fresh count, delete — audited, names unique per brand', async () => {
      const created = await t
        .http()
        .post('/v1/segments')
        .set(as(cm))
        .send({ name: 'Tea lovers on WeCom', description: 'for the autumn tasting', rule: wecomTea() })
        .expect(201);
      expect(created.body).toMatchObject({
        name: 'Tea lovers on WeCom',
        memberCount: 3,
        includeErased: false,
      });
      expect(new Date(created.body.countedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      const id = created.body.id;
      const dup = await t
        .http()
        .post('/v1/segments')
        .set(owner())
        .send({ name: 'Tea lovers on WeCom', rule: { all: [] } })
        .expect(409);
      expect(dup.body.code).toBe('SEGMENT_NAME_TAKEN');

      await t
        .http()
        .post('/v1/segments')
        .set(owner())
        .send({ name: 'Everyone', rule: { all: [] } })
        .expect(201);
      const page1 = await t.http().get('/v1/segments?limit=1').set(as(marketer)).expect(200);
      expect(page1.body.items.map((s: { name: string }) => s.name)).toEqual(['Everyone']);
      const page2 = await t
        .http()
        .get(`/v1/segments?limit=1&cursor=${page1.body.nextCursor}`)
        .set(as(marketer))
        .expect(200);
      expect(page2.body.items.map((s: { name: string }) => s.name)).toEqual(['Tea lovers on WeCom']);
      expect(page2.body.nextCursor).toBeNull();

      expect((await t.http().get(`/v1/segments/${id}`).set(as(marketer)).expect(200)).body.rule).toEqual(
        wecomTea(),
      );
      const patched = await t
        .http()
        .patch(`/v1/segments/${id}`)
        .set(as(operator))
        .send({ rule: { all: [...wecomTea().all, { field: 'tags', op: 'has_any', value: [vip.id] }] } })
        .expect(200);
      expect(patched.body).toMatchObject({ name: 'Tea lovers on WeCom', memberCount: 1 });
      const renamed = await t
        .http()
        .patch(`/v1/segments/${id}`)
        .set(owner())
        .send({ name: 'VIP tea on WeCom' })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: 'VIP tea on WeCom', memberCount: 1 });

      const audit = await t
        .http()
        .get(`/v1/audit-log?entityType=segment&entityId=${id}`)
        .set(owner())
        .expect(200);
      expect(audit.body.items.map((a: { action: string }) => a.action).sort()).toEqual([
        'segment.create',
        'segment.update',
        'segment.update',
      ]);
      await t.http().delete(`/v1/segments/${id}`).set(as(cm)).expect(200);
      await t.http().get(`/v1/segments/${id}`).set(owner()).expect(404);
    });

    it('refuses a rule naming another brand’s tag, with its path', async () => {
      const other = await createBrand(t.app);
      const theirs = await createTag(t.app, other, 'tea-lover');
      const res = await t
        .http()
        .post('/v1/segments')
        .set(owner())
        .send({
          name: 'Theirs',
          rule: { all: [{ field: 'tags', op: 'has_all', value: [tea.id, theirs.id] }] },
        })
        .expect(400);
      expect(res.body.errors).toEqual([
        { field: 'rule.all[0].value[1]', message: expect.stringContaining(theirs.id) },
      ]);
    });

    it('pages its members by keyset', async () => {
      const seg = await t
        .http()
        .post('/v1/segments')
        .set(owner())
        .send({ name: 'All WeCom', rule: { field: 'source_channel', op: 'eq', value: 'wecom' } })
        .expect(201);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: {
          body: { items: Array<{ id: string; phone: string | null }>; nextCursor: string | null };
        } = await t
          .http()
          .get(`/v1/segments/${seg.body.id}/members`)
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(as(marketer))
          .expect(200);
        seen.push(...res.body.items.map((m) => m.id));
        for (const m of res.body.items) if (m.phone) expect(m.phone).toContain('****');
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([members.ann, members.bob, members.cat, members.eve].sort());
      const bad = Buffer.from(JSON.stringify(["'; DROP TABLE x"])).toString('base64url');
      const res = await t
        .http()
        .get(`/v1/segments/${seg.body.id}/members?cursor=${bad}`)
        .set(owner())
        .expect(400);
      expect(res.body.errors[0].field).toBe('cursor');
    });

    it('exports CSV streamed from Postgres: masked phones, inert formulas, operators and marketers only (audited)', async () => {
      const seg = await t
        .http()
        .post('/v1/segments')
        .set(owner())
        .send({ name: 'Export me', rule: wecomTea() })
        .expect(201);
      const res = await t
        .http()
        .get(`/v1/segments/${seg.body.id}/export`)
        .set(as(marketer))
        .buffer(true)
        .expect(200);
      expect(res.headers['content-type']).toContain('text/csv');
      expect(res.headers['content-disposition']).toContain(`segment-${seg.body.id}.csv`);
      const rows: Array<Record<string, string>> = parse(res.text, { columns: true });
      expect(rows.map((r) => r.member_id).sort()).toEqual([members.ann, members.bob, members.cat].sort());
      const ann = rows.find((r) => r.member_id === members.ann)!;
      expect(ann).toMatchObject({
        source_channel: 'wecom',
        tier: 'Gold',
        order_count: '1',
        paid_spend_minor: '128800',
        tags: 'tea-lover|vip',
      });
      expect(ann.phone_masked).toMatch(/^\+86139\*{4}\d{4}$/);
      expect(res.text).not.toMatch(/\+86139\d{8}/);
      expect(rows.find((r) => r.member_id === members.bob)!.nickname).toBe(`'=HYPERLINK("http://evil")`);
      await t.http().get(`/v1/segments/${seg.body.id}/export`).set(as(operator)).expect(200);
      await t.http().get(`/v1/segments/${seg.body.id}/export`).set(as(cm)).expect(403);
      const audit = await t.http().get(`/v1/audit-log?action=segment.export`).set(owner()).expect(200);
      expect(audit.body.items[0]).toMatchObject({ entityId: seg.body.id, actorId: operator.id });
    });

    it('snapshots an audience and pages it; later changes leave it as it was', async () => {
      const seg = await t
        .http()
        .post('/v1/segments')
        .set(as(cm))
        .send({ name: 'Snap me', rule: wecomTea() })
        .expect(201);
      const snap = await t
        .http()
        .post(`/v1/segments/${seg.body.id}/snapshots`)
        .set(as(cm))
        .send({ label: 'campaign:test' })
        .expect(201);
      expect(snap.body).toMatchObject({ segmentId: seg.body.id, label: 'campaign:test', count: 3 });
      expect(new Date(snap.body.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
      await createMember(t.app, brand, { sourceChannel: 'wecom', tagIds: [tea.id] });
      const page = await t
        .http()
        .get(`/v1/segments/snapshots/${snap.body.id}/members?limit=2`)
        .set(as(marketer))
        .expect(200);
      expect(page.body.items).toHaveLength(2);
      const rest = await t
        .http()
        .get(`/v1/segments/snapshots/${snap.body.id}/members?limit=2&cursor=${page.body.nextCursor}`)
        .set(as(marketer))
        .expect(200);
      expect([...page.body.items, ...rest.body.items].map((m: { id: string }) => m.id)).toEqual(
        [members.ann, members.bob, members.cat].sort(),
      );
      expect(rest.body.nextCursor).toBeNull();
      expect(
        (await t.http().get(`/v1/segments/snapshots/${snap.body.id}`).set(owner()).expect(200)).body.count,
      ).toBe(3);
      // the saved count moves on with the members; the snapshot does not
      expect(
        (await t.http().get(`/v1/segments/${seg.body.id}/members`).set(owner()).expect(200)).body.items,
      ).toHaveLength(4);
      await t.http().post(`/v1/segments/${seg.body.id}/snapshots`).set(as(marketer)).send({}).expect(403);
    });

    it('queues a recount and an RFM recompute (202, durable work items)', async () => {
      const seg = await t
        .http()
        .post('/v1/segments')
        .set(owner())
        .send({ name: 'Refresh me', rule: { all: [] } })
        .expect(201);
      const refresh = await t.http().post(`/v1/segments/${seg.body.id}/refresh`).set(as(cm)).expect(202);
      expect(refresh.body).toMatchObject({ workItemId: expect.any(String), status: 'pending' });
      const [item] = await ds.query(`SELECT queue, name, payload FROM work_items WHERE id = $1`, [
        refresh.body.workItemId,
      ]);
      expect(item).toMatchObject({
        queue: 'segments',
        name: 'segment-count-refresh',
        payload: { brandId: brand.id, segmentId: seg.body.id },
      });

      await t.http().post('/v1/segments/rfm/recompute').set(as(marketer)).expect(403);
      const rfm = await t.http().post('/v1/segments/rfm/recompute').set(as(operator)).expect(202);
      const again = await t.http().post('/v1/segments/rfm/recompute').set(as(cm)).expect(202);
      expect(again.body.workItemId).toBe(rfm.body.workItemId);
      const summary = await t.http().get('/v1/segments/rfm').set(as(marketer)).expect(200);
      expect(summary.body).toMatchObject({ computedAt: null, pending: true, scoredMembers: 0 });
      expect(summary.body.groups).toHaveLength(11);
    });

    it('tags every member of a segment in one bulk action (the segment audience resolver)', async () => {
      const seg = await t
        .http()
        .post('/v1/segments')
        .set(owner())
        .send({ name: 'Bulk me', rule: { field: 'source_channel', op: 'eq', value: 'douyin' } })
        .expect(201);
      const res = await t
        .http()
        .post('/v1/members/tags/bulk')
        .set(as(marketer))
        .send({ tagIds: [vip.id], action: 'add', segmentId: seg.body.id })
        .expect(200);
      expect(res.body).toEqual({ action: 'add', members: 1, changed: 1 });
      const check = await preview({ field: 'tags', op: 'has_all', value: [tea.id, vip.id] }).expect(200);
      expect(check.body.sample.map((m: { id: string }) => m.id)).toContain(members.dan);
      const unknown = await t
        .http()
        .post('/v1/members/tags/bulk')
        .set(owner())
        .send({ tagIds: [vip.id], action: 'add', segmentId: randomUUID() })
        .expect(404);
      expect(unknown.body.code).toBe('SEGMENT_NOT_FOUND');
    });

    it('lists the field catalogue for rule builders', async () => {
      const res = await t.http().get('/v1/segments/fields').set(as(marketer)).expect(200);
      const spend = res.body.find((f: { name: string }) => f.name === 'spend_within_days');
      expect(spend).toMatchObject({ category: 'orders', window: true });
      expect(spend.ops).toContainEqual({
        op: 'between',
        value: 'range<integer>',
        min: 0,
        max: expect.any(Number),
      });
      const channel = res.body.find((f: { name: string }) => f.name === 'source_channel');
      expect(channel.ops).toContainEqual(
        expect.objectContaining({
          op: 'in',
          value: 'list<string>',
          values: expect.arrayContaining(['wecom']),
        }),
      );
    });
  });

  describe('roles and tenancy', () => {
    it('lets marketers read, preview and export but not write', async () => {
      await t
        .http()
        .post('/v1/segments')
        .set(as(marketer))
        .send({ name: 'Nope', rule: { all: [] } })
        .expect(403);
      const seg = await t
        .http()
        .post('/v1/segments')
        .set(as(operator))
        .send({ name: 'Roles', rule: { all: [] } })
        .expect(201);
      await t.http().patch(`/v1/segments/${seg.body.id}`).set(as(marketer)).send({ name: 'x' }).expect(403);
      await t.http().delete(`/v1/segments/${seg.body.id}`).set(as(marketer)).expect(403);
      await t.http().post(`/v1/segments/${seg.body.id}/refresh`).set(as(marketer)).expect(403);
      await t.http().get(`/v1/segments/${seg.body.id}`).set(as(marketer)).expect(200);
      await t.http().get('/v1/segments').expect(401);
    });

    it('answers 404 for another brand’s segment and snapshot on every route', async () => {
      const seg = await t
        .http()
        .post('/v1/segments')
        .set(owner())
        .send({ name: 'Private', rule: wecomTea() })
        .expect(201);
      const snap = await t
        .http()
        .post(`/v1/segments/${seg.body.id}/snapshots`)
        .set(owner())
        .send({})
        .expect(201);
      const other = await createBrand(t.app);
      const them = as(other.owner);
      const id = seg.body.id;
      const checks = [
        t.http().get(`/v1/segments/${id}`).set(them),
        t.http().patch(`/v1/segments/${id}`).set(them).send({ name: 'mine now' }),
        t.http().delete(`/v1/segments/${id}`).set(them),
        t.http().get(`/v1/segments/${id}/members`).set(them),
        t.http().get(`/v1/segments/${id}/export`).set(them),
        t.http().post(`/v1/segments/${id}/snapshots`).set(them).send({}),
        t.http().post(`/v1/segments/${id}/refresh`).set(them),
        t.http().get(`/v1/segments/snapshots/${snap.body.id}`).set(them),
        t.http().get(`/v1/segments/snapshots/${snap.body.id}/members`).set(them),
        t
          .http()
          .post('/v1/members/tags/bulk')
          .set(them)
          .send({ tagIds: [(await createTag(t.app, other)).id], action: 'add', segmentId: id }),
      ];
      for (const res of await Promise.all(checks)) {
        expect(res.status).toBe(404);
        expect(JSON.stringify(res.body)).not.toContain('Private');
      }
      const list = await t.http().get('/v1/segments').set(them).expect(200);
      expect(list.body.items).toEqual([]);
      // their rule over our tag ids matches nothing of ours (and is refused)
      await t
        .http()
        .post('/v1/segments/preview')
        .set(them)
        .send({ rule: { field: 'tags', op: 'has_any', value: [tea.id] } })
        .expect(400);
      const everyone = await t
        .http()
        .post('/v1/segments/preview')
        .set(them)
        .send({ rule: { all: [] } })
        .expect(200);
      expect(everyone.body.count).toBe(0);
      await t.http().get('/v1/segments/not-a-uuid').set(owner()).expect(400);
    });
  });
});
