import type { IncomingMessage } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import fastifyMultipart from '@fastify/multipart';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { Logger as NestLogger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AuthException } from '../auth/auth.errors';
import { AuthGuard } from '../auth/auth.guard';
import { AuthService } from '../auth/auth.service';
import { AuthedRequest, Principal } from '../auth/principal';
import { AppConfig, loadEnvironment } from '../config/app-config';
import { DomainException } from '../errors/domain.exception';
import { sendProblem } from '../errors/problem.filter';
import { createValidationPipe } from '../errors/validation';
import { requestId } from '../logging/logging.module';
import { MetricsService } from '../metrics/metrics';
import { QueueRegistry } from '../queue/queue-registry';
import { registerXmlBodyParser } from './xml-body';

export const BULL_BOARD_PATH = '/admin/queues';

/**
 * Builds the API application exactly as production runs it (used by main.ts, the e2e tests and
 * the benches): Fastify, body limit, request ids, validation, problem+json, OpenAPI, bull-board.
 */
export async function createApiApp(rootModule: Type<unknown>): Promise<NestFastifyApplication> {
  const env = loadEnvironment();
  const adapter = new FastifyAdapter({
    bodyLimit: env.BODY_LIMIT_BYTES,
    genReqId: (req: IncomingMessage) => {
      const id = requestId(req);
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
    requestIdHeader: false,
    trustProxy: '127.0.0.1',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  // multipart/form-data for streamed uploads (routes call req.file() with their own size limit);
  // it only adds a parser for that content type, so JSON routes are unaffected.
  await app.register(fastifyMultipart, { limits: { files: 1, fields: 10, parts: 11, fieldSize: 65_536 } });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.flushLogs();
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  // Nest routes Fastify's own errors (size limits, media types) to the global filter. JSON is parsed
  // by Fastify's default (prototype-poisoning-safe) parser; syntax errors get a code of their own,
  // and the raw text is kept on the request for signed webhooks (HMAC over the exact bytes).
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    (req as FastifyRequest & { rawBody?: string }).rawBody = body as string;
    parseJson(req, body as string, (err, value) =>
      err
        ? done(new DomainException('MALFORMED_JSON', 400, 'The request body is not valid JSON'), undefined)
        : done(null, value),
    );
  });
  registerXmlBodyParser(fastify);
  fastify.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', String(req.id));
  });
  app.get(MetricsService).instrument(fastify);

  const config = new DocumentBuilder()
    .setTitle('Siyu API')
    .setDescription(
      'Private-traffic community CRM: members, tiers, segments, campaigns, coupons, draws, live, conversions, partners.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });

  mountBullBoard(app);
  return app;
}

/** bull-board at /admin/queues for owners: a Bearer token or API key, or HTTP Basic for browsers. */
function mountBullBoard(app: NestFastifyApplication): void {
  const registry = app.get(QueueRegistry);
  const guard = app.get(AuthGuard);
  const auth = app.get(AuthService);
  const serverAdapter = new BullBoardFastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({ queues: registry.all().map((q) => new BullMQAdapter(q)), serverAdapter });
  const fastify = app.getHttpAdapter().getInstance();
  void fastify.register(async (scope) => {
    scope.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      try {
        const principal = await authenticateAdmin(req as AuthedRequest, guard, auth);
        if (principal.role !== 'owner') throw AuthException.forbidden(['owner']);
      } catch (err) {
        if (err instanceof AuthException && err.status === 401)
          void reply.header('www-authenticate', 'Basic realm="siyu-admin"');
        sendProblem(err, req, reply, new NestLogger('BullBoard'));
        return reply;
      }
    });
    await scope.register(serverAdapter.registerPlugin() as never, { prefix: BULL_BOARD_PATH });
  });
}

async function authenticateAdmin(
  req: AuthedRequest,
  guard: AuthGuard,
  auth: AuthService,
): Promise<Principal> {
  const header = req.headers.authorization ?? '';
  if (/^Basic\s+/i.test(header)) {
    const decoded = Buffer.from(header.replace(/^Basic\s+/i, ''), 'base64').toString('utf8');
    const sep = decoded.indexOf(':');
    const op = await auth.verifyCredentials(decoded.slice(0, sep), decoded.slice(sep + 1), req.ip);
    return { kind: 'operator', id: op.id, brandId: op.brandId, role: op.role };
  }
  return guard.authenticate(req);
}

export async function listen(app: NestFastifyApplication): Promise<void> {
  const config = app.get(AppConfig);
  await app.listen(config.get('PORT'), config.get('HOST'));
}
