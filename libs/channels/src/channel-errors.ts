import { DomainException, FieldError } from '@siyu/platform';

/**
 * How a failed WeCom / WeChat call should be handled by whoever made it:
 * - `retryable`: try again with exponential backoff (system busy, concurrency limit, network, 5xx);
 * - `rate_limited`: the account is over a frequency limit; nothing may be sent before `retryAt`;
 * - `not_ready`: the result does not exist yet (41063 while a group-send task is being created);
 * - `permanent`: retrying cannot help (no permission, invalid id, bad content, not subscribed...):
 *   report it with the code and message kept.
 */
export type ChannelErrorClass = 'retryable' | 'rate_limited' | 'not_ready' | 'permanent';

export interface ChannelFailure {
  class: ChannelErrorClass;
  /** The server's errcode; null for network failures and checks made before calling. */
  errcode: number | null;
  errmsg: string;
  /** The API that failed, e.g. `externalcontact/add_msg_template`. */
  api: string;
  /** For `rate_limited` (and a hint for `retryable`): the earliest time to try again. */
  retryAt?: Date;
  /**
   * True when the request may have reached the server although no answer came back (timeout,
   * reset after sending, 5xx). A blind retry of a send could then deliver twice: see the README.
   */
  ambiguous?: boolean;
  /** True when our own limiter refused before any call was made. */
  local?: boolean;
}

export type ChannelResult<T> = { ok: true; value: T } | { ok: false; failure: ChannelFailure };

export const ok = <T>(value: T): ChannelResult<T> => ({ ok: true, value });
export const fail = <T = never>(failure: ChannelFailure): ChannelResult<T> => ({ ok: false, failure });

/** WeCom and WeChat error codes Siyu treats specially. */
export const Errcode = {
  SYSTEM_BUSY: -1,
  INVALID_CREDENTIAL: 40001,
  INVALID_OPENID: 40003,
  INVALID_CORPID: 40013,
  INVALID_ACCESS_TOKEN: 40014,
  INVALID_TEMPLATE_ID: 40037,
  CHAT_NOT_FOUND: 40050,
  INVALID_PARAMETER: 40058,
  INVALID_EXTERNAL_USERID: 40096,
  NOT_READY: 41063,
  ACCESS_TOKEN_EXPIRED: 42001,
  ACCESS_TOKEN_REFRESHED: 42007,
  REQUIRE_SUBSCRIBE: 43004,
  USER_REFUSED: 43101,
  CONTENT_TOO_LONG: 45002,
  API_FREQ_LIMIT: 45009,
  API_MINUTE_LIMIT: 45011,
  API_CONCURRENT_LIMIT: 45033,
  DATA_FORMAT_ERROR: 47001,
  API_FORBIDDEN: 48002,
  NO_PRIVILEGE: 60011,
  IP_NOT_ALLOWED: 60020,
  NOT_EXTERNAL_CONTACT: 84061,
} as const;

/** Codes that mean "the access token is stale": refresh it and retry the call once. */
export const TOKEN_ERRCODES: ReadonlySet<number> = new Set([
  Errcode.INVALID_ACCESS_TOKEN,
  Errcode.ACCESS_TOKEN_EXPIRED,
  Errcode.ACCESS_TOKEN_REFRESHED,
]);

const RETRYABLE: ReadonlySet<number> = new Set([Errcode.SYSTEM_BUSY, Errcode.API_CONCURRENT_LIMIT]);
const RATE_LIMITED: ReadonlySet<number> = new Set([Errcode.API_FREQ_LIMIT, Errcode.API_MINUTE_LIMIT]);

/**
 * Classifies a non-zero errcode. -1 and 45033 are transient; 45009/45011 are frequency limits
 * (the account waits for the rest of the window); 41063 is "not ready yet"; a token error that
 * survived one refresh is retryable. Everything else is permanent: permission errors (60011,
 * 60020, 48002), invalid ids (40003, 40096, 40050, 84061, 40013), bad content (45002, 40058,
 * 47001), consent (43004, 43101), unknown template (40037)... and codes we do not know, so an
 * unexpected answer is reported rather than hammered.
 */
export function classifyErrcode(
  api: string,
  errcode: number,
  errmsg: string,
  rateLimitBackoffMs: number,
  now = Date.now(),
): ChannelFailure {
  if (RATE_LIMITED.has(errcode)) {
    return { class: 'rate_limited', errcode, errmsg, api, retryAt: new Date(now + rateLimitBackoffMs) };
  }
  if (errcode === Errcode.NOT_READY) return { class: 'not_ready', errcode, errmsg, api };
  if (RETRYABLE.has(errcode) || TOKEN_ERRCODES.has(errcode))
    return { class: 'retryable', errcode, errmsg, api };
  return { class: 'permanent', errcode, errmsg, api };
}

export enum ChannelErrorCode {
  WecomAccountNotFound = 'WECOM_ACCOUNT_NOT_FOUND',
  OaAppNotFound = 'OA_APP_NOT_FOUND',
  OaAppTaken = 'OA_APP_ID_TAKEN',
  RequestInvalid = 'CHANNEL_REQUEST_INVALID',
  CallbackSignatureInvalid = 'CALLBACK_SIGNATURE_INVALID',
  CallbackReceiverMismatch = 'CALLBACK_RECEIVER_MISMATCH',
  CallbackMalformed = 'CALLBACK_MALFORMED',
  CallbackNotConfigured = 'CALLBACK_NOT_CONFIGURED',
  EventNotFound = 'WECOM_EVENT_NOT_FOUND',
  SecretsUnreadable = 'CHANNEL_SECRETS_UNREADABLE',
}

export class ChannelException extends DomainException {
  static wecomAccountNotFound(): ChannelException {
    return new ChannelException(
      ChannelErrorCode.WecomAccountNotFound,
      404,
      'This brand has no WeCom corp configured: PUT /v1/channels/wecom first',
    );
  }

  static oaAppNotFound(id: string): ChannelException {
    return new ChannelException(
      ChannelErrorCode.OaAppNotFound,
      404,
      `Official Account app ${id} was not found`,
    );
  }

  /** A message or batch that breaks the channel's documented limits; found before any call. */
  static requestInvalid(errors: FieldError[]): ChannelException {
    return new ChannelException(
      ChannelErrorCode.RequestInvalid,
      422,
      `The message breaks the channel's limits: ${errors.map((e) => e.message).join('; ')}`,
      errors,
    );
  }

  static signatureInvalid(): ChannelException {
    return new ChannelException(
      ChannelErrorCode.CallbackSignatureInvalid,
      401,
      'msg_signature does not match the callback token, timestamp, nonce and payload',
    );
  }

  static receiverMismatch(): ChannelException {
    return new ChannelException(
      ChannelErrorCode.CallbackReceiverMismatch,
      401,
      "The message was encrypted for another corp (its receiveid is not this brand's CorpID)",
    );
  }

  static callbackMalformed(reason: string): ChannelException {
    return new ChannelException(
      ChannelErrorCode.CallbackMalformed,
      400,
      `The callback could not be read: ${reason}`,
    );
  }

  static callbackNotConfigured(): ChannelException {
    return new ChannelException(
      ChannelErrorCode.CallbackNotConfigured,
      404,
      'No WeCom callback is configured at this URL',
    );
  }

  static eventNotFound(id: string): ChannelException {
    return new ChannelException(ChannelErrorCode.EventNotFound, 404, `WeCom event ${id} was not found`);
  }

  static secretsUnreadable(): ChannelException {
    return new ChannelException(
      ChannelErrorCode.SecretsUnreadable,
      500,
      'Stored channel secrets cannot be decrypted: was CHANNEL_SECRETS_KEY changed?',
    );
  }
}
