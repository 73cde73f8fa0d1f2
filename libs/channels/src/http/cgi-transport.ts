import { ChannelFailure, ChannelResult, fail, ok } from '../channel-errors';

export interface CgiReply {
  errcode?: number;
  errmsg?: string;
  [field: string]: unknown;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/**
 * One HTTP exchange with a WeCom / WeChat endpoint (global fetch, a timeout per call). Failures
 * that are not an errcode are classified here: a refused connection never reached the server
 * (retryable, not ambiguous); a timeout, a reset, a 5xx or a body that is not JSON may have
 * (retryable, ambiguous). The errcode in a 200 answer is the caller's to classify.
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
  let res: Response;
  try {
    res = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const code = causeCode(err);
    if (code && NOT_SENT_CODES.has(code)) return fail(failure(`connection failed: ${code}`, false));
    const name = (err as { name?: string }).name;
    return fail(
      failure(
        name === 'TimeoutError'
          ? `no answer within ${timeoutMs} ms`
          : `network error: ${code ?? String(err)}`,
        true,
      ),
    );
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    return fail(failure(`the answer broke off: ${causeCode(err) ?? String(err)}`, true));
  }
  if (res.status >= 500) return fail(failure(`HTTP ${res.status}`, true));
  if (res.status !== 200)
    return fail({ class: 'permanent', errcode: null, errmsg: `HTTP ${res.status}`, api });
  try {
    const json = JSON.parse(text) as unknown;
    if (json === null || typeof json !== 'object' || Array.isArray(json))
      return fail(failure('the answer is not a JSON object', true));
    return ok(json as CgiReply);
  } catch {
    return fail(failure('the answer is not JSON', true));
  }
}
