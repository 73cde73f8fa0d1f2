import type { FastifyInstance, FastifyReply } from 'fastify';
import { TokenKind, TokenService } from '../auth/token.service';
import { FaultService } from '../faults/fault.service';
import { StatsService } from '../stats/stats.service';
import { WecomError, wecomReply } from '../wecom-errors';
import { CGI_PREFIX, SimRequest } from './sim-request';

/** APIs that take credentials instead of an access_token. */
const TOKEN_ENDPOINTS = new Set(['gettoken', 'token', 'stable_token']);
/** APIs of the Official Account server (api.weixin.qq.com); the rest are WeCom's (qyapi). */
const OA_APIS = new Set(['message/template/send', 'message/subscribe/send', 'message/subscribe/bizsend']);

export interface CgiGateDeps {
  tokens: TokenService;
  faults: FaultService;
  stats: StatsService;
}

function senderOf(body: unknown): string | undefined {
  const sender = body && typeof body === 'object' ? (body as { sender?: unknown }).sender : undefined;
  return typeof sender === 'string' ? sender : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs before every /cgi-bin handler: counts the call, applies faults (outage, latency, rate
 * limits, injected errors) and checks the access_token. Faults come first, as on the real servers
 * an overloaded front end fails before it looks at credentials; rate limits need the account, so
 * they follow the token check. With no fault rules this is a few map lookups.
 */
export function registerCgiGate(fastify: FastifyInstance, { tokens, faults, stats }: CgiGateDeps): void {
  fastify.decorateRequest('simApi', '');
  fastify.decorateRequest('simAccount', '');
  fastify.decorateRequest('rawBody', undefined);

  const fail = (reply: FastifyReply, api: string, errcode: number, errmsg?: string) => {
    stats.recordError(api, errcode);
    return reply.code(200).send(wecomReply(errcode, errmsg));
  };

  fastify.addHook('preHandler', async (request, reply) => {
    const req = request as SimRequest;
    const route = req.routeOptions.url;
    if (!route || !route.startsWith(CGI_PREFIX)) return;
    const api = route.slice(CGI_PREFIX.length);
    req.simApi = api;
    stats.recordCall(api);

    if (faults.active) {
      const outage = faults.outage(api);
      if (outage) {
        if (outage.mode === 'error') return fail(reply, api, -1);
        stats.recordError(api, outage.mode === 'refuse' ? 'refused' : 'hung');
        reply.hijack();
        const socket = req.raw.socket;
        if (outage.mode === 'refuse') socket.destroy();
        else setTimeout(() => socket.destroy(), outage.hangMs).unref();
        return reply;
      }
      const delay = faults.latency(api);
      if (delay > 0) await sleep(delay);
    }

    if (!TOKEN_ENDPOINTS.has(api)) {
      const kind: TokenKind = OA_APIS.has(api) ? 'oa' : 'wecom';
      try {
        req.simAccount = tokens.resolve(kind, (req.query as { access_token?: unknown }).access_token);
      } catch (err) {
        if (err instanceof WecomError) return fail(reply, api, err.errcode, err.message);
        throw err;
      }
    }

    if (faults.active) {
      if (faults.rateLimited(api, req.simAccount, senderOf(req.body))) return fail(reply, api, 45009);
      const injected = faults.injectedError(api);
      if (injected) return fail(reply, api, injected.errcode, injected.errmsg);
    }
  });
}
