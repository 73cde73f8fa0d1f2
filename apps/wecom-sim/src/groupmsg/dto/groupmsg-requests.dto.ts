import {
  JsonObject,
  optionalInt,
  optionalString,
  optionalStringArray,
  parseCursor,
  requiredString,
} from '../../common/cgi-body';
import { MsgContent, parseMsgContent } from '../../common/msg-content';
import { WecomError } from '../../wecom-errors';
import type { ChatType } from '../group-msg-task';

export const MAX_SINGLE_RECIPIENTS = 10_000;
export const MAX_GROUP_CHATS = 2000;

/** Body of externalcontact/add_msg_template, validated. */
export interface AddMsgTemplateRequest extends MsgContent {
  chat_type: ChatType;
  /** single: the customers (≤ 10,000); omitted with a sender, all the sender's customers. */
  external_userid?: string[];
  /** group: required; single: optional (the simulator's defaultSender otherwise). */
  sender?: string;
  /** group: the chats (≤ 2,000); omitted, all chats the sender owns. */
  chat_id_list?: string[];
  allow_select?: boolean;
}

export function parseAddMsgTemplate(body: JsonObject): AddMsgTemplateRequest {
  const chatType = optionalString(body, 'chat_type') ?? 'single';
  if (chatType !== 'single' && chatType !== 'group')
    throw WecomError.invalid('chat_type must be single or group');
  const request: AddMsgTemplateRequest = { chat_type: chatType, ...parseMsgContent(body, true) };
  request.sender = optionalString(body, 'sender');
  if (chatType === 'single') {
    request.external_userid = optionalStringArray(body, 'external_userid', MAX_SINGLE_RECIPIENTS);
    if (!request.external_userid?.length && !request.sender) {
      throw WecomError.invalid('external_userid or sender is required');
    }
  } else {
    if (!request.sender) throw WecomError.invalid('sender is required for chat_type group');
    request.chat_id_list = optionalStringArray(body, 'chat_id_list', MAX_GROUP_CHATS);
  }
  request.allow_select = body.allow_select === true;
  return request;
}

/** Body of get_groupmsg_task. */
export interface GetGroupMsgTaskRequest {
  msgid: string;
  limit: number;
  cursor: number;
}

export function parseGetGroupMsgTask(body: JsonObject): GetGroupMsgTaskRequest {
  return {
    msgid: requiredString(body, 'msgid'),
    limit: optionalInt(body, 'limit', 1, 1000) ?? 500,
    cursor: parseCursor(body),
  };
}

/** Body of get_groupmsg_send_result. */
export interface GetGroupMsgSendResultRequest extends GetGroupMsgTaskRequest {
  userid: string;
}

export function parseGetGroupMsgSendResult(body: JsonObject): GetGroupMsgSendResultRequest {
  return { ...parseGetGroupMsgTask(body), userid: requiredString(body, 'userid') };
}

/** Body of remind_groupmsg_send and cancel_groupmsg_send. */
export interface GroupMsgIdRequest {
  msgid: string;
}

export function parseGroupMsgId(body: JsonObject): GroupMsgIdRequest {
  return { msgid: requiredString(body, 'msgid') };
}
