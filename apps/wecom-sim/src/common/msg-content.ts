import { WecomErrcode, WecomError } from '../wecom-errors';
import { JsonObject, optionalObject, optionalString } from './cgi-body';

export interface TextContent {
  content: string;
}
export interface ImageAttachment {
  msgtype: 'image';
  image: { media_id?: string; pic_url?: string };
}
export interface LinkAttachment {
  msgtype: 'link';
  link: { title: string; url: string; picurl?: string; desc?: string };
}
export interface MiniprogramAttachment {
  msgtype: 'miniprogram';
  miniprogram: { title: string; pic_media_id: string; appid: string; page: string };
}
export interface VideoAttachment {
  msgtype: 'video';
  video: { media_id: string };
}
export interface FileAttachment {
  msgtype: 'file';
  file: { media_id: string };
}
export type Attachment =
  ImageAttachment | LinkAttachment | MiniprogramAttachment | VideoAttachment | FileAttachment;

/** The content of a customer broadcast or welcome message. */
export interface MsgContent {
  text?: TextContent;
  attachments?: Attachment[];
}

export const MAX_TEXT_BYTES = 4000;
export const MAX_ATTACHMENTS = 9;

const REQUIRED_FIELDS: Record<Attachment['msgtype'], string[]> = {
  image: [],
  link: ['title', 'url'],
  miniprogram: ['title', 'pic_media_id', 'appid', 'page'],
  video: ['media_id'],
  file: ['media_id'],
};

function checkAttachment(raw: unknown, i: number): Attachment {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw WecomError.invalid(`attachments[${i}] must be an object`);
  const item = raw as JsonObject;
  const msgtype = item.msgtype;
  if (typeof msgtype !== 'string' || !(msgtype in REQUIRED_FIELDS)) {
    throw WecomError.invalid(
      `attachments[${i}].msgtype must be one of ${Object.keys(REQUIRED_FIELDS).join(', ')}`,
    );
  }
  const body = optionalObject(item, msgtype);
  if (!body) throw WecomError.invalid(`attachments[${i}].${msgtype} is required for msgtype ${msgtype}`);
  for (const field of REQUIRED_FIELDS[msgtype as Attachment['msgtype']]) {
    if (!optionalString(body, field))
      throw WecomError.invalid(`attachments[${i}].${msgtype}.${field} is required`);
  }
  if (msgtype === 'image' && !optionalString(body, 'media_id') && !optionalString(body, 'pic_url')) {
    throw WecomError.invalid(`attachments[${i}].image needs media_id or pic_url`);
  }
  return item as unknown as Attachment;
}

/** Validates `text` and `attachments` the way add_msg_template and send_welcome_msg do. */
export function parseMsgContent(obj: JsonObject, requireSome: boolean): MsgContent {
  const out: MsgContent = {};
  const text = optionalObject(obj, 'text');
  if (text) {
    const content = optionalString(text, 'content') ?? '';
    if (Buffer.byteLength(content, 'utf8') > MAX_TEXT_BYTES) {
      throw new WecomError(WecomErrcode.CONTENT_TOO_LONG, `text.content is over ${MAX_TEXT_BYTES} bytes`);
    }
    if (content) out.text = { content };
  }
  const attachments = obj.attachments;
  if (attachments !== undefined && attachments !== null) {
    if (!Array.isArray(attachments)) throw WecomError.invalid('attachments must be an array');
    if (attachments.length > MAX_ATTACHMENTS)
      throw WecomError.invalid(`attachments holds more than ${MAX_ATTACHMENTS} items`);
    if (attachments.length > 0) out.attachments = attachments.map(checkAttachment);
  }
  if (requireSome && !out.text && !out.attachments)
    throw WecomError.invalid('text.content or attachments is required');
  return out;
}
