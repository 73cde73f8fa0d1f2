import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  AppConfig,
  BrandsService,
  PlatformModule,
  PlatformWorkerModule,
  Reconciler,
  REDIS,
} from '@siyu/platform';
import type { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { createBrand, TestBrand } from '../../../test/factories/brand.factory';
import { createMember, ownerActor } from '../../../test/factories/member.factory';
import { ladderBody } from '../../../test/factories/tiers.factory';
import { TierLadderPutDto } from './dto/tier-ladder-put.dto';
import { TierLadderService } from './tier-ladder.service';
import { TierSchedulesService } from './tier-schedules.service';
import { nextSlot, previousSlot } from './tier-time';
import { TiersWorkerModule } from './tiers-worker.module';
import { waitUntil } from '../../../test/support/processes';
import { flushPrefix } from '../../../test/support/redis';

describe('tier re-evaluation schedules (int)', () => {
  let app: INestApplicationContext;
  let ds: DataSource;
  let schedules: TierSchedulesService;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PlatformModule, PlatformWorkerModule, TiersWorkerModule],
    }).compile();
    app = await moduleRef.init();
    ds = app.get(DataSource);
    schedules = app.get(TierSchedulesService);
  });
  afterAll(() => app.close());

  const save = (brand: TestBrand, over: Record<string, unknown>) =>
    app.get(TierLadderService).save(ownerActor(brand), ladderBody(over) as unknown as TierLadderPutDto);

  it.each([
    ['Asia/Shanghai', 'daily', '03:00', '0 3 * * *'],
    ['America/Los_Angeles', 'weekly', '00:15', '15 0 * * 1'],
    ['America/Los_Angeles', 'monthly', '23:45', '45 23 1 * *'],
  ])(
    '%s, %s at %s: the job scheduler fires at that brand-local time',
    async (zone, reevaluation, time, pattern) => {
      const brand = await createBrand(app, { timeZone: zone });
      const before = new Date();
      await save(brand, { reevaluation, reevaluationTime: time });
      const scheduler = await schedules.scheduler(brand.id);
      expect(scheduler).toMatchObject({ pattern, tz: zone });
      const next = DateTime.fromMillis(scheduler?.next as number, { zone });
      expect(next.toFormat('HH:mm')).toBe(time);
      if (reevaluation === 'weekly') expect(next.weekday).toBe(1);
      if (reevaluation === 'monthly') expect(next.day).toBe(1);
      expect(next.toMillis()).toBeGreaterThan(before.getTime());
      // the same instant as the schedule rules Siyu computes itself (GET /v1/tiers shows it)
      expect(next.toMillis()).toBe(
        nextSlot(before, zone, reevaluation as 'daily' | 'weekly' | 'monthly', time).getTime(),
      );
    },
  );

  it('follows a change of the brand’s time zone at the next reconcile pass', async () => {
    const brand = await createBrand(app, { timeZone: 'Asia/Shanghai' });
    await save(brand, { reevaluation: 'daily', reevaluationTime: '03:00' });
    await app.get(BrandsService).update(ownerActor(brand), { timeZone: 'America/Los_Angeles' });
    await app.get(Reconciler).reconcile();
    const scheduler = await schedules.scheduler(brand.id);
    expect(scheduler?.tz).toBe('America/Los_Angeles');
    expect(
      DateTime.fromMillis(scheduler?.next as number, { zone: 'America/Los_Angeles' }).toFormat('HH:mm'),
    ).toBe('03:00');
  });

  it('after Redis is flushed, the reconcile pass restores the schedulers and catches up a missed run', async () => {
    const brand = await createBrand(app, { timeZone: 'America/Los_Angeles' });
    await save(brand, { reevaluation: 'daily', reevaluationTime: '03:00' });
    const member = await createMember(app, brand);
    // The ladder was saved before the member existed: no tier until the next evaluation.
    expect(await ds.query(`SELECT 1 FROM member_tiers WHERE member_id = $1`, [member.id])).toEqual([]);
    // Two days without a run (the worker was down over the 03:00 slots).
    const slot = previousSlot(new Date(), 'America/Los_Angeles', 'daily', '03:00');
    await ds.query(`UPDATE tier_ladders SET created_at = $2, last_evaluated_at = $2 WHERE brand_id = $1`, [
      brand.id,
      new Date(slot.getTime() - 2 * 86_400_000),
    ]);

    const deleted = await flushPrefix(app.get<Redis>(REDIS), app.get(AppConfig).get('QUEUE_PREFIX'));
    expect(deleted).toBeGreaterThan(0);
    expect(await schedules.scheduler(brand.id)).toBeFalsy();

    const report = await app.get(Reconciler).reconcile();
    expect(report.bySource.tier_schedules.enqueued).toBeGreaterThanOrEqual(1);
    expect(await schedules.scheduler(brand.id)).toMatchObject({
      pattern: '0 3 * * *',
      tz: 'America/Los_Angeles',
    });

    await waitUntil(async () => {
      const [l] = await ds.query(`SELECT last_evaluated_at FROM tier_ladders WHERE brand_id = $1`, [
        brand.id,
      ]);
      return l.last_evaluated_at >= slot;
    });
    const runs = await ds.query(
      `SELECT trigger, assigned FROM tier_evaluations WHERE brand_id = $1 ORDER BY id`,
      [brand.id],
    );
    expect(runs).toEqual([
      { trigger: 'ladder', assigned: 0 },
      { trigger: 'catch_up', assigned: 1 },
    ]);
    expect(await ds.query(`SELECT 1 FROM member_tiers WHERE member_id = $1`, [member.id])).toHaveLength(1);

    // Caught up: the next pass finds nothing overdue for this brand and adds no job for it.
    await app.get(Reconciler).reconcile();
    await new Promise((r) => setTimeout(r, 300));
    expect(
      await ds.query(`SELECT count(*)::int AS n FROM tier_evaluations WHERE brand_id = $1`, [brand.id]),
    ).toEqual([{ n: 2 }]);
  });
});
