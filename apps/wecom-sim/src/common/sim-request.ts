import type { FastifyRequest } from 'fastify';

/** A request as the /cgi-bin gate leaves it: the API name and the account its token belongs to. */
export interface SimRequest extends FastifyRequest {
  /** The path after /cgi-bin/, e.g. `externalcontact/add_msg_template`. */
  simApi: string;
  /** The corpid (WeCom) or appid (OA) of the access token; empty on the token endpoints. */
  simAccount: string;
  /** The body as received, before JSON parsing. */
  rawBody: string | undefined;
}

export const CGI_PREFIX = '/cgi-bin/';
