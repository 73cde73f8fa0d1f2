import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@siyu/platform';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(WorkerModule, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.flushLogs();
  // On SIGTERM the BullMQ workers stop taking jobs and finish the ones in flight; past the
  // timeout the process exits and BullMQ's stall detection returns unfinished jobs to the queue.
  app.enableShutdownHooks();
  const timeout = app.get(AppConfig).get('SHUTDOWN_TIMEOUT_MS');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => setTimeout(() => process.exit(1), timeout).unref());
  }
  app.get(Logger).log('worker started');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
