import type { FieldError } from '@siyu/platform';

/** WeCom's documented limits for customer broadcasts (externalcontact/add_msg_template). */
export const WECOM_LIMITS = {
  maxGroupChatsPerCall: 2000,
  maxExternalUsersPerCall: 10_000,
  maxTextBytes: 4000,
  maxAttachments: 9,
  maxResultPageSize: 1000,
} as const;

export interface WecomImage {
  msgtype: 'image';
  image: { media_id?: string; pic_url?: string };
}
export interface WecomLink {
  msgtype: 'link';
  link: { title: string; url: string; picurl?: string; desc?: string };
}
export interface WecomMiniprogram {
  msgtype: 'miniprogram';
  miniprogram: { title: string; pic_media_id: string; appid: string; page: string };
}
export type WecomAttachment = WecomImage | WecomLink | WecomMiniprogram;
export const WECOM_ATTACHMENT_TYPES = ['image', 'link', 'miniprogram'] as const;

/** What a broadcast or welcome message says: text and up to nine attachments. */
export interface WecomMessage {
  text?: string;
  attachments?: WecomAttachment[];
}

const isNonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;
const isUrl = (v: unknown) => typeof v === 'string' && /^https?:\/\/\S+$/.test(v);

/** Checks a message against WeCom's limits before any call; an empty list means it may be sent. */
export function validateWecomMessage(message: WecomMessage | undefined, path = 'message'): FieldError[] {
  const errors: FieldError[] = [];
  const text = message?.text ?? '';
  const attachments = message?.attachments ?? [];
  if (typeof text !== 'string') errors.push({ field: `${path}.text`, message: 'text must be a string' });
  else if (Buffer.byteLength(text, 'utf8') > WECOM_LIMITS.maxTextBytes)
    errors.push({
      field: `${path}.text`,
      message: `text is ${Buffer.byteLength(text, 'utf8')} bytes; WeCom allows ${WECOM_LIMITS.maxTextBytes} (UTF-8)`,
    });
  if (!Array.isArray(attachments)) {
    errors.push({ field: `${path}.attachments`, message: 'attachments must be an array' });
    return errors;
  }
  if (attachments.length > WECOM_LIMITS.maxAttachments)
    errors.push({
      field: `${path}.attachments`,
      message: `${attachments.length} attachments; WeCom allows ${WECOM_LIMITS.maxAttachments}`,
    });
  if (!text && attachments.length === 0)
    errors.push({ field: path, message: 'a message needs text or at least one attachment' });
  attachments.forEach((a, i) => {
    const at = `${path}.attachments[${i}]`;
    switch (a?.msgtype) {
      case 'image':
        if (!isNonEmpty(a.image?.media_id) && !isUrl(a.image?.pic_url))
          errors.push({ field: `${at}.image`, message: 'an image needs media_id or an http(s) pic_url' });
        break;
      case 'link':
        if (!isNonEmpty(a.link?.title))
          errors.push({ field: `${at}.link.title`, message: 'title is required' });
        if (!isUrl(a.link?.url))
          errors.push({ field: `${at}.link.url`, message: 'url must be an http(s) URL' });
        break;
      case 'miniprogram':
        for (const f of ['title', 'pic_media_id', 'appid', 'page'] as const) {
          if (!isNonEmpty(a.miniprogram?.[f]))
            errors.push({ field: `${at}.miniprogram.${f}`, message: `${f} is required` });
        }
        break;
      default:
        errors.push({
          field: `${at}.msgtype`,
          message: `msgtype must be one of ${WECOM_ATTACHMENT_TYPES.join(', ')}`,
        });
    }
  });
  return errors;
}

/** The body fields WeCom expects for a message. */
export function wecomMessageBody(message: WecomMessage): Record<string, unknown> {
  return {
    ...(message.text ? { text: { content: message.text } } : {}),
    ...(message.attachments?.length ? { attachments: message.attachments } : {}),
  };
}
