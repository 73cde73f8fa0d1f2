import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Queue } from 'bullmq';
import { PlatformModule } from '../platform.module';
import { JobSchedules } from './job-schedules';
import { defineQueue } from './queue-def';
import { PlatformQueueModule } from './queue.module';
import { QueueRegistry } from './queue-registry';

const TickQueue = defineQueue<Record<string, never>>('test-ticks');

@Injectable()
class TickSchedules extends JobSchedules {
  constructor(@InjectQueue(TickQueue.name) queue: Queue) {
    super(queue, [
      { schedulerId: 'test-tick-a', jobName: 'tick-a', everyMs: 60_000 },
      { schedulerId: 'test-tick-b', jobName: 'tick-b', everyMs: 3_600_000 },
    ]);
  }
}

@Module({ imports: [PlatformQueueModule.register(TickQueue)], providers: [TickSchedules] })
class TickModule {}

describe('JobSchedules (int)', () => {
  it('declares its job schedulers at start-up, and declares them again after Redis lost them', async () => {
    const app = await (
      await Test.createTestingModule({ imports: [PlatformModule, TickModule] }).compile()
    ).init();
    try {
      const queue = app.get(QueueRegistry).get(TickQueue);
      const declared = async () =>
        (await queue.getJobSchedulers()).map((s) => [s.key, s.name, Number(s.every)]).sort();
      expect(await declared()).toEqual([
        ['test-tick-a', 'tick-a', 60_000],
        ['test-tick-b', 'tick-b', 3_600_000],
      ]);
      // What a flushed Redis looks like to this queue: the schedulers are gone.
      await queue.removeJobScheduler('test-tick-a');
      await queue.removeJobScheduler('test-tick-b');
      expect(await declared()).toEqual([]);
      await app.get(TickSchedules).ensureScheduled();
      expect((await declared()).map((d) => d[0])).toEqual(['test-tick-a', 'test-tick-b']);
    } finally {
      await app.close();
    }
  });
});
