import { randomUUID } from 'node:crypto';
import { MemberEventsService, MembersService } from '@siyu/members';
import { DataSource } from 'typeorm';
import { createApiKey } from './factories/api-key.factory';
import { createBrand, createOperator, TestBrand } from './factories/brand.factory';
import { createMember, createTag, uniquePhone } from './factories/member.factory';
import { recordOrder } from './factories/order.factory';
import { createTestApp, TestApp } from './harness';

describe('members (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;
  let auth: Record<string, string>;
  let ds: DataSource;

  beforeAll(async () => {
    t = await createTestApp();
    brand = await createBrand(t.app);
    auth = { authorization: `Bearer ${brand.owner.token}` };
    ds = t.app.get(DataSource);
  });
  afterAll(() => t.close());

  const upsert = (body: object, headers = auth) => t.http().post('/v1/members').set(headers).send(body);
  const uid = () => randomUUID().slice(0, 12);

  describe('identity upsert', () => {
    const kinds: Array<[string, () => Record<string, string>]> = [
      ['unionid', () => ({ unionid: `u-${uid()}` })],
      ['openid with its app id', () => ({ openid: `o-${uid()}`, appId: 'wx-app-a' })],
      ['WeCom external_userid', () => ({ externalUserId: `wm-${uid()}` })],
      ['phone', () => ({ phone: uniquePhone() })],
      ['store customer id', () => ({ storeCustomerId: `C-${uid()}` })],
    ];

    it.each(kinds)('creates by %s (201), then finds the same member by it (200)', async (_, identity) => {
      const identities = identity();
      const created = await upsert({ identities, nickname: 'First', sourceChannel: 'douyin' }).expect(201);
      expect(created.body).toMatchObject({
        created: true,
        nickname: 'First',
        sourceChannel: 'douyin',
        reachable: true,
      });
      const again = await upsert({ identities, nickname: 'Second' }).expect(200);
      expect(again.body).toMatchObject({ id: created.body.id, created: false, nickname: 'Second' });
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM member_identities WHERE member_id = $1`,
        [created.body.id],
      );
      expect(n).toBe(1);
    });

    it('keeps an openid per app: the same openid in another app is another person', async () => {
      const openid = `o-${uid()}`;
      const a = await upsert({ identities: { openid, appId: 'wx-app-a' } }).expect(201);
      const b = await upsert({ identities: { openid, appId: 'wx-app-b' } }).expect(201);
      expect(a.body.id).not.toBe(b.body.id);
    });

    it('normalises phones to E.164 (China numbers without a prefix), matches every spelling, masks lists', async () => {
      const national = uniquePhone();
      const e164 = `+86${national}`;
      const created = await upsert({ identities: { phone: national }, nickname: `Phone ${uid()}` }).expect(
        201,
      );
      expect(created.body.phone).toBe(e164);
      for (const spelling of [
        e164,
        `+86 ${national.slice(0, 3)} ${national.slice(3, 7)} ${national.slice(7)}`,
        `0086${national}`,
      ]) {
        const found = await upsert({ identities: { phone: spelling } }).expect(200);
        expect(found.body.id).toBe(created.body.id);
      }
      // stored as a keyed digest: the number itself is not in the identities table
      const raw = await ds.query(`SELECT value, hint FROM member_identities WHERE member_id = $1`, [
        created.body.id,
      ]);
      expect(raw).toEqual([
        {
          value: expect.stringMatching(/^[0-9a-f]{64}$/),
          hint: `+86${national.slice(0, 3)}****${national.slice(7)}`,
        },
      ]);
      // one member shows it; lists and searches mask it
      const one = await t.http().get(`/v1/members/${created.body.id}`).set(auth).expect(200);
      expect(one.body.phone).toBe(e164);
      const search = await t.http().get('/v1/members').query({ q: national }).set(auth).expect(200);
      expect(search.body.items.map((m: { id: string }) => m.id)).toEqual([created.body.id]);
      expect(search.body.items[0].phone).toBe(`+86${national.slice(0, 3)}****${national.slice(7)}`);
      expect(JSON.stringify(search.body)).not.toContain(national);
      // the lookup other libs use (channels, commerce) finds it by any spelling too
      const found = await t.app.get(MembersService).findByIdentity(brand.id, 'phone', `+86 ${national}`);
      expect(found?.id).toBe(created.body.id);
      expect(await t.app.get(MembersService).findByIdentity(brand.id, 'phone', 'not a phone')).toBeNull();
    });

    it('updates by another identity and adds the new ones to the same member', async () => {
      const unionid = `u-${uid()}`;
      const externalUserId = `wm-${uid()}`;
      const created = await upsert({ identities: { unionid }, nickname: 'Lin', city: '杭州' }).expect(201);
      await upsert({ identities: { unionid, externalUserId } }).expect(200);
      const byExternal = await upsert({
        identities: { externalUserId },
        city: '上海',
        birthday: '1993-04-05',
      }).expect(200);
      expect(byExternal.body).toMatchObject({
        id: created.body.id,
        nickname: 'Lin',
        city: '上海',
        birthday: '1993-04-05',
      });
      const one = await t.http().get(`/v1/members/${created.body.id}`).set(auth).expect(200);
      expect(one.body.identities).toEqual(
        expect.arrayContaining([
          { kind: 'unionid', appId: null, value: unionid },
          { kind: 'external_userid', appId: null, value: externalUserId },
        ]),
      );
    });

    it('answers 409 MEMBER_IDENTITY_CONFLICT naming both members when the identities belong to two', async () => {
      const a = await createMember(t.app, brand, { identities: { unionid: `u-${uid()}` } });
      const b = await createMember(t.app, brand, { identities: { externalUserId: `wm-${uid()}` } });
      const aUnion = (await ds.query(`SELECT value FROM member_identities WHERE member_id = $1`, [a.id]))[0]
        .value;
      const bExt = (await ds.query(`SELECT value FROM member_identities WHERE member_id = $1`, [b.id]))[0]
        .value;
      const res = await upsert({
        identities: { unionid: aUnion, externalUserId: bExt },
        nickname: 'Both',
      }).expect(409);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.code).toBe('MEMBER_IDENTITY_CONFLICT');
      expect(res.body.detail).toContain(a.id);
      expect(res.body.detail).toContain(b.id);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([
          { field: 'identities.unionid', message: `belongs to member ${a.id}` },
          { field: 'identities.externalUserId', message: `belongs to member ${b.id}` },
        ]),
      );
      // nothing changed
      const [{ nickname }] = await ds.query(`SELECT nickname FROM members WHERE id = $1`, [a.id]);
      expect(nickname).not.toBe('Both');
    });

    it('creates one member when two requests for the same new person race', async () => {
      const unionid = `u-${uid()}`;
      const results = await Promise.all([0, 1, 2, 3].map(() => upsert({ identities: { unionid } })));
      expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
      expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    });

    it('records first touch once: source channel, UTM and the earliest joinedAt', async () => {
      const unionid = `u-${uid()}`;
      await upsert({
        identities: { unionid },
        sourceChannel: 'xiaohongshu',
        utm: { source: 'xhs', medium: 'kol', campaign: 'spring' },
        joinedAt: '2025-03-01T00:00:00Z',
      }).expect(201);
      const later = await upsert({
        identities: { unionid },
        sourceChannel: 'wecom',
        utm: { source: 'wecom' },
        joinedAt: '2025-01-01T00:00:00Z',
      }).expect(200);
      expect(later.body).toMatchObject({
        sourceChannel: 'xiaohongshu',
        utm: { source: 'xhs', medium: 'kol', campaign: 'spring', content: null, term: null },
        joinedAt: '2025-01-01T00:00:00.000Z',
      });
    });
  });

  describe('merge', () => {
    it('moves identities, tags, events and every member-owned row to the survivor; the merged one becomes a tombstone; audited', async () => {
      // a table another lib will own (orders, coupons): found through its foreign key to members
      const table = `test_orders_${uid().replace(/-/g, '')}`;
      await ds.query(
        `CREATE TABLE ${table} (id serial PRIMARY KEY, member_id uuid NOT NULL REFERENCES members(id))`,
      );
      try {
        const vip = await createTag(t.app, brand);
        const tea = await createTag(t.app, brand);
        const survivor = await createMember(t.app, brand, {
          identities: { unionid: `u-${uid()}` },
          tagIds: [vip.id],
          nickname: 'Keep',
        });
        const mergedUnion = `u-${uid()}`;
        const mergedPhone = uniquePhone();
        const merged = await createMember(t.app, brand, {
          identities: { unionid: mergedUnion, phone: mergedPhone },
          tagIds: [vip.id, tea.id],
          city: '成都',
          timeZone: 'America/Los_Angeles',
        });
        // aggregates come from orders: commerce recomputes the survivor's from the orders it now holds
        await recordOrder(t.app, brand, { memberId: merged.id, amountMinor: 10000 });
        await recordOrder(t.app, brand, { memberId: merged.id, amountMinor: 5000 });
        await recordOrder(t.app, brand, { memberId: survivor.id, amountMinor: 5000 });
        await ds.query(`INSERT INTO ${table} (member_id) VALUES ($1), ($1)`, [merged.id]);

        const res = await t
          .http()
          .post('/v1/members/merge')
          .set(auth)
          .send({ survivorId: survivor.id, mergedId: merged.id })
          .expect(200);
        expect(res.body).toMatchObject({
          id: survivor.id,
          nickname: 'Keep',
          city: '成都',
          timeZone: 'America/Los_Angeles', // the survivor had none: it takes the merged one's
          orderCount: 3,
          paidSpendMinor: '20000',
        });
        expect(res.body.tags.map((x: { id: string }) => x.id).sort()).toEqual([vip.id, tea.id].sort());

        const identities = await ds.query(
          `SELECT member_id, kind FROM member_identities WHERE member_id IN ($1, $2) ORDER BY kind`,
          [survivor.id, merged.id],
        );
        expect(identities.every((i: { member_id: string }) => i.member_id === survivor.id)).toBe(true);
        expect(identities).toHaveLength(3);
        const [{ orders }] = await ds.query(
          `SELECT count(*)::int AS orders FROM ${table} WHERE member_id = $1`,
          [survivor.id],
        );
        expect(orders).toBe(2);

        // the merged member's identities now find the survivor
        const byOld = await upsert({ identities: { phone: mergedPhone } }).expect(200);
        expect(byOld.body.id).toBe(survivor.id);

        const tomb = await t.http().get(`/v1/members/${merged.id}`).set(auth).expect(200);
        expect(tomb.body).toMatchObject({
          mergedInto: survivor.id,
          reachable: false,
          nickname: null,
          timeZone: null,
          orderCount: 0,
          tags: [],
        });

        const timeline = await t
          .http()
          .get(`/v1/members/${survivor.id}/timeline?limit=100`)
          .set(auth)
          .expect(200);
        const types = timeline.body.items.map((e: { type: string }) => e.type);
        expect(types[0]).toBe('member.merged');
        expect(types.filter((x: string) => x === 'member.created')).toHaveLength(2); // its own and the merged one's

        const audit = await t
          .http()
          .get('/v1/audit-log')
          .query({ action: 'member.merge', entityId: survivor.id })
          .set(auth)
          .expect(200);
        expect(audit.body.items).toHaveLength(1);
        expect(audit.body.items[0].after).toMatchObject({ mergedId: merged.id });

        // it is gone from the active list, and cannot be merged again
        const again = await t
          .http()
          .post('/v1/members/merge')
          .set(auth)
          .send({ survivorId: survivor.id, mergedId: merged.id })
          .expect(409);
        expect(again.body.code).toBe('MEMBER_NOT_ACTIVE');
      } finally {
        await ds.query(`DROP TABLE ${table}`);
      }
    });

    it('refuses merging a member into itself (400) and another brand’s member (404)', async () => {
      const a = await createMember(t.app, brand);
      const same = await t
        .http()
        .post('/v1/members/merge')
        .set(auth)
        .send({ survivorId: a.id, mergedId: a.id })
        .expect(400);
      expect(same.body.errors[0].field).toBe('mergedId');
      const other = await createBrand(t.app);
      const theirs = await createMember(t.app, other);
      const res = await t
        .http()
        .post('/v1/members/merge')
        .set(auth)
        .send({ survivorId: a.id, mergedId: theirs.id })
        .expect(404);
      expect(res.body.code).toBe('MEMBER_NOT_FOUND');
      const [{ merged_into }] = await ds.query(`SELECT merged_into FROM members WHERE id = $1`, [theirs.id]);
      expect(merged_into).toBeNull();
    });
  });

  describe('tags', () => {
    it('creates, lists, renames, deletes tags; names are unique per brand; every change is audited', async () => {
      const name = `复购-${uid()}`;
      const created = await t.http().post('/v1/tags').set(auth).send({ name, color: '#E4572E' }).expect(201);
      expect(created.body).toMatchObject({ name, color: '#E4572E', memberCount: 0 });
      const dup = await t.http().post('/v1/tags').set(auth).send({ name }).expect(409);
      expect(dup.body).toMatchObject({
        code: 'TAG_NAME_TAKEN',
        errors: [{ field: 'name', message: 'A tag with this name exists' }],
      });

      const member = await createMember(t.app, brand, { tagIds: [created.body.id] });
      const one = await t.http().get(`/v1/tags/${created.body.id}`).set(auth).expect(200);
      expect(one.body.memberCount).toBe(1);

      const renamed = await t
        .http()
        .patch(`/v1/tags/${created.body.id}`)
        .set(auth)
        .send({ name: `${name}-2`, color: null })
        .expect(200);
      expect(renamed.body).toMatchObject({ name: `${name}-2`, color: null });

      const list = await t.http().get('/v1/tags?limit=500').set(auth).expect(200);
      expect(list.body.items.map((x: { id: string }) => x.id)).toContain(created.body.id);

      await t.http().delete(`/v1/tags/${created.body.id}`).set(auth).expect(200);
      await t.http().get(`/v1/tags/${created.body.id}`).set(auth).expect(404);
      const m = await t.http().get(`/v1/members/${member.id}`).set(auth).expect(200);
      expect(m.body.tags).toEqual([]);

      const audit = await t
        .http()
        .get('/v1/audit-log')
        .query({ entityType: 'tag', entityId: created.body.id })
        .set(auth)
        .expect(200);
      expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual([
        'tag.delete',
        'tag.update',
        'tag.create',
      ]);
    });

    it('bulk-tags and untags many members in one request, skipping other brands’ members', async () => {
      const a = await createTag(t.app, brand);
      const b = await createTag(t.app, brand);
      const members = await Promise.all([0, 1, 2].map(() => createMember(t.app, brand)));
      const other = await createBrand(t.app);
      const stranger = await createMember(t.app, other);
      const memberIds = [...members.map((m) => m.id), stranger.id];

      const add = await t
        .http()
        .post('/v1/members/tags/bulk')
        .set(auth)
        .send({ tagIds: [a.id, b.id], action: 'add', memberIds })
        .expect(200);
      expect(add.body).toEqual({ action: 'add', members: 3, changed: 6 });
      const again = await t
        .http()
        .post('/v1/members/tags/bulk')
        .set(auth)
        .send({ tagIds: [a.id, b.id], action: 'add', memberIds })
        .expect(200);
      expect(again.body.changed).toBe(0);
      const [{ strangers }] = await ds.query(
        `SELECT count(*)::int AS strangers FROM member_tags WHERE member_id = $1`,
        [stranger.id],
      );
      expect(strangers).toBe(0);

      const remove = await t
        .http()
        .post('/v1/members/tags/bulk')
        .set(auth)
        .send({ tagIds: [a.id], action: 'remove', memberIds })
        .expect(200);
      expect(remove.body).toEqual({ action: 'remove', members: 3, changed: 3 });
      const tagged = await t.http().get('/v1/members').query({ tagId: b.id }).set(auth).expect(200);
      expect(tagged.body.items.map((m: { id: string }) => m.id).sort()).toEqual(
        members.map((m) => m.id).sort(),
      );
      const untagged = await t.http().get('/v1/members').query({ tagId: a.id }).set(auth).expect(200);
      expect(untagged.body.items).toEqual([]);

      const timeline = await t.http().get(`/v1/members/${members[0].id}/timeline`).set(auth).expect(200);
      expect(timeline.body.items.slice(0, 3).map((e: { type: string }) => e.type)).toEqual([
        'member.untagged',
        'member.tagged',
        'member.tagged',
      ]);
      const audit = await t
        .http()
        .get('/v1/audit-log')
        .query({ action: 'member.tags_bulk_add' })
        .set(auth)
        .expect(200);
      expect(audit.body.items.length).toBeGreaterThanOrEqual(2);
    });

    it('answers 404 for another brand’s tag and for an unknown segment audience, 400 for both audiences', async () => {
      const member = await createMember(t.app, brand);
      const other = await createBrand(t.app);
      const theirs = await createTag(t.app, other);
      const res = await t
        .http()
        .post('/v1/members/tags/bulk')
        .set(auth)
        .send({ tagIds: [theirs.id], action: 'add', memberIds: [member.id] })
        .expect(404);
      expect(res.body.code).toBe('TAG_NOT_FOUND');
      const mine = await createTag(t.app, brand);
      const segment = await t
        .http()
        .post('/v1/members/tags/bulk')
        .set(auth)
        .send({ tagIds: [mine.id], action: 'add', segmentId: randomUUID() })
        .expect(404);
      expect(segment.body.code).toBe('SEGMENT_NOT_FOUND');
      const both = await t
        .http()
        .post('/v1/members/tags/bulk')
        .set(auth)
        .send({ tagIds: [mine.id], action: 'add', segmentId: randomUUID(), memberIds: [member.id] })
        .expect(400);
      expect(both.body.errors[0].field).toBe('segmentId');
      for (const path of [`/v1/tags/${theirs.id}`]) {
        await t.http().get(path).set(auth).expect(404);
        await t.http().patch(path).set(auth).send({ name: 'hijack' }).expect(404);
        await t.http().delete(path).set(auth).expect(404);
      }
    });
  });

  describe('list and search', () => {
    let b: TestBrand;
    let bAuth: Record<string, string>;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      b = await createBrand(t.app);
      bAuth = { authorization: `Bearer ${b.owner.token}` };
      const vip = await createTag(t.app, b, 'vip');
      const rows: Array<[string, object]> = [
        [
          'ann',
          {
            nickname: 'Ann Lee',
            sourceChannel: 'douyin',
            joinedAt: '2025-01-10T00:00:00Z',
            consent: { status: 'opted_in' },
            tagIds: [vip.id],
          },
        ],
        [
          'anna',
          {
            nickname: 'anna wu',
            sourceChannel: 'wecom',
            joinedAt: '2025-02-10T00:00:00Z',
            consent: { status: 'opted_out' },
          },
        ],
        [
          'bob',
          { nickname: 'Bob', sourceChannel: 'douyin', joinedAt: '2025-03-10T00:00:00Z', tagIds: [vip.id] },
        ],
        [
          'cai',
          {
            nickname: '蔡%_',
            sourceChannel: 'store',
            joinedAt: '2025-04-10T00:00:00Z',
            identities: { storeCustomerId: 'SHOP-777' },
          },
        ],
        [
          'dan',
          {
            nickname: 'Dan',
            sourceChannel: 'taobao',
            joinedAt: '2025-05-10T00:00:00Z',
            identities: { phone: '13911112222' },
          },
        ],
      ];
      for (const [key, dto] of rows) ids[key] = (await createMember(t.app, b, dto)).id;
    });

    const list = (query: object) => t.http().get('/v1/members').query(query).set(bAuth).expect(200);
    const idsOf = (res: { body: { items: Array<{ id: string }> } }) => res.body.items.map((m) => m.id);

    it('filters by source channel, tag, consent and join date', async () => {
      expect(idsOf(await list({ sourceChannel: 'douyin' })).sort()).toEqual([ids.ann, ids.bob].sort());
      const vip = (await ds.query(`SELECT id FROM tags WHERE brand_id = $1 AND name = 'vip'`, [b.id]))[0].id;
      expect(idsOf(await list({ tagId: vip })).sort()).toEqual([ids.ann, ids.bob].sort());
      expect(idsOf(await list({ consent: 'opted_out' }))).toEqual([ids.anna]);
      expect(idsOf(await list({ consent: 'opted_in' }))).toEqual([ids.ann]);
      expect(idsOf(await list({ consent: 'none' })).sort()).toEqual([ids.bob, ids.cai, ids.dan].sort());
      expect(
        idsOf(await list({ joinedFrom: '2025-02-01T00:00:00Z', joinedTo: '2025-04-10T00:00:00Z' })).sort(),
      ).toEqual([ids.anna, ids.bob].sort());
    });

    it('searches by nickname prefix (case-insensitive, wildcards literal) or an exact identity or phone', async () => {
      expect(idsOf(await list({ q: 'ann' })).sort()).toEqual([ids.ann, ids.anna].sort());
      expect(idsOf(await list({ q: 'ANNA' }))).toEqual([ids.anna]);
      expect(idsOf(await list({ q: '蔡%' }))).toEqual([ids.cai]);
      expect(idsOf(await list({ q: '%' }))).toEqual([]);
      expect(idsOf(await list({ q: 'SHOP-777' }))).toEqual([ids.cai]);
      expect(idsOf(await list({ q: '+86 139 1111 2222' }))).toEqual([ids.dan]);
      expect(idsOf(await list({ q: '13911112222' }))).toEqual([ids.dan]);
    });

    it('summarises active members by source channel', async () => {
      const res = await t.http().get('/v1/members/summary').set(bAuth).expect(200);
      expect(res.body).toEqual({
        total: 5,
        reachable: 4,
        bySourceChannel: { douyin: 2, wecom: 1, store: 1, taobao: 1 },
      });
    });

    it('pages by keyset: every member once, newest first', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const res = await list({ limit: 2, ...(cursor ? { cursor } : {}) });
        seen.push(...idsOf(res));
        cursor = res.body.nextCursor ?? undefined;
        pages++;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual([ids.dan, ids.cai, ids.bob, ids.anna, ids.ann]);
    });

    it('shows events other libs append in their own transaction', async () => {
      const events = t.app.get(MemberEventsService);
      await ds.transaction((m) =>
        events.append(m, {
          brandId: b.id,
          memberId: ids.bob,
          type: 'order.paid',
          data: { orderId: 'o-1', amountMinor: '12800' },
        }),
      );
      const res = await t.http().get(`/v1/members/${ids.bob}/timeline`).set(bAuth).expect(200);
      expect(res.body.items[0]).toMatchObject({
        type: 'order.paid',
        data: { orderId: 'o-1' },
        actorType: null,
      });
      await expect(
        ds.transaction((m) => events.append(m, { brandId: b.id, memberId: ids.bob, type: 'Not A Type' })),
      ).rejects.toThrow();
    });

    it('pages the timeline by keyset', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await t
          .http()
          .get(`/v1/members/${ids.ann}/timeline`)
          .query({ limit: 1, ...(cursor ? { cursor } : {}) })
          .set(bAuth)
          .expect(200);
        seen.push(...res.body.items.map((e: { type: string }) => e.type));
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      expect(seen.sort()).toEqual(['member.consent_changed', 'member.created', 'member.tagged']);
    });
  });

  describe('erase', () => {
    it('destroys personal data, keeps the tombstone and aggregates, makes the member unreachable, audits it', async () => {
      const tag = await createTag(t.app, brand);
      const unionid = `u-${uid()}`;
      const phone = uniquePhone();
      const member = await createMember(t.app, brand, {
        identities: { unionid, phone },
        nickname: 'Erase Me',
        city: '北京',
        birthday: '1990-06-01',
        utm: { source: 'bili' },
        tagIds: [tag.id],
        consent: { status: 'opted_in' },
      });
      await ds.query(`UPDATE members SET order_count = 4, paid_spend_minor = 88800 WHERE id = $1`, [
        member.id,
      ]);
      const service = t.app.get(MembersService);
      expect(await service.isReachable(brand.id, member.id)).toBe(true);

      const res = await t.http().post(`/v1/members/${member.id}/erase`).set(auth).expect(200);
      expect(res.body).toMatchObject({
        id: member.id,
        nickname: null,
        phone: null,
        city: null,
        birthday: null,
        utm: { source: null },
        tags: [],
        reachable: false,
        orderCount: 4,
        paidSpendMinor: '88800',
      });
      expect(res.body.erasedAt).not.toBeNull();

      const [row] = await ds.query(`SELECT * FROM members WHERE id = $1`, [member.id]);
      expect(row).toMatchObject({
        nickname: null,
        phone: null,
        city: null,
        birthday: null,
        utm_source: null,
        order_count: 4,
      });
      const [{ identities }] = await ds.query(
        `SELECT count(*)::int AS identities FROM member_identities WHERE member_id = $1`,
        [member.id],
      );
      expect(identities).toBe(0);
      expect(await service.isReachable(brand.id, member.id)).toBe(false);

      // the audit log keeps who/what/when but no longer the personal fields
      const audit = await t
        .http()
        .get('/v1/audit-log')
        .query({ entityType: 'member', entityId: member.id })
        .set(auth)
        .expect(200);
      expect(audit.body.items.map((a: { action: string }) => a.action)).toEqual([
        'member.erase',
        'member.create',
      ]);
      expect(JSON.stringify(audit.body)).not.toContain('Erase Me');
      expect(JSON.stringify(audit.body)).not.toContain('北京');

      // erasing again is a no-op; the old identity now makes a new member
      await t.http().post(`/v1/members/${member.id}/erase`).set(auth).expect(200);
      const fresh = await upsert({ identities: { unionid } }).expect(201);
      expect(fresh.body.id).not.toBe(member.id);
    });

    it('also scrubs the audit snapshots of the members merged into the erased one', async () => {
      const survivor = await createMember(t.app, brand, { nickname: 'Survivor Name' });
      const merged = await createMember(t.app, brand, { nickname: 'Merged Name', city: '厦门' });
      await t
        .http()
        .post('/v1/members/merge')
        .set(auth)
        .send({ survivorId: survivor.id, mergedId: merged.id })
        .expect(200);
      await t.http().post(`/v1/members/${survivor.id}/erase`).set(auth).expect(200);
      const rows = await ds.query(
        `SELECT action, before, after FROM audit_log WHERE entity_type = 'member' AND entity_id IN ($1, $2)`,
        [survivor.id, merged.id],
      );
      expect(rows.map((r: { action: string }) => r.action).sort()).toEqual([
        'member.create',
        'member.create',
        'member.erase',
        'member.merge',
      ]);
      for (const secret of ['Survivor Name', 'Merged Name', '厦门'])
        expect(JSON.stringify(rows)).not.toContain(secret);
    });

    it('treats an opted-out member as unreachable too', async () => {
      const member = await createMember(t.app, brand, { consent: { status: 'opted_out', channel: 'wecom' } });
      expect(await t.app.get(MembersService).isReachable(brand.id, member.id)).toBe(false);
      const other = await createBrand(t.app);
      expect(
        await t.app.get(MembersService).isReachable(other.id, (await createMember(t.app, brand)).id),
      ).toBe(false);
    });
  });

  describe('bad input and tenancy', () => {
    it.each([
      ['an unknown field', { identities: { unionid: 'u-x' }, vip: true }, 'vip'],
      ['an unknown identity', { identities: { unionid: 'u-x', qq: '123' } }, 'identities.qq'],
      ['a bad phone', { identities: { phone: '12345' } }, 'identities.phone'],
      ['a bad enum', { identities: { unionid: 'u-x' }, sourceChannel: 'myspace' }, 'sourceChannel'],
      ['a bad consent', { identities: { unionid: 'u-x' }, consent: { status: 'maybe' } }, 'consent.status'],
      ['an impossible birthday', { identities: { unionid: 'u-x' }, birthday: '1990-02-30' }, 'birthday'],
      ['a future birthday', { identities: { unionid: 'u-x' }, birthday: '2999-01-01' }, 'birthday'],
      ['a bad date-time', { identities: { unionid: 'u-x' }, joinedAt: 'yesterday' }, 'joinedAt'],
      ['an openid without its app', { identities: { openid: 'o-x' } }, 'identities.appId'],
      ['no identity', { identities: {} }, 'identities'],
      ['a bad tag id', { identities: { unionid: 'u-x' }, tagIds: ['nope'] }, 'tagIds'],
      ['a string as identities', { identities: 'u-x' }, 'identities'],
    ])('refuses %s with 400 problem+json naming the field', async (_, body, field) => {
      const res = await upsert(body).expect(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM member_identities WHERE brand_id = $1 AND value = 'u-x'`,
        [brand.id],
      );
      expect(n).toBe(0);
    });

    it('refuses bad query parameters, ids and cursors with 400, never 500', async () => {
      for (const query of [
        { sourceChannel: 'fax' },
        { consent: 'yes' },
        { joinedFrom: 'soon' },
        { limit: 0 },
        { cursor: 'garbage' },
        { tagId: 'x' },
      ]) {
        const res = await t.http().get('/v1/members').query(query).set(auth);
        expect(res.status).toBe(400);
      }
      const forged = Buffer.from(JSON.stringify(['not-a-time', 'not-a-uuid'])).toString('base64url');
      expect((await t.http().get('/v1/members').query({ cursor: forged }).set(auth)).status).toBe(400);
      expect((await t.http().get('/v1/members/not-a-uuid').set(auth)).status).toBe(400);
      expect(
        (
          await t
            .http()
            .post('/v1/members')
            .set(auth)
            .set('content-type', 'application/json')
            .send('{"identities":')
        ).status,
      ).toBe(400);
      expect((await t.http().post('/v1/members').set(auth).field('identities', 'x')).status).toBe(400);
    });

    it("answers 404 for another brand's member on every route", async () => {
      const other = await createBrand(t.app);
      const theirs = await createMember(t.app, other);
      for (const req of [
        t.http().get(`/v1/members/${theirs.id}`),
        t.http().get(`/v1/members/${theirs.id}/timeline`),
        t.http().post(`/v1/members/${theirs.id}/erase`),
      ]) {
        const res = await req.set(auth).expect(404);
        expect(res.body.code).toBe('MEMBER_NOT_FOUND');
      }
      const list = await t
        .http()
        .get('/v1/members')
        .query({ q: theirs.nickname ?? '' })
        .set(auth)
        .expect(200);
      expect(list.body.items).toEqual([]);
      const [{ erased_at }] = await ds.query(`SELECT erased_at FROM members WHERE id = $1`, [theirs.id]);
      expect(erased_at).toBeNull();
    });

    it('lets marketers read but not change members, and API keys act for their brand', async () => {
      const marketer = await createOperator(t.app, brand, 'marketer');
      const m = { authorization: `Bearer ${marketer.token}` };
      await t.http().get('/v1/members').set(m).expect(200);
      await upsert({ identities: { unionid: `u-${uid()}` } }, m).expect(403);
      const member = await createMember(t.app, brand);
      await t.http().post(`/v1/members/${member.id}/erase`).set(m).expect(403);
      const key = await createApiKey(t.app, brand, 'operator');
      const viaKey = await upsert(
        { identities: { storeCustomerId: `C-${uid()}` } },
        { 'x-api-key': key.key },
      ).expect(201);
      const audit = await t
        .http()
        .get('/v1/audit-log')
        .query({ entityId: viaKey.body.id })
        .set(auth)
        .expect(200);
      expect(audit.body.items[0]).toMatchObject({
        action: 'member.create',
        actorType: 'api_key',
        actorId: key.id,
      });
    });
  });
});
