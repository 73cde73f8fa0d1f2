import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { JsonObject } from '../common/cgi-body';
import { MessageLogService } from '../stats/message-log.service';
import { parseAppMessageSend } from './dto/app-message-send.request';

export const APP_MESSAGE_SEND = 'message/send';

export interface AppMessageReply {
  errcode: 0;
  errmsg: 'ok';
  invaliduser: string;
  invalidparty: string;
  invalidtag: string;
  unlicenseduser: string;
  msgid: string;
}

/** Application messages to staff (used for alerts): recorded per touser, `@all` as one recipient. */
@Injectable()
export class AppMessageService {
  constructor(private readonly messages: MessageLogService) {}

  send(body: JsonObject): AppMessageReply {
    const { msgtype, content, touser: users, toparty: parties, totag: tags } = parseAppMessageSend(body);
    const msgid = randomBytes(16).toString('base64url');
    const key = this.messages.keyFor(body, () => JSON.stringify([msgtype, content]));
    const payload = { msgtype, [msgtype]: content };
    for (const user of users) this.messages.record(user, { api: APP_MESSAGE_SEND, msgid, key, payload });
    for (const party of parties)
      this.messages.record(`party:${party}`, { api: APP_MESSAGE_SEND, msgid, key, payload });
    for (const tag of tags)
      this.messages.record(`tag:${tag}`, { api: APP_MESSAGE_SEND, msgid, key, payload });
    return {
      errcode: 0,
      errmsg: 'ok',
      invaliduser: '',
      invalidparty: '',
      invalidtag: '',
      unlicenseduser: '',
      msgid,
    };
  }
}
