import { HttpException } from '@nestjs/common';
import { DomainException } from './domain.exception';
import { translateDatabaseError } from './pg-errors';
import { problem, Problem } from './problem';

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** Fastify's own client errors (body parsing, limits), keyed by their `code`. */
const FASTIFY_CODES: Record<string, { code: string; detail: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'PAYLOAD_TOO_LARGE',
    detail: 'The request body is larger than the limit',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'UNSUPPORTED_MEDIA_TYPE',
    detail: 'This content type is not accepted',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'MALFORMED_JSON', detail: 'The JSON body is empty' },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'MALFORMED_JSON', detail: 'The request body is not valid JSON' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'BAD_REQUEST',
    detail: 'Content-Length does not match the body',
  },
};

export interface ProblemResult {
  problem: Problem;
  headers?: Record<string, string>;
  /** True when the error is ours (a 5xx): the caller logs it with the stack. */
  unexpected: boolean;
}

/** The single mapping from anything thrown to a problem+json body. */
export function toProblem(err: unknown, traceId: string): ProblemResult {
  if (err instanceof DomainException) {
    return {
      problem: problem(err.status, err.code, err.message, traceId, err.errors),
      headers: err.headers,
      unexpected: err.status >= 500,
    };
  }
  const db = translateDatabaseError(err);
  if (db) return { problem: problem(db.status, db.code, db.message, traceId, db.errors), unexpected: false };

  if (err instanceof HttpException) {
    const status = err.getStatus();
    const body = err.getResponse();
    const detail =
      typeof body === 'string'
        ? body
        : typeof (body as { message?: unknown }).message === 'string'
          ? String((body as { message: string }).message)
          : err.message;
    if (status >= 500 && status !== 503) return internal(traceId);
    return {
      problem: problem(status, STATUS_CODES[status] ?? `HTTP_${status}`, detail, traceId),
      unexpected: false,
    };
  }

  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown; name?: unknown } | undefined;
  const statusCode = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  if (statusCode && statusCode >= 400 && statusCode < 500) {
    const known = typeof e?.code === 'string' ? FASTIFY_CODES[e.code] : undefined;
    const isJson = e?.name === 'SyntaxError' || known?.code === 'MALFORMED_JSON';
    return {
      problem: problem(
        statusCode,
        known?.code ?? (isJson ? 'MALFORMED_JSON' : (STATUS_CODES[statusCode] ?? `HTTP_${statusCode}`)),
        known?.detail ??
          (isJson ? 'The request body is not valid JSON' : String(e?.message ?? 'Bad request')),
        traceId,
      ),
      unexpected: false,
    };
  }
  return internal(traceId);
}

function internal(traceId: string): ProblemResult {
  return {
    problem: problem(
      500,
      'INTERNAL_ERROR',
      `An unexpected error occurred; quote trace id ${traceId} when reporting it`,
      traceId,
    ),
    unexpected: true,
  };
}
