import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseCookie, stringifySetCookie } from 'cookie';
import { randomUUID } from 'node:crypto';
import { isbot } from 'isbot';
import { LRUCache } from 'lru-cache';
import { ClickRecorder } from './click-recorder.service';
import { CODE_PATTERN } from './conversions.constants';
import { CodeTarget, LinkResolver } from './link-resolver.service';

/** The first-party cookie holding the browser's device id (see `device`). */
export const DEVICE_COOKIE = 'sy_d';
const DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The device cookie's Set-Cookie value, as `cookie` writes it (its name and attributes are fixed). */
export function deviceCookieHeader(id: string, secure: boolean): string {
  return stringifySetCookie(DEVICE_COOKIE, id, {
    maxAge: DEVICE_COOKIE_MAX_AGE,
    path: '/r/',
    httpOnly: true,
    sameSite: 'lax',
    secure,
  });
}

/**
 * The same header around a device id, written once: a new device's every first click sets it, and
 * `stringifySetCookie` validates each part again per call. A UUID needs no encoding, so
 * `head + id + tail` is byte for byte what `deviceCookieHeader(id)` writes.
 */
const UUID_MARK = '00000000-0000-4000-8000-000000000000';
const COOKIE_AROUND = {
  plain: deviceCookieHeader(UUID_MARK, false).split(UUID_MARK) as [string, string],
  secure: deviceCookieHeader(UUID_MARK, true).split(UUID_MARK) as [string, string],
};

/** `deviceCookieHeader(id, secure)` for a UUID, from the parts written once. */
export function newDeviceCookie(uuid: string, secure: boolean): string {
  const [head, tail] = secure ? COOKIE_AROUND.secure : COOKIE_AROUND.plain;
  return head + uuid + tail;
}

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

  /**
   * A fresh in-process hit is answered synchronously (no promise, no I/O: nearly every request);
   * anything else goes through the resolver's promise (stale-while-revalidate, Redis, Postgres).
   */
  private handle(
    req: FastifyRequest<{ Params: { code: string } }>,
    reply: FastifyReply,
  ): Promise<void> | undefined {
    const { code } = req.params;
    if (!CODE_PATTERN.test(code)) return this.page(reply, 404, NOT_FOUND_PAGE);
    const hit = this.resolver.cached(code);
    if (hit) return this.answer(req, reply, code, hit);
    return this.resolver.resolve(code).then(
      (target) => this.answer(req, reply, code, target),
      (err: Error) => {
        // An outage fails every uncached code: say so every 10 s, not once per request.
        if (Date.now() - this.lastWarning > 10_000) {
          this.lastWarning = Date.now();
          this.logger.warn(`redirects of uncached codes fail: ${err.message}`);
        }
        this.page(reply.header('retry-after', '5'), 503, UNAVAILABLE_PAGE);
      },
    );
  }

  private answer(req: FastifyRequest, reply: FastifyReply, code: string, target: CodeTarget): undefined {
    if ('missing' in target) return this.page(reply, 404, NOT_FOUND_PAGE);
    const ua = req.headers['user-agent'];
    if (ua && !this.isBot(ua)) this.clicks.record(code, req.ip, Date.now(), this.device(req, reply));
    // no-store: every visit comes back here, so every click is seen.
    void reply
      .code(302)
      .header('location', target.url)
      .header('cache-control', 'private, no-store')
      .header('referrer-policy', 'no-referrer-when-downgrade')
      .send();
  }

  /**
   * The browser's device id: a random UUID kept a year in a first-party cookie on the short-link
   * path, set on its first human click. It names no one (it is hashed with the address key before
   * it leaves the API); it lets the fraud checks see one device clicking from many addresses.
   */
  private device(req: FastifyRequest, reply: FastifyReply): string {
    const header = req.headers.cookie;
    const known = header ? parseCookie(header)[DEVICE_COOKIE] : undefined;
    if (known && UUID_RE.test(known)) return known;
    const id = randomUUID();
    void reply.header('set-cookie', newDeviceCookie(id, req.protocol === 'https'));
    return id;
  }

  private isBot(ua: string): boolean {
    let bot = this.bots.get(ua);
    if (bot === undefined) this.bots.set(ua, (bot = isbot(ua)));
    return bot;
  }

  private page(reply: FastifyReply, status: number, html: string): undefined {
    void reply
      .code(status)
      .header('content-type', 'text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(html);
  }
}
