import { Injectable } from '@nestjs/common';
import type { JsonObject } from '../common/cgi-body';
import { SimConfigService } from '../config/sim-config.service';
import { MessageLogService } from '../stats/message-log.service';
import { WecomErrcode, WecomError } from '../wecom-errors';
import { parseSubscribeSend, parseTemplateSend } from './dto/oa-message-requests.dto';

export const TEMPLATE_SEND = 'message/template/send';
export const SUBSCRIBE_SEND = 'message/subscribe/send';

export interface OaSendReply {
  errcode: 0;
  errmsg: 'ok';
  msgid: number;
}

/**
 * Official Account template messages and subscribe messages. The simulator does not deduplicate
 * (it ignores template send's client_msg_id), so a repeated send is recorded, and counted, as a
 * duplicate: the tests that count them prove Siyu sends each message once.
 */
@Injectable()
export class OaMessageService {
  private seq = 0;

  constructor(
    private readonly config: SimConfigService,
    private readonly messages: MessageLogService,
  ) {}

  sendTemplate(body: JsonObject, raw: string | undefined): OaSendReply {
    const { touser } = parseTemplateSend(body);
    if (this.config.blockedOpenids.has(touser)) throw new WecomError(WecomErrcode.REQUIRE_SUBSCRIBE);
    return this.deliver(TEMPLATE_SEND, touser, body, raw);
  }

  sendSubscribe(api: string, body: JsonObject, raw: string | undefined): OaSendReply {
    const { touser } = parseSubscribeSend(body);
    if (this.config.blockedOpenids.has(touser)) throw new WecomError(WecomErrcode.USER_REFUSED);
    return this.deliver(api, touser, body, raw);
  }

  reset(): void {
    this.seq = 0;
  }

  private deliver(api: string, touser: string, body: JsonObject, raw: string | undefined): OaSendReply {
    const msgid = 1_000_000_000 + ++this.seq;
    const key = this.messages.keyFor(body, () => raw ?? JSON.stringify(body));
    this.messages.record(
      touser,
      raw ? { api, msgid, key, payload: raw, payloadIsJson: true } : { api, msgid, key, payload: body },
    );
    return { errcode: 0, errmsg: 'ok', msgid };
  }
}
