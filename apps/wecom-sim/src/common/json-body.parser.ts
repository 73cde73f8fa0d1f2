import type { FastifyInstance } from 'fastify';
import { INVALID_JSON } from './cgi-body';
import type { SimRequest } from './sim-request';

/**
 * The real servers read the body as JSON whatever the Content-Type says and answer a malformed
 * one with errcode 47001, so every content type is parsed here and a parse failure is a marker,
 * not an HTTP 400. The raw text is kept on the request for content hashing.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    (req as SimRequest).rawBody = text;
    if (text.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(null, INVALID_JSON);
    }
  });
}
