import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { TokenService } from './auth/token.service';
import { registerCgiGate } from './common/cgi-gate.hook';
import { registerJsonBodyParser } from './common/json-body.parser';
import type { SimConfig } from './config/sim-config';
import { SimConfigService } from './config/sim-config.service';
import { FaultService } from './faults/fault.service';
import { SimModule } from './sim.module';
import { StatsService } from './stats/stats.service';

export interface SimOptions {
  /** Initial configuration; /_sim/reset returns to it. */
  config?: Partial<SimConfig>;
  /** Largest request body (a 10,000-recipient add_msg_template is ~400 KB). Default 8 MiB. */
  bodyLimitBytes?: number;
}

export interface StartSimOptions extends SimOptions {
  /** 0 picks a free port. Default 0. */
  port?: number;
  host?: string;
}

export interface RunningSim {
  app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:39123 — use as WECOM_BASE_URL. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The simulator as a Nest application on Fastify, not yet listening. No request logging. */
export async function createSimApp(options: SimOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 8 * 1024 * 1024,
    logger: false,
    return503OnClosing: true,
    forceCloseConnections: true,
    keepAliveTimeout: 65_000,
  });
  const app = await NestFactory.create<NestFastifyApplication>(SimModule, adapter, {
    logger: false,
    bodyParser: false,
    abortOnError: false,
  });
  app.get(SimConfigService).setInitial(options.config ?? {});
  const fastify = app.getHttpAdapter().getInstance();
  registerJsonBodyParser(fastify);
  registerCgiGate(fastify, {
    tokens: app.get(TokenService),
    faults: app.get(FaultService),
    stats: app.get(StatsService),
  });
  app.enableShutdownHooks();
  return app;
}

/** Creates the simulator and listens; tests and benches start it on port 0. */
export async function startSim(options: StartSimOptions = {}): Promise<RunningSim> {
  const app = await createSimApp(options);
  const host = options.host ?? '127.0.0.1';
  await app.listen(options.port ?? 0, host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  return {
    app,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    close: () => app.close(),
  };
}
