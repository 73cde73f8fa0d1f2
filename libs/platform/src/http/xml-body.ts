import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DomainException } from '../errors/domain.exception';

/** Route URLs (Fastify patterns, e.g. `/v1/channels/wecom/callback/:brandId`) that take an XML body. */
const xmlRoutes = new Set<string>();

/** Lets one route receive `text/xml` / `application/xml`; call at module load, before the app starts. */
export function acceptXmlBody(routeUrl: string): void {
  xmlRoutes.add(routeUrl);
}

/**
 * XML bodies are kept as the raw string (on `body` and `rawBody`, for signature checks) and only
 * for routes that asked for them; every other route answers 415 as before.
 */
export function registerXmlBodyParser(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string' }, (req, body, done) => {
    if (!xmlRoutes.has(req.routeOptions.url ?? '')) {
      done(new DomainException('UNSUPPORTED_MEDIA_TYPE', 415, 'This route does not accept XML'), undefined);
      return;
    }
    (req as FastifyRequest & { rawBody?: string }).rawBody = body as string;
    done(null, body);
  });
}
