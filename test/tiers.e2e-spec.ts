import { TiersWorkerModule } from '@siyu/tiers';
import { DataSource } from 'typeorm';
import { createBrand, createOperator, TestBrand, TestOperator } from './factories/brand.factory';
import { createMember } from './factories/member.factory';
import { orderBody } from './factories/order.factory';
import { insertOrders, ladderBody } from './factories/tiers.factory';
import { createTestApp, TestApp } from './harness';

describe('tiers (e2e)', () => {
  let t: TestApp;
  let brand: TestBrand;
  let marketer: TestOperator;
  let cm: TestOperator;
  let operator: TestOperator;
  const as = (op: { token: string }) => ({ authorization: `Bearer ${op.token}` });
  let owner: Record<string, string>;

  beforeAll(async () => {
    // The worker's processor runs in-process so queued re-evaluations complete.
    t = await createTestApp(TiersWorkerModule);
    brand = await createBrand(t.app, { timeZone: 'Asia/Shanghai' });
    owner = as(brand.owner);
    marketer = await createOperator(t.app, brand, 'marketer');
    cm = await createOperator(t.app, brand, 'community_manager');
    operator = await createOperator(t.app, brand, 'operator');
  });
  afterAll(() => t.close());

  const put = (body: object, headers = owner) => t.http().put('/v1/tiers').set(headers).send(body);

  it('shows an unconfigured ladder with the defaults and the brand time zone', async () => {
    const res = await t.http().get('/v1/tiers').set(as(marketer)).expect(200);
    expect(res.body).toMatchObject({
      configured: false,
      basis: 'paid_spend',
      windowDays: null,
      timeZone: 'Asia/Shanghai',
      tiers: [],
      nextEvaluationAt: null,
    });
    await t.http().post('/v1/tiers/reevaluate').set(owner).expect(409);
  });

  describe('validation: 400 problem+json naming the field, nothing saved', () => {
    const tiers = (...list: Array<[string, unknown]>) =>
      list.map(([name, threshold]) => ({ name, threshold }));
    it.each([
      ['no tiers', { tiers: [] }, 'tiers'],
      ['first threshold not 0', { tiers: tiers(['Member', 5], ['Silver', 10]) }, 'tiers[0].threshold'],
      [
        'thresholds not increasing',
        { tiers: tiers(['Member', 0], ['Silver', 100], ['Gold', 100]) },
        'tiers[2].threshold',
      ],
      ['duplicate names', { tiers: tiers(['Member', 0], ['member ', 10]) }, 'tiers[1].name'],
      ['negative threshold', { tiers: tiers(['Member', 0], ['Silver', -1]) }, 'tiers[1].threshold'],
      ['fractional threshold', { tiers: tiers(['Member', 0], ['Silver', 1.5]) }, 'tiers[1].threshold'],
      ['blank name', { tiers: tiers(['Member', 0], ['  ', 10]) }, 'tiers[1].name'],
      ['bad time', { reevaluationTime: '24:00' }, 'reevaluationTime'],
      ['bad basis', { basis: 'vibes' }, 'basis'],
      ['zero-day window', { windowDays: 0 }, 'windowDays'],
      ['negative grace', { graceDays: -1 }, 'graceDays'],
      [
        'unknown tier id',
        { tiers: [{ id: '00000000-0000-4000-8000-000000000000', name: 'M', threshold: 0 }] },
        'tiers[0].id',
      ],
      ['perks not an object', { tiers: [{ name: 'M', threshold: 0, perks: [1] }] }, 'tiers[0].perks'],
      ['unknown field', { colour: 'gold' }, 'colour'],
    ])('%s', async (_, over, field) => {
      const res = await put(ladderBody(over)).expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      const again = await t.http().post('/v1/tiers/preview').set(owner).send(ladderBody(over)).expect(400);
      expect(again.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect((await t.http().get('/v1/tiers').set(owner).expect(200)).body.configured).toBe(false);
    });
  });

  it('roles: owners and operators write the ladder; marketers and community managers read and preview', async () => {
    await put(ladderBody(), as(marketer)).expect(403);
    await put(ladderBody(), as(cm)).expect(403);
    await t.http().post('/v1/tiers/reevaluate').set(as(marketer)).expect(403);
    await t.http().post('/v1/tiers/preview').set(as(cm)).send(ladderBody()).expect(200);
    await t.http().get('/v1/tiers/changes').set(as(cm)).expect(200);
  });

  describe('with a ladder', () => {
    let gold: string;
    let silverMember: string;
    let goldMember: string;
    let goldOrderId: string;

    beforeAll(async () => {
      const a = await createMember(t.app, brand);
      const b = await createMember(t.app, brand);
      await createMember(t.app, brand);
      await insertOrders(t.app, brand, [
        { memberId: a.id, amountMinor: 150_000, placedAt: new Date() },
        { memberId: b.id, amountMinor: 700_000, placedAt: new Date() },
      ]);
      silverMember = a.id;
      goldMember = b.id;
    });

    it('preview first (no writes), then PUT saves the same distribution and is audited', async () => {
      const body = ladderBody({
        windowDays: 365,
        tiers: [...(ladderBody().tiers as object[]), { name: 'Black', threshold: 2_000_000 }],
      });
      const preview = await t.http().post('/v1/tiers/preview').set(as(operator)).send(body).expect(200);
      expect(
        preview.body.proposed.map((x: { name: string; members: number }) => [x.name, x.members]),
      ).toEqual([
        ['Member', 1],
        ['Silver', 1],
        ['Gold', 1],
        ['Black', 0],
      ]);
      expect(preview.body).toMatchObject({ current: [], unassigned: 3, windowDays: 365 });
      expect((await t.http().get('/v1/tiers').set(owner)).body.configured).toBe(false);

      const saved = await put(body, as(operator)).expect(200);
      expect(saved.body).toMatchObject({
        configured: true,
        windowDays: 365,
        unassigned: 0,
        timeZone: 'Asia/Shanghai',
      });
      expect(
        saved.body.tiers.map((x: { name: string; members: number; threshold: string }) => [
          x.name,
          x.members,
          x.threshold,
        ]),
      ).toEqual([
        ['Member', 1, '0'],
        ['Silver', 1, '100000'],
        ['Gold', 1, '500000'],
        ['Black', 0, '2000000'],
      ]);
      expect(saved.body.lastEvaluation).toMatchObject({ trigger: 'ladder', assigned: 3 });
      gold = saved.body.tiers[2].id;
      // the next run is 03:00 in Shanghai (19:00 UTC)
      expect(new Date(saved.body.nextEvaluationAt).toISOString()).toMatch(/T19:00:00\.000Z$/);

      const audit = await t.http().get('/v1/audit-log?action=tiers.ladder.create').set(owner).expect(200);
      expect(audit.body.items[0]).toMatchObject({
        entityType: 'tier_ladder',
        entityId: brand.id,
        before: null,
        after: { basis: 'paid_spend', windowDays: 365, tiers: expect.any(Array) },
      });

      await put({ ...body, graceDays: 14 }, owner).expect(200);
      const update = await t.http().get('/v1/audit-log?action=tiers.ladder.update').set(owner).expect(200);
      expect(update.body.items[0].before).toMatchObject({ graceDays: 7 });
      expect(update.body.items[0].after).toMatchObject({ graceDays: 14 });
    });

    it('an order moves the member up at once; GET /v1/members/:id/tier shows tier, progress and history', async () => {
      // Through the real orders API: the upgrade commits with the order.
      const order = await t
        .http()
        .post('/v1/orders')
        .set(owner)
        .send(
          orderBody({ memberId: silverMember, amountMinor: '400000', placedAt: new Date().toISOString() }),
        )
        .expect(201);
      goldOrderId = order.body.id;
      const res = await t.http().get(`/v1/members/${silverMember}/tier`).set(as(marketer)).expect(200);
      expect(res.body).toMatchObject({
        memberId: silverMember,
        tier: { id: gold, name: 'Gold', rank: 2, threshold: '500000' },
        belowSince: null,
        graceEndsAt: null,
        progress: {
          basis: 'paid_spend',
          windowDays: 365,
          value: '550000',
          qualifiesFor: { name: 'Gold' },
          next: { name: 'Black', threshold: '2000000' },
          remainingToNext: '1450000',
        },
      });
      expect(res.body.progress.percentToNext).toBeCloseTo(3.33, 1);
      expect(res.body.history.map((h: { reason: string; toName: string }) => [h.reason, h.toName])).toEqual([
        ['order', 'Gold'],
        ['ladder', 'Silver'],
      ]);
      const timeline = await t.http().get(`/v1/members/${silverMember}/timeline`).set(owner).expect(200);
      expect(timeline.body.items[0]).toMatchObject({
        type: 'tier.changed',
        data: { toName: 'Gold', reason: 'order' },
      });
    });

    it('a refund through the orders API lowers progress but does not downgrade at once', async () => {
      await t
        .http()
        .post(`/v1/orders/${goldOrderId}/refunds`)
        .set(owner)
        .send({ externalId: 'RF-tiers-1', amountMinor: '400000' })
        .expect(201);
      const res = await t.http().get(`/v1/members/${silverMember}/tier`).set(as(marketer)).expect(200);
      expect(res.body.tier).toMatchObject({ name: 'Gold' });
      expect(res.body.progress).toMatchObject({ value: '150000', qualifiesFor: { name: 'Silver' } });
      expect(res.body.history).toHaveLength(2);
    });

    it('lists changes newest first with filters and keyset pages', async () => {
      const all = await t.http().get('/v1/tiers/changes?limit=50').set(owner).expect(200);
      expect(all.body.items).toHaveLength(4); // 3 assigned by the ladder save, 1 upgrade on an order
      expect(all.body.items[0]).toMatchObject({
        reason: 'order',
        memberId: silverMember,
        fromName: 'Silver',
        toName: 'Gold',
      });

      const first = await t.http().get('/v1/tiers/changes?limit=3').set(owner).expect(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t
        .http()
        .get(`/v1/tiers/changes?limit=3&cursor=${first.body.nextCursor}`)
        .set(owner)
        .expect(200);
      expect([...first.body.items, ...second.body.items].map((c: { id: string }) => c.id)).toEqual(
        all.body.items.map((c: { id: string }) => c.id),
      );
      expect(second.body.nextCursor).toBeNull();

      const byReason = await t.http().get('/v1/tiers/changes?reason=ladder').set(owner).expect(200);
      expect(byReason.body.items).toHaveLength(3);
      const byTier = await t.http().get(`/v1/tiers/changes?tierId=${gold}`).set(owner).expect(200);
      expect(byTier.body.items.map((c: { memberId: string }) => c.memberId).sort()).toEqual(
        [goldMember, silverMember].sort(),
      );
      const byMember = await t.http().get(`/v1/tiers/changes?memberId=${goldMember}`).set(owner).expect(200);
      expect(byMember.body.items).toHaveLength(1);
      const future = await t
        .http()
        .get(`/v1/tiers/changes?from=${new Date(Date.now() + 60_000).toISOString()}`)
        .set(owner)
        .expect(200);
      expect(future.body.items).toEqual([]);
      await t.http().get('/v1/tiers/changes?reason=whim').set(owner).expect(400);
      await t.http().get('/v1/tiers/changes?cursor=nope').set(owner).expect(400);
    });

    it('POST /v1/tiers/reevaluate answers 202 with a handle; the run completes and reports what it did', async () => {
      const queued = await t.http().post('/v1/tiers/reevaluate').set(as(operator)).expect(202);
      expect(queued.body).toMatchObject({
        id: expect.stringMatching(/^\d+$/),
        status: 'pending',
        evaluation: null,
      });
      let status = queued.body;
      for (let i = 0; i < 200 && status.status !== 'done'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        status = (
          await t.http().get(`/v1/tiers/reevaluations/${queued.body.id}`).set(as(marketer)).expect(200)
        ).body;
      }
      expect(status).toMatchObject({
        status: 'done',
        evaluation: { trigger: 'manual', assigned: 0, downgraded: 0 },
      });
      const ladder = await t.http().get('/v1/tiers').set(owner).expect(200);
      expect(ladder.body.lastEvaluation).toMatchObject({ id: status.evaluation.id, trigger: 'manual' });
      expect(ladder.body.lastEvaluatedAt).not.toBeNull();
      const audit = await t.http().get('/v1/audit-log?action=tiers.reevaluate').set(owner).expect(200);
      expect(audit.body.items[0].after).toEqual({ workItemId: queued.body.id });
      await t.http().get('/v1/tiers/reevaluations/abc').set(owner).expect(400);
    });

    it('another brand sees none of it: 404 for its member and its run, and its own empty ladder', async () => {
      const other = await createBrand(t.app, { timeZone: 'America/Los_Angeles' });
      const runs = await t.app
        .get(DataSource)
        .query(
          `SELECT work_item_id::text AS id FROM tier_evaluations WHERE brand_id = $1 AND work_item_id IS NOT NULL`,
          [brand.id],
        );
      await t.http().get(`/v1/members/${goldMember}/tier`).set(as(other.owner)).expect(404);
      await t.http().get(`/v1/tiers/reevaluations/${runs[0].id}`).set(as(other.owner)).expect(404);
      const changes = await t
        .http()
        .get(`/v1/tiers/changes?memberId=${goldMember}`)
        .set(as(other.owner))
        .expect(200);
      expect(changes.body.items).toEqual([]);
      const ladder = await t.http().get('/v1/tiers').set(as(other.owner)).expect(200);
      expect(ladder.body).toMatchObject({ configured: false, timeZone: 'America/Los_Angeles', tiers: [] });
      await t.http().get('/v1/members/not-a-uuid/tier').set(owner).expect(400);
    });
  });
});
