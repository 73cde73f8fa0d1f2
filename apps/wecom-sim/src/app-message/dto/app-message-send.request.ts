import { JsonObject, optionalInt, optionalObject, optionalString } from '../../common/cgi-body';
import { WecomErrcode, WecomError } from '../../wecom-errors';

export const APP_MSGTYPES = [
  'text',
  'image',
  'voice',
  'video',
  'file',
  'textcard',
  'news',
  'mpnews',
  'markdown',
  'miniprogram_notice',
  'template_card',
] as const;
export type AppMsgtype = (typeof APP_MSGTYPES)[number];

const MAX_TEXT_BYTES = 2048;

/** Body of message/send (application message to staff), validated; `|`-lists split. */
export interface AppMessageSendRequest {
  agentid: number;
  msgtype: AppMsgtype;
  content: Record<string, unknown>;
  touser: string[];
  toparty: string[];
  totag: string[];
}

const list = (body: JsonObject, field: string) =>
  (optionalString(body, field) ?? '').split('|').filter(Boolean);

export function parseAppMessageSend(body: JsonObject): AppMessageSendRequest {
  const agentid = optionalInt(body, 'agentid', 1, Number.MAX_SAFE_INTEGER);
  if (agentid === undefined) throw WecomError.invalid('agentid is required');
  const msgtype = optionalString(body, 'msgtype') as AppMsgtype | undefined;
  if (!msgtype || !APP_MSGTYPES.includes(msgtype)) throw WecomError.invalid('msgtype is missing or unknown');
  const content = optionalObject(body, msgtype);
  if (!content) throw WecomError.invalid(`${msgtype} is required for msgtype ${msgtype}`);
  if (msgtype === 'text' || msgtype === 'markdown') {
    const text = optionalString(content, 'content');
    if (!text) throw WecomError.invalid(`${msgtype}.content is required`);
    if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) throw new WecomError(WecomErrcode.CONTENT_TOO_LONG);
  }
  const request = {
    agentid,
    msgtype,
    content,
    touser: list(body, 'touser'),
    toparty: list(body, 'toparty'),
    totag: list(body, 'totag'),
  };
  if (request.touser.length + request.toparty.length + request.totag.length === 0) {
    throw WecomError.invalid('touser, toparty or totag is required');
  }
  if (request.touser.length > 1000 || request.toparty.length > 100 || request.totag.length > 100) {
    throw WecomError.invalid('too many recipients');
  }
  return request;
}
