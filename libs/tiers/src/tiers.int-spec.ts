import { INestApplicationContext } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import { MemberEventsService, MembersService } from '@siyu/members';
import { PlatformModule } from '@siyu/platform';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from '../../../test/factories/brand.factory';
import { createMember, ownerActor } from '../../../test/factories/member.factory';
import { insertOrders, ladderBody, placeOrder, refundOrder } from '../../../test/factories/tiers.factory';
import { TierLadderPutDto } from './dto/tier-ladder-put.dto';
import { TierChangedEvent } from './tier-events';
import { TierEvaluationService } from './tier-evaluation.service';
import { TierHistoryService } from './tier-history.service';
import { TierLadderService } from './tier-ladder.service';
import { TIER_CHANGED } from './tiers.constants';
import { TiersModule } from './tiers.module';

describe('tiers (int)', () => {
  let app: INestApplicationContext;
  let ds: DataSource;
  let ladders: TierLadderService;
  let evaluation: TierEvaluationService;
  let history: TierHistoryService;
  const events: TierChangedEvent[] = [];

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      // No processors here: every evaluation in this file runs at an explicit time, called directly.
      imports: [PlatformModule, TiersModule],
    }).compile();
    app = await moduleRef.init();
    ds = app.get(DataSource);
    ladders = app.get(TierLadderService);
    evaluation = app.get(TierEvaluationService);
    history = app.get(TierHistoryService);
    app.get(EventEmitter2).on(TIER_CHANGED, (e: TierChangedEvent) => events.push(e));
  });
  afterAll(() => app.close());

  const save = (brand: TestBrand, over: Record<string, unknown> = {}, at?: Date) =>
    ladders.save(ownerActor(brand), ladderBody(over) as unknown as TierLadderPutDto, at);

  async function tierOf(memberId: string): Promise<{ name: string; belowSince: Date | null } | null> {
    const [row] = await ds.query(
      `SELECT t.name, mt.below_since FROM member_tiers mt JOIN tiers t ON t.id = mt.tier_id WHERE mt.member_id = $1`,
      [memberId],
    );
    return row ? { name: row.name, belowSince: row.below_since } : null;
  }

  async function changesOf(memberId: string) {
    return ds.query(
      `SELECT c.reason, c.from_tier_id, c.data->>'fromName' AS "from", c.data->>'toName' AS "to", c.data, c.at
         FROM tier_changes c WHERE c.member_id = $1 ORDER BY c.id`,
      [memberId],
    ) as Promise<
      Array<{ reason: string; from: string | null; to: string; data: Record<string, unknown>; at: Date }>
    >;
  }

  const eventsOf = (memberId: string) => events.filter((e) => e.memberId === memberId);

  describe.each([
    // 23:30 on 1 March brand time; 7 days of grace end at 8 March 00:00 brand time.
    ['Asia/Shanghai', '2026-03-01T15:30:00Z', '2026-03-07T16:00:00Z'],
    // (Los Angeles is still on PST at midnight on 8 March; DST starts at 02:00 that night.)
    ['America/Los_Angeles', '2026-03-02T07:30:00Z', '2026-03-08T08:00:00Z'],
  ])('upgrade on an order, refunds, downgrade after grace (%s)', (zone, belowAt, graceOver) => {
    let brand: TestBrand;
    beforeAll(async () => {
      brand = await createBrand(app, { timeZone: zone });
      await save(brand, { graceDays: 7 });
    });

    it('moves a member up at once inside the order’s transaction, with history, timeline and an event after commit', async () => {
      const a = await createMember(app, brand);
      await placeOrder(app, brand, a.id, 120_000);
      expect(await tierOf(a.id)).toEqual({ name: 'Silver', belowSince: null });
      await placeOrder(app, brand, a.id, 400_000);
      expect(await tierOf(a.id)).toEqual({ name: 'Gold', belowSince: null });

      const changes = await changesOf(a.id);
      expect(changes.map((c) => [c.reason, c.from, c.to])).toEqual([
        ['order', null, 'Silver'],
        ['order', 'Silver', 'Gold'],
      ]);
      expect(changes[1].data).toMatchObject({ value: 520_000, threshold: 500_000, fromRank: 1, toRank: 2 });
      expect(eventsOf(a.id)).toEqual([
        expect.objectContaining({
          brandId: brand.id,
          reason: 'order',
          fromTierId: null,
          fromRank: null,
          toRank: 1,
        }),
        expect.objectContaining({ reason: 'order', fromRank: 1, toRank: 2 }),
      ]);
      const [ev] = eventsOf(a.id);
      const [row] = await ds.query(`SELECT id::text AS id, to_tier_id FROM tier_changes WHERE id = $1`, [
        ev.changeId,
      ]);
      expect(row.to_tier_id).toBe(ev.toTierId);
      // The timeline (newest first) shows both changes, read from tier_changes rather than copied.
      const timeline = await app.get(MemberEventsService).timeline(brand.id, a.id, 100);
      const tierEntries = timeline.items.filter((e) => e.type === 'tier.changed');
      expect(tierEntries.map((e) => [e.data.toName, e.data.reason, e.actorType])).toEqual([
        ['Gold', 'order', 'system'],
        ['Silver', 'order', 'system'],
      ]);
      expect(tierEntries[1]).toMatchObject({
        id: `tier_change:${ev.changeId}`,
        data: { changeId: ev.changeId },
      });
      expect(
        await ds.query(`SELECT 1 FROM member_events WHERE member_id = $1 AND type = 'tier.changed'`, [a.id]),
      ).toEqual([]);
    });

    it('announces nothing when the order’s transaction rolls back', async () => {
      const b = await createMember(app, brand);
      await expect(
        ds.transaction(async (m) => {
          await placeOrder(app, brand, b.id, 900_000, new Date(), { manager: m });
          expect(await m.query(`SELECT 1 FROM member_tiers WHERE member_id = $1`, [b.id])).toHaveLength(1);
          throw new Error('payment provider said no');
        }),
      ).rejects.toThrow('payment provider said no');
      expect(await tierOf(b.id)).toBeNull();
      expect(eventsOf(b.id)).toEqual([]);
    });

    it('a refund lowers progress but never downgrades at once; only a re-evaluation after the grace days does', async () => {
      const c = await createMember(app, brand);
      const big = await placeOrder(app, brand, c.id, 520_000);
      expect((await tierOf(c.id))?.name).toBe('Gold');

      await refundOrder(app, brand, big, 100_000);
      expect(await tierOf(c.id)).toEqual({ name: 'Gold', belowSince: null });
      const view = await history.memberTier(brand.id, c.id);
      expect(view.progress).toMatchObject({ value: '420000', qualifiesFor: { name: 'Silver' }, next: null });

      // 23:30 brand time on 1 March: the re-evaluation finds the member below Gold and starts the grace.
      const t1 = new Date(belowAt);
      expect(DateTime.fromJSDate(t1, { zone }).toFormat('MM-dd HH:mm')).toBe('03-01 23:30');
      const first = await evaluation.reevaluate(brand.id, t1, { trigger: 'manual' });
      expect(first).toMatchObject({ graceStarted: 1, downgraded: 0 });
      expect(await tierOf(c.id)).toEqual({ name: 'Gold', belowSince: t1 });
      // Grace of 7 brand-local days from 1 March ends at 8 March 00:00 brand time.
      const end = new Date(graceOver);
      expect(DateTime.fromJSDate(end, { zone }).toFormat('MM-dd HH:mm')).toBe('03-08 00:00');
      expect((await history.memberTier(brand.id, c.id, t1)).graceEndsAt).toEqual(end);

      const justBefore = await evaluation.reevaluate(brand.id, new Date(end.getTime() - 1_000), {
        trigger: 'manual',
      });
      expect(justBefore.skipped).toBeUndefined();
      expect(await tierOf(c.id)).toEqual({ name: 'Gold', belowSince: t1 });

      await evaluation.reevaluate(brand.id, end, { trigger: 'manual' });
      expect(await tierOf(c.id)).toEqual({ name: 'Silver', belowSince: null });
      const down = (await changesOf(c.id)).at(-1);
      expect(down).toMatchObject({ reason: 'reevaluation', from: 'Gold', to: 'Silver' });
      expect(down?.data).toMatchObject({ value: 420_000, threshold: 100_000 });
      expect(new Date(down?.data.belowSince as string)).toEqual(t1);
      expect(eventsOf(c.id).at(-1)).toMatchObject({ reason: 'reevaluation', fromRank: 2, toRank: 1 });
    });

    it('ends the grace when the member qualifies again (on the next order, or at re-evaluation)', async () => {
      const d = await createMember(app, brand);
      const order = await placeOrder(app, brand, d.id, 150_000);
      await refundOrder(app, brand, order, 100_000);
      const t = new Date('2026-05-01T01:00:00Z');
      await evaluation.reevaluate(brand.id, t, { trigger: 'manual' });
      expect(await tierOf(d.id)).toEqual({ name: 'Silver', belowSince: t });
      await placeOrder(app, brand, d.id, 60_000);
      expect(await tierOf(d.id)).toEqual({ name: 'Silver', belowSince: null });
      expect((await changesOf(d.id)).map((c) => c.to)).toEqual(['Silver']);

      const e = await createMember(app, brand);
      const o = await placeOrder(app, brand, e.id, 150_000);
      await refundOrder(app, brand, o, 100_000);
      await evaluation.reevaluate(brand.id, t, { trigger: 'manual' });
      expect((await tierOf(e.id))?.belowSince).toEqual(t);
      await insertOrders(app, brand, [{ memberId: e.id, amountMinor: 60_000, placedAt: t }]);
      const later = await evaluation.reevaluate(brand.id, new Date('2026-05-02T01:00:00Z'), {
        trigger: 'manual',
      });
      expect(later).toMatchObject({ graceCleared: 1 });
      expect(await tierOf(e.id)).toEqual({ name: 'Silver', belowSince: null });
    });
  });

  describe('rolling windows start at brand-local midnight', () => {
    // 30 days, today included: evaluated on 15 April, the window opens on 17 March, 00:00 brand time.
    it.each([
      ['America/Los_Angeles', '2026-04-15T19:00:00Z', '2026-03-17T07:00:00Z'],
      ['Asia/Shanghai', '2026-04-14T16:30:00Z', '2026-03-16T16:00:00Z'],
    ])(
      '%s: an order at the window’s first instant counts, one a second earlier does not',
      async (zone, at, start) => {
        const brand = await createBrand(app, { timeZone: zone });
        await save(brand, { windowDays: 30 });
        const inside = await createMember(app, brand);
        const outside = await createMember(app, brand);
        const opens = new Date(start);
        await insertOrders(app, brand, [
          { memberId: inside.id, amountMinor: 100_000, placedAt: opens },
          { memberId: outside.id, amountMinor: 100_000, placedAt: new Date(opens.getTime() - 1_000) },
          { memberId: outside.id, amountMinor: 99_999, placedAt: new Date(at) },
        ]);
        const result = await evaluation.reevaluate(brand.id, new Date(at), { trigger: 'manual' });
        expect(result).toMatchObject({ assigned: 2 });
        expect((await tierOf(inside.id))?.name).toBe('Silver');
        expect((await tierOf(outside.id))?.name).toBe('Member');
        const view = await history.memberTier(brand.id, outside.id, new Date(at));
        expect(view.progress).toMatchObject({ windowStart: opens, value: '99999', remainingToNext: '1' });
        expect(DateTime.fromJSDate(opens, { zone }).toFormat('yyyy-MM-dd HH:mm')).toMatch(
          /^2026-03-17 00:00$/,
        );
      },
    );
  });

  it('an order’s upgrade counts only the orders inside the rolling window', async () => {
    const brand = await createBrand(app, { timeZone: 'America/Los_Angeles' });
    await save(brand, { windowDays: 30 });
    const m = await createMember(app, brand);
    await insertOrders(app, brand, [
      { memberId: m.id, amountMinor: 600_000, placedAt: new Date(Date.now() - 60 * 86_400_000) },
    ]);
    await placeOrder(app, brand, m.id, 60_000);
    expect((await tierOf(m.id))?.name).toBe('Member'); // lifetime spend would be Gold
    await placeOrder(app, brand, m.id, 50_000);
    expect((await tierOf(m.id))?.name).toBe('Silver');
    expect((await changesOf(m.id)).at(-1)?.data).toMatchObject({ value: 110_000 });
  });

  it('orders keep upgrading while a re-evaluation of the brand is still open; a ladder save waits for it', async () => {
    const brand = await createBrand(app, { timeZone: 'Asia/Shanghai' });
    await save(brand);
    const settled = await createMember(app, brand);
    const pending = await createMember(app, brand);
    await evaluation.reevaluate(brand.id, new Date(), { trigger: 'manual' }); // both hold Member
    await placeOrder(app, brand, pending.id, 150_000);
    await refundOrder(
      app,
      brand,
      {
        id: (await ds.query(`SELECT id FROM orders WHERE member_id = $1`, [pending.id]))[0].id,
        memberId: pending.id,
      },
      100_000,
    );

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let evaluated!: () => void;
    const evaluatedNow = new Promise<void>((r) => (evaluated = r));
    const run = ds.transaction(async (m) => {
      const outcome = await evaluation.reevaluateIn(m, brand.id, new Date(), { trigger: 'manual' });
      evaluated();
      await gate; // the re-evaluation's transaction stays open
      return outcome;
    });
    await evaluatedNow;
    // An order for a member the open re-evaluation did not touch goes through at once.
    await placeOrder(app, brand, settled.id, 600_000);
    expect((await tierOf(settled.id))?.name).toBe('Gold');
    // A ladder save needs the ladder alone: it waits for the re-evaluation to commit.
    let saved = false;
    const saving = save(brand, { graceDays: 3 }).then(() => (saved = true));
    // …as Postgres shows: a backend waits on a lock in the save's `FOR UPDATE` of the ladder row.
    for (;;) {
      const waiting = await ds.query(
        `SELECT 1 FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FOR UPDATE OF l%'`,
      );
      if (waiting.length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(saved).toBe(false);
    release();
    expect(await run).toMatchObject({ graceStarted: 1 }); // `pending` fell below Silver
    await saving;
    expect(await tierOf(pending.id)).toEqual({ name: 'Silver', belowSince: expect.any(Date) });
    expect((await tierOf(settled.id))?.name).toBe('Gold');
  });

  describe('ladder changes', () => {
    it('preview counts are what saving produces; removed tiers remap, raised thresholds wait for grace', async () => {
      const brand = await createBrand(app, { timeZone: 'America/Los_Angeles' });
      await save(brand, { graceDays: 0 });
      const spends = [0, 150_000, 600_000, 300_000, 40_000];
      const members = [];
      for (const s of spends) {
        const m = await createMember(app, brand);
        if (s > 0) await insertOrders(app, brand, [{ memberId: m.id, amountMinor: s, placedAt: new Date() }]);
        members.push(m);
      }
      await evaluation.reevaluate(brand.id, new Date(), { trigger: 'manual' });
      expect(await Promise.all(members.map(async (m) => (await tierOf(m.id))?.name))).toEqual([
        'Member',
        'Silver',
        'Gold',
        'Silver',
        'Member',
      ]);

      const proposed = ladderBody({
        graceDays: 0,
        tiers: [
          { name: 'Member', threshold: 0 },
          { name: 'Bronze', threshold: 30_000 },
          { name: 'gold', threshold: 250_000 },
          { name: 'Black', threshold: '1000000' },
        ],
      }) as unknown as TierLadderPutDto;
      const preview = await ladders.preview(brand.id, proposed);
      expect(preview.proposed.map((t) => [t.name, t.members, t.qualifying])).toEqual([
        ['Member', 1, 1],
        ['Bronze', 2, 2],
        ['gold', 2, 2],
        ['Black', 0, 0],
      ]);
      expect(preview.current.map((t) => [t.name, t.members, t.kept])).toEqual([
        ['Member', 2, true],
        ['Silver', 2, false],
        ['Gold', 1, true],
      ]);

      const { ladder, evaluation: run } = await ladders.save(ownerActor(brand), proposed);
      expect(ladder.tiers.map((t) => [t.name, t.members])).toEqual(
        preview.proposed.map((t) => [t.name, t.members]),
      );
      expect(ladder.tiers[2].id).toBe(preview.current[2].id); // Gold kept (renamed to "gold")
      expect(run).toMatchObject({ remapped: 2, upgraded: 1 }); // 40k Member → Bronze
      expect(await Promise.all(members.map(async (m) => (await tierOf(m.id))?.name))).toEqual([
        'Member',
        'Bronze',
        'gold',
        'gold',
        'Bronze',
      ]);
      const remap = await changesOf(members[3].id);
      expect(remap.at(-1)).toMatchObject({ reason: 'ladder', from: 'Silver', to: 'gold' });
      expect(
        await ds.query(`SELECT 1 FROM tiers WHERE brand_id = $1 AND name = 'Silver'`, [brand.id]),
      ).toEqual([]);

      // Raising gold to 700k: no downgrade on save, even with grace 0; the next re-evaluation does it.
      const raised = ladderBody({
        graceDays: 0,
        tiers: [
          { name: 'Member', threshold: 0 },
          { name: 'Bronze', threshold: 30_000 },
          { name: 'gold', threshold: 700_000 },
          { name: 'Black', threshold: 1_000_000 },
        ],
      }) as unknown as TierLadderPutDto;
      const p2 = await ladders.preview(brand.id, raised);
      expect(p2.proposed.map((t) => [t.members, t.qualifying])).toEqual([
        [1, 1],
        [2, 4],
        [2, 0],
        [0, 0],
      ]);
      const saved = await ladders.save(ownerActor(brand), raised);
      expect(saved.ladder.tiers.map((t) => t.members)).toEqual([1, 2, 2, 0]);
      const re = await evaluation.reevaluate(brand.id, new Date(), { trigger: 'manual' });
      expect(re).toMatchObject({ downgraded: 2, graceStarted: 0 });
      expect((await tierOf(members[2].id))?.name).toBe('Bronze');
    });
  });

  describe('whole-brand runs in batches', () => {
    it('a run over several batches decides and records exactly what one batch would', async () => {
      const spends = [0, 150_000, 600_000, 300_000, 40_000, 2_000_000, 0, 120_000];
      const run = async (batchSize: number) => {
        const brand = await createBrand(app);
        await save(brand, { graceDays: 0 });
        const members = [];
        for (const s of spends) {
          const m = await createMember(app, brand);
          if (s > 0)
            await insertOrders(app, brand, [{ memberId: m.id, amountMinor: s, placedAt: new Date() }]);
          members.push(m);
        }
        // members in id order, so both runs can be compared member by member
        members.sort((x, y) => (x.id < y.id ? -1 : 1));
        const previous = evaluation.batchSize;
        evaluation.batchSize = batchSize;
        try {
          const summary = await evaluation.reevaluate(brand.id, new Date(), { trigger: 'manual' });
          const tiers = await Promise.all(members.map(async (m) => (await tierOf(m.id))?.name));
          const changes = await Promise.all(
            members.map(async (m) => (await changesOf(m.id)).map((c) => c.to)),
          );
          const [evaluationRow] = await ds.query(
            `SELECT first_change_id::text AS first, last_change_id::text AS last,
                    (SELECT min(id)::text FROM tier_changes WHERE brand_id = $1) AS min,
                    (SELECT max(id)::text FROM tier_changes WHERE brand_id = $1) AS max
               FROM tier_evaluations WHERE brand_id = $1 AND trigger = 'manual'`,
            [brand.id],
          );
          return { summary, tiers, changes, evaluationRow, brand, members };
        } finally {
          evaluation.batchSize = previous;
        }
      };
      const one = await run(1_000);
      const many = await run(3); // three batches, the last one open-ended
      expect(one.tiers.filter((t) => t === undefined)).toEqual([]);
      expect(many.tiers.filter((t) => t === undefined)).toEqual([]);
      const pick = (r: Awaited<ReturnType<typeof run>>) => ({
        assigned: r.summary.skipped ? -1 : r.summary.assigned,
        changes: r.summary.skipped ? -1 : r.summary.changes,
        tiers: [...r.tiers].sort(),
      });
      expect(pick(many)).toEqual(pick(one));
      expect(pick(many)).toMatchObject({ assigned: spends.length, changes: spends.length });
      for (const r of [one, many]) {
        r.members.forEach((_, i) => expect(r.changes[i]).toEqual([r.tiers[i]]));
        expect(r.evaluationRow).toMatchObject({ first: r.evaluationRow.min, last: r.evaluationRow.max });
        expect(eventsOf(r.members[0].id)).toHaveLength(1);
      }
      // A second run changes nothing, in batches or not.
      expect(await evaluation.reevaluate(many.brand.id, new Date(), { trigger: 'manual' })).toMatchObject({
        assigned: 0,
        changes: 0,
      });
    });

    it('member_tiers names a tier of its own brand only; a tier members hold cannot be deleted; no index holds tier_id', async () => {
      const brand = await createBrand(app);
      await save(brand);
      const other = await createBrand(app);
      await save(other);
      const member = await createMember(app, brand);
      await placeOrder(app, brand, member.id, 150_000);
      expect((await tierOf(member.id))?.name).toBe('Silver');
      const [foreign] = await ds.query(`SELECT id FROM tiers WHERE brand_id = $1 AND name = 'Gold'`, [
        other.id,
      ]);
      await expect(
        ds.query(`UPDATE member_tiers SET tier_id = $2 WHERE member_id = $1`, [member.id, foreign.id]),
      ).rejects.toMatchObject({ code: '23503' });
      const [held] = await ds.query(`SELECT tier_id FROM member_tiers WHERE member_id = $1`, [member.id]);
      await expect(ds.query(`DELETE FROM tiers WHERE id = $1`, [held.tier_id])).rejects.toMatchObject({
        code: '23503',
      });
      // So that a tier change, like a grace start, can be a heap-only (HOT) update.
      const indexes: Array<{ indexdef: string }> = await ds.query(
        `SELECT indexdef FROM pg_indexes WHERE tablename = 'member_tiers'`,
      );
      expect(indexes.length).toBeGreaterThan(0);
      expect(indexes.filter((i) => i.indexdef.includes('tier_id'))).toEqual([]);
    });

    it('tier_changes names a member of its own brand only, by one key, and goes with the member', async () => {
      const brand = await createBrand(app);
      await save(brand);
      const other = await createBrand(app);
      const member = await createMember(app, brand);
      const stranger = await createMember(app, other);
      await placeOrder(app, brand, member.id, 150_000);
      const [change] = await ds.query(
        `SELECT brand_id, member_id, from_tier_id, to_tier_id FROM tier_changes WHERE member_id = $1`,
        [member.id],
      );
      const copy = (brandId: string, memberId: string) =>
        ds.query(
          `INSERT INTO tier_changes (brand_id, member_id, from_tier_id, to_tier_id, reason) VALUES ($1, $2, $3, $4, 'manual')`,
          [brandId, memberId, change.from_tier_id, change.to_tier_id],
        );
      // Another brand's member, under this brand or under theirs: refused either way.
      await expect(copy(brand.id, stranger.id)).rejects.toMatchObject({ code: '23503' });
      await expect(copy(other.id, member.id)).rejects.toMatchObject({ code: '23503' });
      // One key per written row: (brand_id, member_id) → members (brand_id, id).
      const keys: Array<{ def: string }> = await ds.query(
        `SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint
          WHERE conrelid = 'tier_changes'::regclass AND contype = 'f'`,
      );
      expect(keys.map((k) => k.def)).toEqual([
        'FOREIGN KEY (brand_id, member_id) REFERENCES members(brand_id, id) ON DELETE CASCADE',
      ]);
      await ds.query(`DELETE FROM members WHERE id = $1`, [member.id]);
      expect(await changesOf(member.id)).toEqual([]);
    });

    it('a ladder save’s changes show on the timeline as the operator’s', async () => {
      const brand = await createBrand(app);
      const m = await createMember(app, brand);
      await insertOrders(app, brand, [{ memberId: m.id, amountMinor: 150_000, placedAt: new Date() }]);
      await save(brand);
      const timeline = await app.get(MemberEventsService).timeline(brand.id, m.id, 100);
      const owner = ownerActor(brand);
      expect(timeline.items.find((e) => e.type === 'tier.changed')).toMatchObject({
        data: { reason: 'ladder', toName: 'Silver' },
        actorType: owner.actorType,
        actorId: owner.actorId,
      });
    });

    it('the timeline pages through events and tier changes together, newest first, each once', async () => {
      const brand = await createBrand(app);
      await save(brand);
      const m = await createMember(app, brand);
      const base = Date.now() - 10 * 86_400_000;
      for (let i = 0; i < 4; i++)
        await placeOrder(app, brand, m.id, 300_000, new Date(base + i * 86_400_000));
      const events = app.get(MemberEventsService);
      const all = await events.timeline(brand.id, m.id, 100);
      expect(all.items.filter((e) => e.type === 'tier.changed').length).toBeGreaterThanOrEqual(2);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 50; pages++) {
        const page = await events.timeline(brand.id, m.id, 1, cursor);
        seen.push(...page.items.map((e) => e.id));
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      expect(seen).toEqual(all.items.map((e) => e.id));
      expect(new Set(seen).size).toBe(seen.length);
      const times = all.items.map((e) => new Date(e.occurredAt).getTime());
      expect(times).toEqual([...times].sort((x, y) => y - x));
    });
  });

  describe('merge', () => {
    it('keeps the higher tier on the survivor and records a merge change', async () => {
      const brand = await createBrand(app);
      await save(brand);
      const survivor = await createMember(app, brand);
      const merged = await createMember(app, brand);
      await placeOrder(app, brand, survivor.id, 150_000);
      await placeOrder(app, brand, merged.id, 600_000);
      await app.get(MembersService).merge(ownerActor(brand), survivor.id, merged.id);
      expect(await tierOf(survivor.id)).toEqual({ name: 'Gold', belowSince: null });
      expect(await tierOf(merged.id)).toBeNull();
      const changes = await changesOf(survivor.id);
      // the merged member's history moved over; the survivor's own change says 'merge'
      expect(changes.map((c) => [c.reason, c.from, c.to])).toEqual([
        ['order', null, 'Silver'],
        ['order', null, 'Gold'],
        ['merge', 'Silver', 'Gold'],
      ]);
      expect(eventsOf(survivor.id).at(-1)).toMatchObject({ reason: 'merge', fromRank: 1, toRank: 2 });

      // the lower tier merged into a higher one changes nothing but the merged row
      const high = await createMember(app, brand);
      const low = await createMember(app, brand);
      await placeOrder(app, brand, high.id, 600_000);
      await placeOrder(app, brand, low.id, 1_000);
      await app.get(MembersService).merge(ownerActor(brand), high.id, low.id);
      expect((await tierOf(high.id))?.name).toBe('Gold');
      expect((await changesOf(high.id)).filter((c) => c.reason === 'merge')).toEqual([]);
    });

    it('an erased member keeps its tier row', async () => {
      const brand = await createBrand(app);
      await save(brand);
      const m = await createMember(app, brand);
      await placeOrder(app, brand, m.id, 150_000);
      await app.get(MembersService).erase(ownerActor(brand), m.id);
      await evaluation.reevaluate(brand.id, new Date(), { trigger: 'manual' });
      expect(await tierOf(m.id)).toEqual({ name: 'Silver', belowSince: null });
    });
  });
});
