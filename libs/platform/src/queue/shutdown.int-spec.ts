import { Processor } from '@nestjs/bullmq';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { PlatformModule } from '../platform.module';
import { defineQueue } from './queue-def';
import { PlatformQueueModule } from './queue.module';
import { SiyuWorkerHost } from './siyu-worker-host';
import { WorkJob, WorkService } from './work.service';

const SlowQueue = defineQueue<WorkJob>('test-slow');
let started = false;

@Injectable()
@Processor(SlowQueue.name)
class SlowProcessor extends SiyuWorkerHost<WorkJob> {
  constructor(private readonly work: WorkService) {
    super();
  }
  handle(job: Job<WorkJob>, token?: string) {
    return this.work.run(job, token, async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 1_500));
    });
  }
}

@Module({ imports: [PlatformQueueModule.register(SlowQueue)], providers: [SlowProcessor] })
class SlowModule {}

describe('worker graceful shutdown (int)', () => {
  it('finishes the job in flight before the process context closes', async () => {
    const app = await (
      await Test.createTestingModule({ imports: [PlatformModule, SlowModule] }).compile()
    ).init();
    const ds = app.get(DataSource);
    const [item] = await app.get(WorkService).enqueue(SlowQueue, [{ name: 'slow' }]);
    while (!started) await new Promise((r) => setTimeout(r, 20));
    const statusAtClose = (await ds.query('SELECT status FROM work_items WHERE id = $1', [item.id]))[0]
      .status;
    expect(statusAtClose).toBe('running');
    // What SIGTERM triggers in apps/worker (enableShutdownHooks → app.close()).
    const check = await Test.createTestingModule({ imports: [PlatformModule] }).compile();
    const probe = (await check.init()).get(DataSource);
    await app.close();
    const [row] = await probe.query('SELECT status, completed_at FROM work_items WHERE id = $1', [item.id]);
    expect(row.status).toBe('done');
    expect(row.completed_at).not.toBeNull();
    await check.close();
  });
});
