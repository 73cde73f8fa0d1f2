import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isbot } from 'isbot';
import { LRUCache } from 'lru-cache';
import { ClickRecorder } from './click-recorder.service';
import { CODE_PATTERN } from './conversions.constants';
import { LinkResolver } from './link-resolver.service';

const NOT_FOUND_PAGE =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Link not found</title>' +
  '<p>This link does not exist.</p></html>';
const UNAVAILABLE_PAGE =
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>Try again</title>' +
  '<p>This link cannot be opened right now. Please try again in a moment.</p></html>';

/**
 * `GET /r/:code`, the hot path: a plain Fastify route (no guard, pipes or interceptors to run),
 * registered by this provider so it lives with the rest of the lib. A cache hit does no I/O at all;
 * the click is handed to the in-process ClickRecorder after the answer is decided. Bots (by user
 * agent, `isbot`) are redirected but not recorded; a request without a user agent counts as one.
 */
@Injectable()
export class RedirectRoute implements OnModuleInit {
  private readonly logger = new Logger(RedirectRoute.name);
  /** isbot's verdict per user agent: a handful of agents make most visits, and the pattern is long. */
  private readonly bots = new LRUCache<string, boolean>({ max: 10_000 });
  private lastWarning = 0;

  constructor(
    private readonly adapter: HttpAdapterHost,
    private readonly resolver: LinkResolver,
    private readonly clicks: ClickRecorder,
  ) {}

  onModuleInit(): void {
    this.mount(this.adapter.httpAdapter.getInstance<FastifyInstance>());
  }

  /** Adds `GET /r/:code` to a Fastify instance: the API's own, and the lean RedirectServer's. */
  mount(fastify: FastifyInstance): void {
    fastify.get('/r/:code', (req, reply) =>
      this.handle(req as FastifyRequest<{ Params: { code: string } }>, reply),
    );
  }

  /** The plain 404 page, for paths the lean listener does not serve. */
  notFound(reply: FastifyReply): void {
    this.page(reply, 404, NOT_FOUND_PAGE);
  }

  /** The plain "try again" page with a 5 s retry-after, for what failed unexpectedly on the lean listener. */
  unavailable(reply: FastifyReply, status: number): void {
    this.page(reply.header('retry-after', '5'), status, UNAVAILABLE_PAGE);
  }

  private async handle(
    req: FastifyRequest<{ Params: { code: string } }>,
    reply: FastifyReply,
  ): Promise<void> {
    const { code } = req.params;
    if (!CODE_PATTERN.test(code)) return this.page(reply, 404, NOT_FOUND_PAGE);
    let target;
    try {
      target = await this.resolver.resolve(code);
    } catch (err) {
      // An outage fails every uncached code: say so every 10 s, not once per request.
      if (Date.now() - this.lastWarning > 10_000) {
        this.lastWarning = Date.now();
        this.logger.warn(`redirects of uncached codes fail: ${(err as Error).message}`);
      }
      return this.page(reply.header('retry-after', '5'), 503, UNAVAILABLE_PAGE);
    }
    if ('missing' in target) return this.page(reply, 404, NOT_FOUND_PAGE);
    const ua = req.headers['user-agent'];
    if (ua && !this.isBot(ua)) this.clicks.record(code, req.ip);
    // no-store: every visit comes back here, so every click is seen.
    void reply
      .code(302)
      .header('location', target.url)
      .header('cache-control', 'private, no-store')
      .header('referrer-policy', 'no-referrer-when-downgrade')
      .send();
  }

  private isBot(ua: string): boolean {
    let bot = this.bots.get(ua);
    if (bot === undefined) this.bots.set(ua, (bot = isbot(ua)));
    return bot;
  }

  private page(reply: FastifyReply, status: number, html: string): void {
    void reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);
  }
}
