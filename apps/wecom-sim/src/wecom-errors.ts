/**
 * The WeCom / WeChat error codes the simulator returns, with the messages the real servers use.
 * Every reply under /cgi-bin is HTTP 200 with `{ errcode, errmsg }`; only `errcode` 0 is success.
 */
export const WecomErrcode = {
  OK: 0,
  SYSTEM_BUSY: -1,
  INVALID_CREDENTIAL: 40001,
  INVALID_GRANT_TYPE: 40002,
  INVALID_OPENID: 40003,
  INVALID_CORPID: 40013,
  INVALID_ACCESS_TOKEN: 40014,
  INVALID_TEMPLATE_ID: 40037,
  INVALID_PARAMETER: 40058,
  INVALID_EXTERNAL_USERID: 40096,
  ACCESS_TOKEN_MISSING: 41001,
  CORPID_MISSING: 41002,
  SECRET_MISSING: 41004,
  WELCOME_CODE_EXPIRED: 41050,
  WELCOME_CODE_USED: 41051,
  NOT_READY: 41063,
  ACCESS_TOKEN_EXPIRED: 42001,
  REQUIRE_SUBSCRIBE: 43004,
  USER_REFUSED: 43101,
  CONTENT_TOO_LONG: 45002,
  API_FREQ_LIMIT: 45009,
  API_CONCURRENT_LIMIT: 45033,
  DATA_FORMAT_ERROR: 47001,
  CHAT_NOT_FOUND: 40050,
} as const;

export type WecomErrcodeValue = (typeof WecomErrcode)[keyof typeof WecomErrcode] | number;

const MESSAGES: Record<number, string> = {
  [WecomErrcode.OK]: 'ok',
  [WecomErrcode.SYSTEM_BUSY]: 'system busy',
  [WecomErrcode.INVALID_CREDENTIAL]: 'invalid credential',
  [WecomErrcode.INVALID_GRANT_TYPE]: 'invalid grant_type',
  [WecomErrcode.INVALID_OPENID]: 'invalid openid',
  [WecomErrcode.INVALID_CORPID]: 'invalid corpid',
  [WecomErrcode.INVALID_ACCESS_TOKEN]: 'invalid access_token',
  [WecomErrcode.INVALID_TEMPLATE_ID]: 'invalid template_id',
  [WecomErrcode.INVALID_PARAMETER]: 'invalid parameter',
  [WecomErrcode.INVALID_EXTERNAL_USERID]: 'invalid external_userid',
  [WecomErrcode.ACCESS_TOKEN_MISSING]: 'access_token missing',
  [WecomErrcode.CORPID_MISSING]: 'corpid missing',
  [WecomErrcode.SECRET_MISSING]: 'corpsecret missing',
  [WecomErrcode.WELCOME_CODE_EXPIRED]: 'welcome_code expired',
  [WecomErrcode.WELCOME_CODE_USED]: 'welcome_code already used',
  [WecomErrcode.NOT_READY]: 'group msg is being dispatched, please retry later',
  [WecomErrcode.ACCESS_TOKEN_EXPIRED]: 'access_token expired',
  [WecomErrcode.REQUIRE_SUBSCRIBE]: 'require subscribe',
  [WecomErrcode.USER_REFUSED]: 'user refuse to accept the msg',
  [WecomErrcode.CONTENT_TOO_LONG]: 'content size out of limit',
  [WecomErrcode.API_FREQ_LIMIT]: 'api freq out of limit',
  [WecomErrcode.API_CONCURRENT_LIMIT]: 'api concurrent out of limit',
  [WecomErrcode.DATA_FORMAT_ERROR]: 'data format error',
  [WecomErrcode.CHAT_NOT_FOUND]: 'chat_id not found',
};

export function errmsgFor(errcode: number): string {
  return MESSAGES[errcode] ?? `sim injected error ${errcode}`;
}

export interface WecomReply {
  errcode: number;
  errmsg: string;
}

/** Thrown by the simulator's services; the error filter turns it into an HTTP 200 errcode body. */
export class WecomError extends Error {
  constructor(
    readonly errcode: number,
    detail?: string,
  ) {
    super(detail ? `${errmsgFor(errcode)}: ${detail}` : errmsgFor(errcode));
  }

  toReply(): WecomReply {
    return { errcode: this.errcode, errmsg: this.message };
  }

  static invalid(detail: string): WecomError {
    return new WecomError(WecomErrcode.INVALID_PARAMETER, detail);
  }
}

export function wecomReply(errcode: number, errmsg?: string): WecomReply {
  return { errcode, errmsg: errmsg ?? errmsgFor(errcode) };
}

export const OK = Object.freeze(wecomReply(WecomErrcode.OK));
