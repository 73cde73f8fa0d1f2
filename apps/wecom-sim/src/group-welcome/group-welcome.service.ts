import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JsonObject, optionalObject, optionalString, requiredString } from '../common/cgi-body';
import { OK, WecomError, WecomReply } from '../wecom-errors';

/** A stored group welcome template (入群欢迎语素材): what was configured, plus its id. */
export type GroupWelcomeTemplate = JsonObject & { template_id: string };

const MAX_TEXT = 4000;

function check(body: JsonObject, adding: boolean): void {
  const text = optionalObject(body, 'text');
  const content = text ? optionalString(text, 'content', MAX_TEXT) : undefined;
  const attachment = ['image', 'link', 'miniprogram', 'file', 'video'].some((k) => optionalObject(body, k));
  if (adding && !content && !attachment)
    throw WecomError.invalid('text.content or an attachment is required');
}

/** externalcontact/group_welcome_template/{add,edit,get,del}: group welcome templates kept in memory. */
@Injectable()
export class GroupWelcomeService {
  private templates = new Map<string, GroupWelcomeTemplate>();

  add(body: JsonObject): WecomReply & { template_id: string } {
    check(body, true);
    const id = randomBytes(12).toString('hex');
    this.templates.set(id, { ...body, template_id: id });
    return { errcode: 0, errmsg: 'ok', template_id: id };
  }

  edit(body: JsonObject): WecomReply {
    const t = this.find(body);
    check(body, false);
    Object.assign(t, body);
    return OK;
  }

  get(body: JsonObject): WecomReply & GroupWelcomeTemplate {
    return { errcode: 0, errmsg: 'ok', ...this.find(body) };
  }

  del(body: JsonObject): WecomReply {
    this.templates.delete(this.find(body).template_id);
    return OK;
  }

  reset(): void {
    this.templates = new Map();
  }

  private find(body: JsonObject): GroupWelcomeTemplate {
    const id = requiredString(body, 'template_id');
    const t = this.templates.get(id);
    if (!t) throw WecomError.invalid(`template_id ${id} not found`);
    return t;
  }
}
