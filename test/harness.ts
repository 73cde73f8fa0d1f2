import { Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '@siyu/platform';
import request from 'supertest';
import { AppModule } from '../apps/api/src/app.module';

export interface TestApp {
  app: NestFastifyApplication;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

/**
 * The whole API in-process, built by the same function as production's main.ts, on this jest
 * worker's cloned database and BullMQ prefix. `extra` adds test-only modules (e.g. a route that throws).
 */
export async function createTestApp(...extra: Type<unknown>[]): Promise<TestApp> {
  @Module({ imports: [AppModule, ...extra] })
  class TestRootModule {}
  const app = await createApiApp(extra.length > 0 ? TestRootModule : AppModule);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    http: () => request(app.getHttpServer()),
    close: () => app.close(),
  };
}
