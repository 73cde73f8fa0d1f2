import { Processor } from '@nestjs/bullmq';
import { Injectable, INestApplicationContext, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import type { EnvironmentVariables } from '../config/environment';
import { PlatformModule, PlatformWorkerModule } from '../platform.module';
import { REDIS } from '../redis/redis.module';
import { defineQueue } from './queue-def';
import { PlatformQueueModule } from './queue.module';
import { Reconciler } from './reconcile';
import { MaintenanceQueue, RECONCILE_SCHEDULER_ID } from './maintenance.queue';
import { ReconcileScheduler } from './maintenance.processor';
import { QueueRegistry } from './queue-registry';
import { SiyuWorkerHost } from './siyu-worker-host';
import { WorkJob, WorkService } from './work.service';
import { waitUntil } from '../../../../test/support/processes';
import { flushPrefix } from '../../../../test/support/redis';

const TestQueue = defineQueue<WorkJob>('test-effects', {
  attempts: 3,
  backoff: { type: 'fixed', delay: 50 },
});

/** Each item's effect is one row in test_effects, written in the transaction that marks it done. */
@Injectable()
@Processor(TestQueue.name, { concurrency: 4 })
class EffectsProcessor extends SiyuWorkerHost<WorkJob> {
  static delayMs = 5;
  static failFirstFor = new Set<string>();
  constructor(private readonly work: WorkService) {
    super();
  }
  handle(job: Job<WorkJob>, token?: string) {
    return this.work.run(job, token, async (item, m) => {
      await new Promise((r) => setTimeout(r, EffectsProcessor.delayMs));
      if (EffectsProcessor.failFirstFor.delete(String(item.payload.n))) throw new Error('transient failure');
      await m.query('INSERT INTO test_effects (item_id) VALUES ($1)', [item.id]);
    });
  }
}

@Module({ imports: [PlatformQueueModule.register(TestQueue)], providers: [EffectsProcessor] })
class TestWorkModule {}

/**
 * A short lease, so an item the flush below orphaned mid-claim is taken over within the test
 * (production keeps two minutes); every effect here takes milliseconds.
 */
@Injectable()
class ShortLeaseConfig extends AppConfig {
  override get<K extends keyof EnvironmentVariables>(key: K): EnvironmentVariables[K] {
    return (key === 'RECONCILE_STALE_AFTER_MS' ? 3_000 : super.get(key)) as EnvironmentVariables[K];
  }
}

describe('durable work items and the reconciler (int)', () => {
  let app: INestApplicationContext;
  let ds: DataSource;
  let work: WorkService;
  let prefix: string;

  beforeAll(async () => {
    const mod = await Test.createTestingModule({
      imports: [PlatformModule, PlatformWorkerModule, TestWorkModule],
    })
      .overrideProvider(AppConfig)
      .useClass(ShortLeaseConfig)
      .compile();
    app = await mod.init();
    ds = app.get(DataSource);
    work = app.get(WorkService);
    prefix = app.get(AppConfig).get('QUEUE_PREFIX');
    expect(app.get(AppConfig).get('RECONCILE_STALE_AFTER_MS')).toBe(3_000);
    await ds.query(
      'CREATE TABLE IF NOT EXISTS test_effects (item_id bigint NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp())',
    );
  });
  afterAll(() => app.close());

  const counts = async (ids: string[]) => {
    const [r] = await ds.query(
      `SELECT count(*)::int AS effects, count(DISTINCT item_id)::int AS distinct_items,
              (SELECT count(*)::int FROM work_items WHERE id = ANY($1) AND status = 'done') AS done
         FROM test_effects WHERE item_id = ANY($1)`,
      [ids],
    );
    return r as { effects: number; distinct_items: number; done: number };
  };

  it('a dedupe key makes enqueueing the same work twice a no-op', async () => {
    const a = await work.enqueue(TestQueue, [
      { name: 'effect', dedupeKey: 'same-key', payload: { n: 'dup' } },
    ]);
    const b = await work.enqueue(TestQueue, [
      { name: 'effect', dedupeKey: 'same-key', payload: { n: 'dup' } },
    ]);
    expect(b[0].id).toBe(a[0].id);
    await waitUntil(async () => (await counts([a[0].id])).done === 1);
    expect(await counts([a[0].id])).toEqual({ effects: 1, distinct_items: 1, done: 1 });
  });

  it('retries a failed attempt and still applies the effect once', async () => {
    EffectsProcessor.failFirstFor.add('flaky');
    const [item] = await work.enqueue(TestQueue, [{ name: 'effect', payload: { n: 'flaky' } }]);
    await waitUntil(async () => (await counts([item.id])).done === 1);
    const [row] = await ds.query('SELECT attempts, last_error FROM work_items WHERE id = $1', [item.id]);
    expect(row.attempts).toBe(2);
    expect(row.last_error).toBeNull();
    expect((await counts([item.id])).effects).toBe(1);
  });

  it('re-enqueues what a Redis flush lost, and every item is done exactly once', async () => {
    EffectsProcessor.delayMs = 10;
    const rows = await work.enqueue(
      TestQueue,
      Array.from({ length: 300 }, (_, i) => ({ name: 'effect', payload: { n: i } })),
    );
    const ids = rows.map((r) => r.id);
    await waitUntil(async () => (await counts(ids)).done >= 30);
    // Lose every job and every lock in this worker's Redis prefix mid-run (what FLUSHALL does to us).
    const deleted = await flushPrefix(app.get<Redis>(REDIS), prefix);
    expect(deleted).toBeGreaterThan(0);
    const afterFlush = await counts(ids);
    expect(afterFlush.done).toBeLessThan(300);

    const report = await app.get(Reconciler).reconcile();
    expect(report.bySource.work_items.enqueued).toBeGreaterThan(0);
    // The periodic pass, sped up: whatever the first pass could not take yet (a claim whose job
    // the flush took) is taken over once its lease ran out.
    await waitUntil(async () => {
      if ((await counts(ids)).done === 300) return true;
      await app.get(Reconciler).reconcile();
      await new Promise((r) => setTimeout(r, 500));
      return false;
    }, 45_000);
    // Items that were in flight during the flush keep their claim; a second pass after their
    // lease picks up any the flush orphaned. Either way: all done, each effect exactly once.
    expect(await counts(ids)).toEqual({ effects: 300, distinct_items: 300, done: 300 });
  });

  it('a crash between commit and enqueue is healed by the reconciler', async () => {
    // The row is committed but its job never added (the process died in between).
    const [item] = await ds.transaction((m) =>
      work.create(m, TestQueue, [{ name: 'effect', payload: { n: 'orphan' } }]),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await counts([item.id])).done).toBe(0);
    await app.get(Reconciler).reconcile();
    await waitUntil(async () => (await counts([item.id])).done === 1);
    expect((await counts([item.id])).effects).toBe(1);
  });

  it('leaves work of a queue this process does not serve to the processes that do', async () => {
    const [row] = await ds.query(
      `INSERT INTO work_items (queue, name, payload) VALUES ('not-served-here', 'x', '{}') RETURNING id`,
    );
    const report = await app.get(Reconciler).reconcile();
    expect(report.bySource.work_items.checked).toBeGreaterThanOrEqual(1);
    const [after] = await ds.query('SELECT status FROM work_items WHERE id = $1', [row.id]);
    expect(after.status).toBe('pending');
    await ds.query('DELETE FROM work_items WHERE id = $1', [row.id]);
  });

  it('the worker re-declares the reconcile job scheduler after a flush', async () => {
    const maintenance = app.get(QueueRegistry).get(MaintenanceQueue);
    await flushPrefix(app.get<Redis>(REDIS), prefix);
    expect(await maintenance.getJobScheduler(RECONCILE_SCHEDULER_ID)).toBeFalsy();
    await app.get(ReconcileScheduler).ensureScheduled();
    const scheduler = await maintenance.getJobScheduler(RECONCILE_SCHEDULER_ID);
    expect(scheduler?.every).toBe(app.get(AppConfig).get('RECONCILE_INTERVAL_MS'));
  });
});
