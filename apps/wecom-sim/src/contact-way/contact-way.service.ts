import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  JsonObject,
  optionalInt,
  optionalString,
  optionalStringArray,
  requiredString,
} from '../common/cgi-body';
import { parseMsgContent } from '../common/msg-content';
import { MessageLogService } from '../stats/message-log.service';
import { OK, WecomError, WecomReply } from '../wecom-errors';
import { WelcomeCodeService } from './welcome-code.service';

export const SEND_WELCOME_MSG = 'externalcontact/send_welcome_msg';

/** A stored "contact me" or group join way: what was configured, plus its id and QR code. */
export type StoredWay = JsonObject & { config_id: string; qr_code?: string };

export interface AddWayReply {
  errcode: 0;
  errmsg: 'ok';
  config_id: string;
  qr_code?: string;
}

function qrCodeUrl(configId: string): string {
  return `https://wework.qpic.cn/wwpic/sim/${configId}/0`;
}

function checkContactWay(body: JsonObject, adding: boolean): void {
  const type = adding ? optionalInt(body, 'type', 1, 2) : undefined;
  const scene = adding ? optionalInt(body, 'scene', 1, 2) : undefined;
  if (adding && (type === undefined || scene === undefined))
    throw WecomError.invalid('type (1|2) and scene (1|2) are required');
  optionalInt(body, 'style', 1, 100);
  optionalString(body, 'remark', 30);
  optionalString(body, 'state', 30);
  const users = optionalStringArray(body, 'user', 100);
  if (type === 1 && users?.length !== 1) throw WecomError.invalid('type 1 (single) needs exactly one user');
  if (type === 2 && !users?.length && !(Array.isArray(body.party) && body.party.length > 0)) {
    throw WecomError.invalid('type 2 (multi) needs user or party');
  }
  optionalInt(body, 'expires_in', 1, 14 * 86_400);
  optionalInt(body, 'chat_expires_in', 1, 14 * 86_400);
}

function checkJoinWay(body: JsonObject, adding: boolean): void {
  const scene = optionalInt(body, 'scene', 1, 2);
  if (adding && scene === undefined) throw WecomError.invalid('scene (1|2) is required');
  optionalString(body, 'remark', 30);
  optionalString(body, 'state', 30);
  optionalInt(body, 'auto_create_room', 0, 1);
  const chats = optionalStringArray(body, 'chat_id_list', 5);
  if (adding && !chats?.length) throw WecomError.invalid('chat_id_list (1 to 5 chat ids) is required');
}

/** Contact ways ("联系我"), customer-group join ways and welcome messages. */
@Injectable()
export class ContactWayService {
  private contactWays = new Map<string, StoredWay>();
  private joinWays = new Map<string, StoredWay>();

  constructor(
    private readonly welcomeCodes: WelcomeCodeService,
    private readonly messages: MessageLogService,
  ) {}

  addContactWay(body: JsonObject): AddWayReply {
    checkContactWay(body, true);
    const configId = randomBytes(16).toString('hex');
    const way: StoredWay = { ...body, config_id: configId };
    if (body.scene === 2) way.qr_code = qrCodeUrl(configId);
    this.contactWays.set(configId, way);
    return {
      errcode: 0,
      errmsg: 'ok',
      config_id: configId,
      ...(way.qr_code ? { qr_code: way.qr_code } : {}),
    };
  }

  getContactWay(body: JsonObject): WecomReply & { contact_way: StoredWay } {
    return { errcode: 0, errmsg: 'ok', contact_way: this.find(this.contactWays, body) };
  }

  updateContactWay(body: JsonObject): WecomReply {
    const way = this.find(this.contactWays, body);
    checkContactWay(body, false);
    Object.assign(way, body);
    return OK;
  }

  delContactWay(body: JsonObject): WecomReply {
    this.contactWays.delete(this.find(this.contactWays, body).config_id);
    return OK;
  }

  addJoinWay(body: JsonObject): AddWayReply {
    checkJoinWay(body, true);
    const configId = randomBytes(16).toString('hex');
    this.joinWays.set(configId, { ...body, config_id: configId, qr_code: qrCodeUrl(configId) });
    return { errcode: 0, errmsg: 'ok', config_id: configId };
  }

  getJoinWay(body: JsonObject): WecomReply & { join_way: StoredWay } {
    return { errcode: 0, errmsg: 'ok', join_way: this.find(this.joinWays, body) };
  }

  updateJoinWay(body: JsonObject): WecomReply {
    const way = this.find(this.joinWays, body);
    checkJoinWay(body, false);
    Object.assign(way, body);
    return OK;
  }

  delJoinWay(body: JsonObject): WecomReply {
    this.joinWays.delete(this.find(this.joinWays, body).config_id);
    return OK;
  }

  sendWelcomeMsg(body: JsonObject): WecomReply {
    const code = requiredString(body, 'welcome_code');
    const content = parseMsgContent(body, true);
    const target = this.welcomeCodes.consume(code);
    const key = this.messages.keyFor(body, () => JSON.stringify(content));
    this.messages.record(target.externalUserId, {
      api: SEND_WELCOME_MSG,
      msgid: code,
      key,
      payload: content,
    });
    return OK;
  }

  reset(): void {
    this.contactWays = new Map();
    this.joinWays = new Map();
  }

  private find(ways: Map<string, StoredWay>, body: JsonObject): StoredWay {
    const configId = requiredString(body, 'config_id');
    const way = ways.get(configId);
    if (!way) throw WecomError.invalid(`config_id ${configId} not found`);
    return way;
  }
}
