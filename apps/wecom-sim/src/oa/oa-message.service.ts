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

/** How long WeChat honours a template send's client_msg_id (documented: 10 minutes). */
export const CLIENT_MSG_ID_TTL_MS = 10 * 60_000;

/**
 * Official Account template messages and subscribe messages. As WeChat documents for template
 * sends, a repeated (touser, client_msg_id) within 10 minutes sends nothing and answers the first
 * send's msgid (counted in `replayed`). Any other repeat (no client_msg_id, another key, or later)
 * is recorded, and counted, as a duplicate: the tests that count them prove Siyu sends each message
 * once and keys a retry by its ledger row.
 */
@Injectable()
export class OaMessageService {
  private seq = 0;
  private readonly sentByClientId = new Map<string, { msgid: number; at: number }>();
  /** Template sends answered from an earlier send with the same client_msg_id. */
  replayed = 0;

  constructor(
    private readonly config: SimConfigService,
    private readonly messages: MessageLogService,
  ) {}

  sendTemplate(body: JsonObject, raw: string | undefined): OaSendReply {
    const { touser, client_msg_id: clientMsgId } = parseTemplateSend(body);
    if (this.config.blockedOpenids.has(touser)) throw new WecomError(WecomErrcode.REQUIRE_SUBSCRIBE);
    if (!clientMsgId) return this.deliver(TEMPLATE_SEND, touser, body, raw);
    const key = `${touser}\u0000${clientMsgId}`;
    const now = Date.now();
    const earlier = this.sentByClientId.get(key);
    if (earlier && now - earlier.at < CLIENT_MSG_ID_TTL_MS) {
      this.replayed++;
      return { errcode: 0, errmsg: 'ok', msgid: earlier.msgid };
    }
    const reply = this.deliver(TEMPLATE_SEND, touser, body, raw);
    this.sentByClientId.set(key, { msgid: reply.msgid, at: now });
    if (this.sentByClientId.size % 100_000 === 0) this.forgetOlderThan(now - CLIENT_MSG_ID_TTL_MS);
    return reply;
  }

  private forgetOlderThan(cutoff: number): void {
    for (const [k, v] of this.sentByClientId) if (v.at < cutoff) this.sentByClientId.delete(k);
  }

  sendSubscribe(api: string, body: JsonObject, raw: string | undefined): OaSendReply {
    const { touser } = parseSubscribeSend(body);
    if (this.config.blockedOpenids.has(touser)) throw new WecomError(WecomErrcode.USER_REFUSED);
    return this.deliver(api, touser, body, raw);
  }

  reset(): void {
    this.seq = 0;
    this.replayed = 0;
    this.sentByClientId.clear();
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
