import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadEnvironment } from '@siyu/platform';
import { SimModule } from './sim.module';

async function main(): Promise<void> {
  const url = new URL(loadEnvironment().WECOM_BASE_URL);
  const app = await NestFactory.create<NestFastifyApplication>(SimModule, new FastifyAdapter(), {
    logger: ['error', 'warn'],
  });
  app.enableShutdownHooks();
  await app.listen(Number(url.port || 80), url.hostname);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
