import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { MembersService } from '@siyu/members';
import { Actor, AppConfig, PlatformModule, QueueRegistry, REDIS } from '@siyu/platform';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { RFM_RECOMPUTE_JOB, RfmScheduleQueue, rfmSchedulerId, SegmentsQueue } from './jobs/segments.queue';
import { lastNightlyRun, RfmScheduler } from './jobs/rfm.scheduler';
import { RFM_NIGHTLY_CRON, rfmGroupOf } from './rfm.constants';
import { RfmService } from './rfm.service';
import { SegmentSnapshotsService } from './segment-snapshots.service';
import { SegmentsService } from './segments.service';
import { SegmentsWorkerModule } from './segments-worker.module';
import { SeedMember, seedBrand, seedMembers, seedTags } from './testing/segment-seed';
import { waitUntil } from '../../../test/support/processes';

const DAY = 86_400_000;

/** NTILE(n) as Postgres numbers it: the first (rows mod n) buckets are one larger. */
function ntile<T>(sorted: T[], n = 5): Map<T, number> {
  const out = new Map<T, number>();
  const small = Math.floor(sorted.length / n);
  const big = sorted.length % n;
  let i = 0;
  for (let bucket = 1; bucket <= n; bucket++) {
    const size = small + (bucket <= big ? 1 : 0);
    for (let k = 0; k < size; k++) out.set(sorted[i++], bucket);
  }
  return out;
}

describe('segments (int): RFM, snapshots, nightly schedulers', () => {
  let app: INestApplicationContext;
  let ds: DataSource;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule, SegmentsWorkerModule],
    }).compile();
    app = await moduleRef.init();
    ds = app.get(DataSource);
  });
  afterAll(() => app.close());

  const actorOf = (brandId: string): Actor => ({
    brandId,
    actorType: 'system',
    actorId: null,
    requestId: null,
  });

  describe('RFM', () => {
    it('scores quintiles by NTILE over members with a paid order and names their groups', async () => {
      const brand = await seedBrand(ds);
      const now = new Date('2026-06-01T00:00:00Z');
      // 37 buyers with ties in order count and spend; the rest must not be scored
      const buyers: SeedMember[] = Array.from({ length: 37 }, (_, i) => ({
        sourceChannel: 'wecom',
        orders: Array.from({ length: 1 + (i % 4) }, (_, k) => ({
          status: 'paid' as const,
          amountMinor: 1_000 * ((i * 7) % 11) + 500 * k + 100,
          placedAt: new Date(now.getTime() - ((i * 13) % 300) * DAY - k * DAY),
        })),
      }));
      const seeded = await seedMembers(ds, brand, [
        ...buyers,
        { sourceChannel: 'wecom' }, // no orders
        {
          sourceChannel: 'wecom',
          orders: [{ status: 'refunded', amountMinor: 900, refundedMinor: 900, placedAt: now }],
        },
        {
          sourceChannel: 'wecom',
          erased: true,
          orders: [{ status: 'paid', amountMinor: 77_000, placedAt: now }],
        },
        { sourceChannel: 'wecom', mergedInto: 0 },
      ]);
      // a merged tombstone keeps no aggregates in practice; give it some to prove it is excluded
      const tomb = seeded[seeded.length - 1];
      await ds.query(
        `UPDATE members SET order_count = 3, paid_spend_minor = 9999, last_order_at = now() WHERE id = $1`,
        [tomb.id],
      );

      const rfm = app.get(RfmService);
      const result = await ds.transaction((m) => rfm.recompute(m, brand, 'manual', now));
      const scoredSeeds = seeded.filter((s) => s.orderCount > 0 && !s.mergedInto);
      expect(result.scoredMembers).toBe(scoredSeeds.length);
      expect(scoredSeeds).toHaveLength(38); // 37 buyers + the erased buyer

      const byKeys = (keys: (s: (typeof scoredSeeds)[number]) => Array<number | string>) =>
        [...scoredSeeds].sort((a, b) => {
          const ka = keys(a);
          const kb = keys(b);
          for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
          return 0;
        });
      const t = (s: (typeof scoredSeeds)[number]) => s.lastOrderAt!.getTime();
      const r = ntile(byKeys((s) => [t(s), s.orderCount, s.paidSpendMinor, s.id]));
      const f = ntile(byKeys((s) => [s.orderCount, t(s), s.paidSpendMinor, s.id]));
      const mm = ntile(byKeys((s) => [s.paidSpendMinor, s.orderCount, t(s), s.id]));

      const rows: Array<{
        member_id: string;
        r: number;
        f: number;
        m: number;
        rfm_group: string;
        frequency: number;
        monetary_minor: string;
      }> = await ds.query(
        `SELECT member_id, r, f, m, rfm_group, frequency, monetary_minor FROM member_rfm WHERE brand_id = $1`,
        [brand],
      );
      expect(rows).toHaveLength(scoredSeeds.length);
      for (const row of rows) {
        const s = scoredSeeds.find((x) => x.id === row.member_id)!;
        const expected = { r: r.get(s)!, f: f.get(s)!, m: mm.get(s)! };
        expect({ id: s.id, r: row.r, f: row.f, m: row.m, group: row.rfm_group }).toEqual({
          id: s.id,
          ...expected,
          group: rfmGroupOf(expected.r, expected.f, expected.m),
        });
        expect(row.frequency).toBe(s.orderCount);
        expect(Number(row.monetary_minor)).toBe(s.paidSpendMinor);
      }
      // each score splits the buyers into near-equal fifths
      const sizes = [1, 2, 3, 4, 5].map((q) => rows.filter((x) => x.r === q).length);
      expect(sizes).toEqual([8, 8, 8, 7, 7]);

      const summary = await rfm.summary(brand);
      expect(summary.computedAt).toEqual(now);
      expect(summary.scoredMembers).toBe(38);
      expect(summary.groups.reduce((n, g) => n + g.members, 0)).toBe(38);
      expect(summary.groups.map((g) => g.group)).toContain('cant_lose_them');

      // a member whose paid orders are gone drops out on the next run
      await ds.query(
        `UPDATE members SET order_count = 0, paid_spend_minor = 0, last_order_at = NULL WHERE id = $1`,
        [seeded[0].id],
      );
      await ds.transaction((m) => rfm.recompute(m, brand, 'nightly', new Date(now.getTime() + DAY)));
      const [{ n, mine }] = await ds.query(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE member_id = $2)::int AS mine FROM member_rfm WHERE brand_id = $1`,
        [brand, seeded[0].id],
      );
      expect({ n, mine }).toEqual({ n: 37, mine: 0 });
    });

    it('runs queued on demand through the worker, refreshing the brand’s saved counts', async () => {
      const brand = await seedBrand(ds);
      await seedMembers(ds, brand, [
        { orders: [{ status: 'paid', amountMinor: 5_000, placedAt: new Date() }] },
        { orders: [{ status: 'paid', amountMinor: 9_000, placedAt: new Date() }] },
      ]);
      const segment = await app.get(SegmentsService).create(actorOf(brand), {
        name: 'Scored',
        rule: { field: 'rfm_m', op: 'gte', value: 1 },
      });
      expect(segment.memberCount).toBe(0);
      const rfm = app.get(RfmService);
      const item = await rfm.requestRecompute(actorOf(brand));
      // asking again while it is queued answers the same work item
      expect((await rfm.requestRecompute(actorOf(brand))).id).toBe(item.id);
      await waitUntil(async () => (await rfm.summary(brand)).scoredMembers === 2);
      await waitUntil(async () => (await app.get(SegmentsService).get(brand, segment.id)).memberCount === 2);
      expect((await rfm.summary(brand)).pending).toBe(false);
    });
  });

  describe('snapshots', () => {
    it('freeze the audience inside the caller’s transaction, and roll back with it', async () => {
      const brand = await seedBrand(ds);
      const [tag] = await seedTags(ds, brand, ['tea']);
      const members = await seedMembers(ds, brand, [
        { sourceChannel: 'wecom', tagIds: [tag] },
        { sourceChannel: 'wecom', tagIds: [tag], consent: 'opted_out' },
        { sourceChannel: 'wecom', tagIds: [tag], erased: true },
        { sourceChannel: 'douyin', tagIds: [tag] },
        { sourceChannel: 'wecom' },
      ]);
      const segments = app.get(SegmentsService);
      const segment = await segments.create(actorOf(brand), {
        name: 'Tea on WeCom',
        includeErased: true,
        rule: {
          all: [
            { field: 'source_channel', op: 'eq', value: 'wecom' },
            { field: 'tags', op: 'has_any', value: [tag] },
          ],
        },
      });
      expect(segment.memberCount).toBe(3); // the erased one is counted: includeErased
      const snapshots = app.get(SegmentSnapshotsService);

      // a campaign that fails after snapshotting leaves no snapshot behind
      let rolledBack = '';
      await expect(
        ds.transaction(async (m) => {
          const snap = await snapshots.snapshot(m, brand, { segmentId: segment.id }, { label: 'campaign:x' });
          rolledBack = snap.id;
          throw new Error('campaign failed');
        }),
      ).rejects.toThrow('campaign failed');
      await expect(snapshots.get(brand, rolledBack)).rejects.toMatchObject({ status: 404 });

      const snap = await ds.transaction((m) =>
        snapshots.snapshot(m, brand, segment.id, { label: 'campaign:y' }),
      );
      // erased members are never in an audience; opted-out ones are (senders check consent at send time)
      expect(snap).toMatchObject({ segmentId: segment.id, label: 'campaign:y', count: 2 });
      const page = await snapshots.members(brand, snap.id, 10);
      expect(page.items.map((m) => m.id).sort()).toEqual([members[0].id, members[1].id].sort());

      // later changes do not move the snapshot
      await seedMembers(ds, brand, [{ sourceChannel: 'wecom', tagIds: [tag] }]);
      await ds.query(`DELETE FROM member_tags WHERE member_id = $1`, [members[0].id]);
      expect((await snapshots.get(brand, snap.id)).count).toBe(2);
      expect((await snapshots.members(brand, snap.id, 10)).items).toHaveLength(2);

      // an ad-hoc rule (a campaign's own audience) and its brand check
      const adHoc = await ds.transaction((m) =>
        snapshots.snapshot(m, brand, { rule: { field: 'source_channel', op: 'eq', value: 'douyin' } }),
      );
      expect(adHoc).toMatchObject({ segmentId: null, count: 1 });
      const other = await seedBrand(ds);
      const [theirs] = await seedTags(ds, other, ['tea']);
      await expect(
        ds.transaction((m) =>
          snapshots.snapshot(m, brand, { rule: { field: 'tags', op: 'has_any', value: [theirs] } }),
        ),
      ).rejects.toMatchObject({ status: 400, errors: [{ field: 'rule.value[0]' }] });
      // another brand cannot snapshot this segment, nor read the snapshot
      await expect(
        ds.transaction((m) => snapshots.snapshot(m, other, { segmentId: segment.id })),
      ).rejects.toMatchObject({
        status: 404,
        code: 'SEGMENT_NOT_FOUND',
      });
      await expect(snapshots.members(other, snap.id, 10)).rejects.toMatchObject({
        status: 404,
        code: 'SEGMENT_SNAPSHOT_NOT_FOUND',
      });

      // deleting the segment keeps its snapshots
      await segments.remove(actorOf(brand), segment.id);
      expect(await snapshots.get(brand, snap.id)).toMatchObject({ segmentId: null, count: 2 });
    });

    it('of a rule with an order window next to other conditions hold exactly the members the count finds', async () => {
      const brand = await seedBrand(ds);
      const [tag] = await seedTags(ds, brand, ['tea']);
      const day = (n: number) => new Date(Date.now() - n * DAY);
      const members = await seedMembers(ds, brand, [
        {
          sourceChannel: 'wecom',
          tagIds: [tag],
          orders: [{ status: 'paid', amountMinor: 60_000, placedAt: day(3) }],
        },
        {
          sourceChannel: 'wecom',
          tagIds: [tag],
          orders: [{ status: 'paid', amountMinor: 60_000, placedAt: day(90) }],
        },
        { sourceChannel: 'wecom', tagIds: [tag] },
        {
          sourceChannel: 'douyin',
          tagIds: [tag],
          orders: [{ status: 'paid', amountMinor: 90_000, placedAt: day(1) }],
        },
        {
          sourceChannel: 'wecom',
          orders: [
            { status: 'paid', amountMinor: 30_000, placedAt: day(2) },
            { status: 'cancelled', amountMinor: 90_000, placedAt: day(2) },
          ],
        },
      ]);
      const rule = (op: string, value: number) => ({
        all: [
          { field: 'source_channel', op: 'eq', value: 'wecom' },
          {
            any: [
              { field: 'tags', op: 'has_any', value: [tag] },
              { field: 'paid_spend', op: 'gte', value: 1 },
            ],
          },
          { field: 'spend_within_days', op, value, days: 30 },
        ],
      });
      const segments = app.get(SegmentsService);
      const snapshots = app.get(SegmentSnapshotsService);
      for (const [op, value, expected] of [
        ['gte', 50_000, [0]],
        ['lt', 50_000, [1, 2, 4]], // members without orders in the window count as 0
      ] as const) {
        const preview = await segments.preview(brand, { rule: rule(op, value) });
        expect(preview.count).toBe(expected.length);
        const snap = await ds.transaction((m) => snapshots.snapshot(m, brand, { rule: rule(op, value) }));
        const page = await snapshots.members(brand, snap.id, 10);
        expect(page.items.map((x) => x.id).sort()).toEqual(expected.map((i) => members[i].id).sort());
      }
    });

    it('follow a merge: the survivor takes the merged member’s place once, and RFM rows do not collide', async () => {
      const brand = await seedBrand(ds);
      const [a, b, c] = await seedMembers(ds, brand, [
        {
          sourceChannel: 'wecom',
          orders: [{ status: 'paid', amountMinor: 100, placedAt: new Date() }],
          rfm: { r: 1, f: 1, m: 1 },
        },
        {
          sourceChannel: 'wecom',
          orders: [{ status: 'paid', amountMinor: 200, placedAt: new Date() }],
          rfm: { r: 5, f: 5, m: 5 },
        },
        { sourceChannel: 'douyin' },
      ]);
      const snapshots = app.get(SegmentSnapshotsService);
      const both = await ds.transaction((m) =>
        snapshots.snapshot(m, brand, { rule: { field: 'source_channel', op: 'eq', value: 'wecom' } }),
      );
      const onlyC = await ds.transaction((m) =>
        snapshots.snapshot(m, brand, { rule: { field: 'source_channel', op: 'eq', value: 'douyin' } }),
      );
      const members = app.get(MembersService, { strict: false });
      await members.merge(actorOf(brand), a.id, b.id); // b into a
      await members.merge(actorOf(brand), a.id, c.id); // c into a
      const ids = async (id: string) => (await snapshots.members(brand, id, 10)).items.map((m) => m.id);
      expect(await ids(both.id)).toEqual([a.id]);
      expect(await ids(onlyC.id)).toEqual([a.id]);
      const rfmRows: Array<{ member_id: string }> = await ds.query(
        `SELECT member_id FROM member_rfm WHERE brand_id = $1`,
        [brand],
      );
      expect(rfmRows.map((r) => r.member_id)).toEqual([a.id]);
    });
  });

  describe('export', () => {
    it('frees its connection when the reader goes away, before or while reading', async () => {
      const brand = await seedBrand(ds);
      await seedMembers(
        ds,
        brand,
        Array.from({ length: 2_500 }, () => ({ sourceChannel: 'wecom' })),
      );
      const segments = app.get(SegmentsService);
      const segment = await segments.create(actorOf(brand), { name: 'Export', rule: { all: [] } });
      // the test pool has 5 connections: a leak would leave the later exports waiting forever
      for (let i = 0; i < 12; i++) {
        const { stream } = await segments.exportCsv(actorOf(brand), segment.id);
        if (i % 2 === 0) {
          stream.destroy();
        } else {
          await new Promise<void>((resolve) => stream.once('data', () => resolve()));
          stream.destroy();
        }
        await new Promise((r) => setImmediate(r));
      }
      const { stream } = await segments.exportCsv(actorOf(brand), segment.id);
      let text = '';
      for await (const chunk of stream) text += String(chunk);
      expect(text.trimEnd().split('\n')).toHaveLength(2_501);
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(n).toBe(0);
    });
  });

  describe('nightly RFM schedulers', () => {
    it('keep one job scheduler per brand in its time zone, re-declared after a Redis flush', async () => {
      const scheduler = app.get(RfmScheduler);
      const queue = app.get(QueueRegistry).get(RfmScheduleQueue);
      const sh = await seedBrand(ds, 'Asia/Shanghai');
      const la = await seedBrand(ds, 'America/Los_Angeles');
      await scheduler.sync();
      expect(await queue.getJobScheduler(rfmSchedulerId(sh))).toMatchObject({
        tz: 'Asia/Shanghai',
        pattern: RFM_NIGHTLY_CRON,
      });
      expect(await queue.getJobScheduler(rfmSchedulerId(la))).toMatchObject({
        tz: 'America/Los_Angeles',
        pattern: RFM_NIGHTLY_CRON,
      });
      // the next run is at 04:00 in each brand's zone
      const next = (await queue.getJobScheduler(rfmSchedulerId(la)))!.next!;
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'America/Los_Angeles',
        hour: '2-digit',
        minute: '2-digit',
      }).format(next);
      expect(local).toBe('04:00');

      // a changed time zone is picked up; a second pass changes nothing
      await ds.query(`UPDATE brands SET time_zone = 'Europe/Berlin' WHERE id = $1`, [la]);
      await scheduler.sync();
      expect(await queue.getJobScheduler(rfmSchedulerId(la))).toMatchObject({ tz: 'Europe/Berlin' });
      expect((await scheduler.sync()).declared).toBe(0);

      // Redis loses everything: the next pass declares them again
      const prefix = app.get(AppConfig).get('QUEUE_PREFIX');
      const redis = app.get<Redis>(REDIS);
      for (let cursor = '0'; ;) {
        const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length) await redis.del(...keys);
        cursor = nextCursor;
        if (cursor === '0') break;
      }
      expect(await queue.getJobScheduler(rfmSchedulerId(sh))).toBeFalsy();
      expect((await scheduler.sync()).declared).toBeGreaterThanOrEqual(2);
      expect(await queue.getJobScheduler(rfmSchedulerId(sh))).toMatchObject({ tz: 'Asia/Shanghai' });

      // a brand that is gone loses its scheduler
      await ds.query(`DELETE FROM brands WHERE id = $1`, [la]);
      await scheduler.sync();
      expect(await queue.getJobScheduler(rfmSchedulerId(la))).toBeFalsy();
    });

    it('catch up a missed night from Postgres, once per brand-local day, and a tick runs the brand', async () => {
      const scheduler = app.get(RfmScheduler);
      const brand = await seedBrand(ds, 'America/Los_Angeles');
      await seedMembers(ds, brand, [
        { orders: [{ status: 'paid', amountMinor: 100, placedAt: new Date() }] },
      ]);
      await ds.query(`UPDATE brands SET created_at = now() - interval '3 days' WHERE id = $1`, [brand]);
      const day = lastNightlyRun(new Date(), 'America/Los_Angeles').day;
      const items = async () =>
        (await ds.query(
          `SELECT id, status FROM work_items WHERE queue = $1 AND name = $2 AND brand_id = $3`,
          [SegmentsQueue.name, RFM_RECOMPUTE_JOB, brand],
        )) as Array<{ id: string; status: string }>;
      await scheduler.sync();
      await scheduler.sync();
      const [item] = await items();
      expect(await items()).toHaveLength(1);
      const [{ dedupe_key }] = await ds.query(`SELECT dedupe_key FROM work_items WHERE id = $1`, [item.id]);
      expect(dedupe_key).toBe(`rfm-nightly-${brand}-${day}`);
      await waitUntil(async () => (await app.get(RfmService).summary(brand)).scoredMembers === 1);
      // caught up: no more work for that night
      await scheduler.sync();
      expect(await items()).toHaveLength(1);

      // what the cron fires: a tick for the brand becomes that night's (already done) work item
      const other = await seedBrand(ds, 'Asia/Shanghai');
      await seedMembers(ds, other, [
        { orders: [{ status: 'paid', amountMinor: 100, placedAt: new Date() }] },
      ]);
      await app
        .get(QueueRegistry)
        .get(RfmScheduleQueue)
        .add('rfm-nightly', { brandId: other }, { jobId: `tick-${randomUUID()}` });
      await waitUntil(async () => (await app.get(RfmService).summary(other)).scoredMembers === 1);
      const [{ trigger }] = await ds.query(`SELECT trigger FROM rfm_runs WHERE brand_id = $1`, [other]);
      expect(trigger).toBe('nightly');
    });
  });
});
