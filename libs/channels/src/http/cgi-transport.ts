import { Agent, request } from 'undici';
import { ChannelFailure, ChannelResult, fail, ok } from '../channel-errors';

export interface CgiReply {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

/** Errors raised before the request could reach the server: never ambiguous. */
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/**
 * One keep-alive connection pool per origin for the whole process (WeCom and WeChat are a handful
 * of origins). undici's `request` costs a fraction of global `fetch` per call (no WHATWG Request /
 * Response / streams objects): at an OA campaign's one call per recipient, that is most of the
 * client side of a send. Idle sockets close after 4 s, before any server's keep-alive ends.
 */
const dispatcher = new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 30_000, connections: 256 });

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
}

/**
 * One HTTP exchange with a WeCom / WeChat endpoint (undici on a shared keep-alive pool, headers
 * and body each within the timeout). Failures that are not an errcode are classified here: a
 * refused connection never reached the server (retryable, not ambiguous); a timeout, a reset, a
 * 5xx or a body that is not JSON may have (retryable, ambiguous). The errcode in a 200 answer is
 * the caller's to classify.
 */
export async function cgiRequest(
  api: string,
  url: string,
  timeoutMs: number,
  body?: unknown,
): Promise<ChannelResult<CgiReply>> {
  const failure = (errmsg: string, ambiguous: boolean): ChannelFailure => ({
    class: 'retryable',
    errcode: null,
    errmsg,
    api,
    ambiguous,
  });
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(url, {
      dispatcher,
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (err) {
    const code = errorCode(err);
    if (code && NOT_SENT_CODES.has(code)) return fail(failure(`connection failed: ${code}`, false));
    return fail(
      failure(
        code && TIMEOUT_CODES.has(code)
          ? `no answer within ${timeoutMs} ms`
          : `network error: ${code ?? String(err)}`,
        true,
      ),
    );
  }
  let text: string;
  try {
    text = await res.body.text();
  } catch (err) {
    const code = errorCode(err);
    return fail(
      failure(
        code && TIMEOUT_CODES.has(code)
          ? `no answer within ${timeoutMs} ms`
          : `the answer broke off: ${code ?? String(err)}`,
        true,
      ),
    );
  }
  if (res.statusCode >= 500) return fail(failure(`HTTP ${res.statusCode}`, true));
  if (res.statusCode !== 200)
    return fail({ class: 'permanent', errcode: null, errmsg: `HTTP ${res.statusCode}`, api });
  try {
    const json = JSON.parse(text) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      return fail(failure('the answer is not a JSON object', true));
    return ok(json as CgiReply);
  } catch {
    return fail(failure('the answer is not JSON', true));
  }
}
