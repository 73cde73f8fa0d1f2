import {
  JsonObject,
  optionalInt,
  optionalObject,
  optionalStringArray,
  parseCursor,
  requiredString,
} from '../../common/cgi-body';
import { WecomError } from '../../wecom-errors';

/** Body of externalcontact/groupchat/list, validated. */
export interface GroupChatListRequest {
  /** 0 all, 1 owner left (pending handover), 2 handover in progress, 3 handover done. */
  status_filter: 0 | 1 | 2 | 3;
  owner_filter?: { userid_list: string[] };
  cursor: number;
  limit: number;
}

export function parseGroupChatList(body: JsonObject): GroupChatListRequest {
  const limit = optionalInt(body, 'limit', 1, 1000);
  if (limit === undefined) throw WecomError.invalid('limit is required (1 to 1000)');
  const owners = optionalStringArray(optionalObject(body, 'owner_filter') ?? {}, 'userid_list', 100);
  return {
    status_filter: (optionalInt(body, 'status_filter', 0, 3) ?? 0) as GroupChatListRequest['status_filter'],
    ...(owners?.length ? { owner_filter: { userid_list: owners } } : {}),
    cursor: parseCursor(body),
    limit,
  };
}

/** Body of externalcontact/groupchat/get, validated. */
export interface GroupChatGetRequest {
  chat_id: string;
  need_name: boolean;
}

export function parseGroupChatGet(body: JsonObject): GroupChatGetRequest {
  return { chat_id: requiredString(body, 'chat_id'), need_name: optionalInt(body, 'need_name', 0, 1) === 1 };
}
