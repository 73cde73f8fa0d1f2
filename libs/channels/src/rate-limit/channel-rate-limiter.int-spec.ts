import { randomUUID } from 'node:crypto';
import { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AppConfig, PlatformModule, redisOptions } from '@siyu/platform';
import { ConnectionOptions, Job, Queue, Worker } from 'bullmq';
import { ChannelsModule } from '../channels.module';
import { ChannelRateLimiter, deferJob, RateLimit } from './channel-rate-limiter';

const boot = async (): Promise<INestApplicationContext> =>
  (await Test.createTestingModule({ imports: [PlatformModule, ChannelsModule] }).compile()).init();

/**
 * Two application contexts stand for two worker processes: each has its own Redis connection and
 * its own limiter instance; only Redis is shared. Limits use a 60 s window so that every attempt of
 * a test falls in one window and the assertions can count, not time.
 */
describe('ChannelRateLimiter across processes (int)', () => {
  let a: INestApplicationContext;
  let b: INestApplicationContext;
  const limit: RateLimit = { points: 10, durationSeconds: 60 };

  beforeAll(async () => {
    [a, b] = await Promise.all([boot(), boot()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it('two concurrent consumers never get more than the budget between them', async () => {
    const key = `oa-${randomUUID()}`;
    const attempts = Array.from({ length: 50 }, (_, i) =>
      (i % 2 ? a : b).get(ChannelRateLimiter).acquire(key, limit),
    );
    const decisions = await Promise.all(attempts);
    const allowed = decisions.filter((d) => d.allowed);
    expect(allowed).toHaveLength(10);
    for (const d of decisions.filter((x) => !x.allowed)) {
      expect(d).toMatchObject({ allowed: false, reason: 'limit' });
      expect((d as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
      expect((d as { retryAfterMs: number }).retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    // Batches take several points at once, all or nothing.
    const other = `oa-${randomUUID()}`;
    const bulk = await Promise.all([
      a.get(ChannelRateLimiter).acquire(other, limit, 6),
      b.get(ChannelRateLimiter).acquire(other, limit, 6),
    ]);
    expect(bulk.filter((d) => d.allowed)).toHaveLength(1);
    await expect(a.get(ChannelRateLimiter).acquire(other, limit, 11)).rejects.toThrow(/budget/);
  });

  it('a 45009 block set by one process holds back the other until it ends', async () => {
    const key = `wecom-${randomUUID()}`;
    await a.get(ChannelRateLimiter).block(key, 30_000);
    const d = await b.get(ChannelRateLimiter).acquire(key, limit);
    expect(d).toMatchObject({ allowed: false, reason: 'blocked' });
    expect((d as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(25_000);
    // A shorter block does not cut a longer one short.
    await b.get(ChannelRateLimiter).block(key, 1_000);
    expect((await a.get(ChannelRateLimiter).blockedUntil(key))?.getTime()).toBeGreaterThan(
      Date.now() + 25_000,
    );
  });

  it('BullMQ workers in two processes defer what is over the limit; the sends never exceed it', async () => {
    const config = a.get(AppConfig);
    const prefix = config.get('QUEUE_PREFIX');
    const connection = () =>
      redisOptions(config.get('REDIS_URL'), { maxRetriesPerRequest: null }) as ConnectionOptions;
    const name = `test-channel-rl-${randomUUID().slice(0, 8)}`;
    const key = `oa-${randomUUID()}`;
    const sends: string[] = [];
    const byWorker: Record<string, number> = { a: 0, b: 0 };
    const processor = (ctx: INestApplicationContext, who: string) => async (job: Job, token?: string) => {
      const d = await ctx.get(ChannelRateLimiter).acquire(key, limit);
      if (!d.allowed) return deferJob(job, token, d.retryAfterMs);
      sends.push(String(job.id));
      byWorker[who]++;
    };
    const queue = new Queue(name, { connection: connection(), prefix });
    const workers = [
      new Worker(name, processor(a, 'a'), { connection: connection(), prefix, concurrency: 4 }),
      new Worker(name, processor(b, 'b'), { connection: connection(), prefix, concurrency: 4 }),
    ];
    try {
      await queue.addBulk(
        Array.from({ length: 25 }, (_, i) => ({ name: 'send', data: {}, opts: { jobId: `j${i}` } })),
      );
      const deadline = Date.now() + 30_000;
      let counts = await queue.getJobCounts('completed', 'delayed', 'waiting', 'active');
      while ((counts.completed < 10 || counts.delayed < 15) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        counts = await queue.getJobCounts('completed', 'delayed', 'waiting', 'active');
      }
      expect(counts).toMatchObject({ completed: 10, delayed: 15, waiting: 0, active: 0 });
      expect(sends).toHaveLength(10);
      expect(new Set(sends).size).toBe(10);
      // Deferring is not a failed attempt.
      const delayed = await queue.getJobs(['delayed']);
      expect(delayed.every((j) => j.attemptsMade === 0)).toBe(true);
      expect(byWorker.a + byWorker.b).toBe(10);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
