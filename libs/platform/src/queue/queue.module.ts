import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';
import { AppConfig } from '../config/app-config';
import { redisOptions } from '../redis/redis.module';
import { MaintenanceQueue } from './maintenance.queue';
import { DEFAULT_JOB_OPTIONS, QueueDef } from './queue-def';
import { QueueRegistry, registerQueueDefs } from './queue-registry';
import { Reconciler, ReconcileRegistry } from './reconcile';
import { WorkService } from './work.service';

function registerQueues(defs: QueueDef<unknown>[]): DynamicModule {
  registerQueueDefs(defs);
  return BullModule.registerQueue(
    ...defs.map((d) => ({ name: d.name, defaultJobOptions: { ...DEFAULT_JOB_OPTIONS, ...d.jobOptions } })),
  );
}

/** The BullMQ connection, the queue registry, durable work items and the reconciler. */
@Global()
@Module({})
export class PlatformQueueModule {
  static forRoot(): DynamicModule {
    const maintenance = registerQueues([MaintenanceQueue as QueueDef<unknown>]);
    return {
      module: PlatformQueueModule,
      global: true,
      imports: [
        BullModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            connection: redisOptions(config.get('REDIS_URL'), {
              maxRetriesPerRequest: null,
            }) as ConnectionOptions,
            prefix: config.get('QUEUE_PREFIX'),
            defaultJobOptions: DEFAULT_JOB_OPTIONS,
          }),
        }),
        maintenance,
      ],
      providers: [QueueRegistry, ReconcileRegistry, Reconciler, WorkService],
      exports: [QueueRegistry, ReconcileRegistry, Reconciler, WorkService, maintenance],
    };
  }

  /** Registers a lib's queues: `PlatformQueueModule.register(CouponsQueue, ...)`. */
  static register(...defs: QueueDef<unknown>[]): DynamicModule {
    const queues = registerQueues(defs);
    return { module: PlatformQueueModule, imports: [queues], exports: [queues] };
  }
}
