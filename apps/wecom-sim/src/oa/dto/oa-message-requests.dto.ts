import { JsonObject, optionalObject, optionalString, requiredString } from '../../common/cgi-body';
import { WecomErrcode, WecomError } from '../../wecom-errors';

export type TemplateData = Record<string, { value: string; color?: string }>;

/** Body of message/template/send (Official Account), validated. */
export interface TemplateSendRequest {
  touser: string;
  template_id: string;
  url?: string;
  miniprogram?: { appid: string; pagepath?: string };
  data: TemplateData;
  client_msg_id?: string;
}

/** Body of message/subscribe/send (and bizsend), validated. */
export interface SubscribeSendRequest {
  touser: string;
  template_id: string;
  page?: string;
  miniprogram_state?: 'developer' | 'trial' | 'formal';
  lang?: string;
  data: TemplateData;
}

function common(body: JsonObject): { touser: string; template_id: string; data: TemplateData } {
  const touser = requiredString(body, 'touser', 128, WecomErrcode.INVALID_OPENID);
  const templateId = requiredString(body, 'template_id', 128, WecomErrcode.INVALID_TEMPLATE_ID);
  const data = optionalObject(body, 'data');
  if (!data) throw WecomError.invalid('data is required');
  return { touser, template_id: templateId, data: data as TemplateData };
}

export function parseTemplateSend(body: JsonObject): TemplateSendRequest {
  const request: TemplateSendRequest = { ...common(body) };
  request.url = optionalString(body, 'url', 2048);
  const miniprogram = optionalObject(body, 'miniprogram');
  if (miniprogram) {
    request.miniprogram = {
      appid: requiredString(miniprogram, 'appid'),
      pagepath: optionalString(miniprogram, 'pagepath'),
    };
  }
  request.client_msg_id = optionalString(body, 'client_msg_id', 64);
  return request;
}

export function parseSubscribeSend(body: JsonObject): SubscribeSendRequest {
  const request: SubscribeSendRequest = { ...common(body) };
  const state = optionalString(body, 'miniprogram_state');
  if (state !== undefined) {
    if (state !== 'developer' && state !== 'trial' && state !== 'formal') {
      throw WecomError.invalid('miniprogram_state must be developer, trial or formal');
    }
    request.miniprogram_state = state;
  }
  request.page = optionalString(body, 'page');
  request.lang = optionalString(body, 'lang');
  return request;
}
