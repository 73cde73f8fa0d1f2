import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, MetricsService } from '@siyu/platform';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ClickRecorder } from './click-recorder.service';
import { RedirectRoute } from './redirect.route';

/**
 * The proxy whose `X-Forwarded-For` is believed: loopback, as the API's own adapter trusts
 * (`trustProxy: '127.0.0.1'`), written as a comparison so no address is parsed per request.
 */
export const trustLoopbackProxy = (address: string): boolean =>
  address === '127.0.0.1' || address === '::ffff:127.0.0.1';

/**
 * `GET /r/:code` on a listener of its own (`REDIRECT_PORT`, 0 = none): a plain Fastify server in the
 * API process with the same handler as the API's route (LRU → Redis → Postgres, bot filter, clicks
 * to the Redis stream) and the same latency histogram, but none of the API's per-request work
 * (Nest's middleware runner, request ids, the request logger, body parsers, the problem filter).
 * Short links live on a domain of their own in production, so they can have a port of their own.
 * Any other path answers the plain 404 page; `GET /health` says the listener is up (it needs no
 * dependency to answer: cached codes redirect while Postgres is down).
 */
@Injectable()
export class RedirectServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RedirectServer.name);
  private server: FastifyInstance | null = null;

  constructor(
    private readonly config: AppConfig,
    private readonly route: RedirectRoute,
    private readonly metrics: MetricsService,
    private readonly clicks: ClickRecorder,
  ) {}

  /** Where the listener answers, once it does (null when REDIRECT_PORT is 0). */
  get address(): { host: string; port: number } | null {
    const a = this.server?.server.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.get('REDIRECT_PORT');
    if (!port) return;
    const fastify = Fastify({
      logger: false,
      trustProxy: trustLoopbackProxy,
      return503OnClosing: true,
      forceCloseConnections: 'idle',
    });
    this.observeLatency(fastify);
    this.route.mount(fastify);
    fastify.get('/health', (_req, reply) => void reply.header('cache-control', 'no-store').send('ok'));
    fastify.setNotFoundHandler((_req, reply) => this.route.notFound(reply));
    fastify.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
      const status = err.statusCode ?? 500;
      if (status < 500) return this.route.notFound(reply);
      this.logger.error(
        { err: { message: err.message, stack: err.stack }, reqId: req.id },
        'redirect failed',
      );
      this.route.unavailable(reply, status);
    });
    await fastify.listen({ port, host: this.config.get('HOST') });
    this.server = fastify;
    this.logger.log(`short links on ${this.config.get('HOST')}:${port} (GET /r/:code)`);
  }

  /**
   * Every response's latency in the API's histogram under its route pattern, as
   * `MetricsService.instrument` observes the API's own port (must be called before the routes are
   * added). Cheaper per request: each route gets its own synchronous hook with its pattern bound
   * when it is added, where `instrument`'s one async hook costs every redirect a promise and
   * Fastify's `then` on it (each seen by the API's async hooks) and reads `routeOptions`, which
   * builds an object of a dozen fields per call. Unmatched paths (the 404 page) are observed by an
   * instance hook as `unmatched`. The listener has no `/metrics`, so nothing is skipped.
   */
  private observeLatency(fastify: FastifyInstance): void {
    const histogram = this.metrics.httpDuration;
    const observer =
      (route: string) =>
      (req: FastifyRequest, reply: FastifyReply, done: () => void): void => {
        histogram.observe(
          { method: req.method, route, status_code: String(reply.statusCode) },
          reply.elapsedTime / 1000,
        );
        done();
      };
    fastify.addHook('onRoute', (route) => {
      const own = observer(route.url);
      route.onResponse = route.onResponse ? [route.onResponse, own].flat() : own;
    });
    const unmatched = observer('unmatched');
    fastify.addHook('onResponse', (req, reply, done) => (req.is404 ? unmatched(req, reply, done) : done()));
  }

  /** Stops taking redirects, then hands the clicks they recorded to the stream. */
  async beforeApplicationShutdown(): Promise<void> {
    if (!this.server) return;
    const server = this.server;
    this.server = null;
    await server.close();
    await this.clicks.flush();
  }
}
