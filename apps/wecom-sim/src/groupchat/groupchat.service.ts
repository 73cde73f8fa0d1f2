import { Injectable } from '@nestjs/common';
import { JsonObject, nextCursor } from '../common/cgi-body';
import { SimClock } from '../common/sim-clock';
import { WecomErrcode, WecomError } from '../wecom-errors';
import type { GroupChat, GroupChatMember, GroupChatSeedDto } from './dto/group-chat.dto';
import { parseGroupChatGet, parseGroupChatList } from './dto/groupchat-requests.dto';

export interface GroupChatListReply {
  errcode: 0;
  errmsg: 'ok';
  group_chat_list: Array<{ chat_id: string; status: number }>;
  next_cursor: string;
}

export interface GroupChatGetReply {
  errcode: 0;
  errmsg: 'ok';
  group_chat: Omit<GroupChat, 'status'>;
}

/** Customer group chats, seeded through /_sim/groupchats and read through groupchat/list and get. */
@Injectable()
export class GroupChatService {
  private chats = new Map<string, GroupChat>();

  constructor(private readonly clock: SimClock) {}

  upsert(seed: GroupChatSeedDto): GroupChat {
    const now = this.clock.nowSeconds();
    const prev = this.chats.get(seed.chat_id);
    const chat: GroupChat = {
      chat_id: seed.chat_id,
      name: seed.name ?? prev?.name ?? '',
      owner: seed.owner,
      create_time: seed.create_time ?? prev?.create_time ?? now,
      notice: seed.notice ?? prev?.notice ?? '',
      status: seed.status ?? prev?.status ?? 0,
      member_list:
        seed.member_list?.map((m): GroupChatMember => ({
          userid: m.userid,
          type: m.type ?? 2,
          join_time: m.join_time ?? now,
          join_scene: m.join_scene ?? 1,
          ...(m.invitor ? { invitor: { userid: m.invitor.userid } } : {}),
          group_nickname: m.group_nickname ?? '',
          name: m.name ?? '',
          ...(m.unionid ? { unionid: m.unionid } : {}),
        })) ??
        prev?.member_list ??
        [],
      admin_list: seed.admin_list?.map((a) => ({ userid: a.userid })) ?? prev?.admin_list ?? [],
    };
    this.chats.set(chat.chat_id, chat);
    return chat;
  }

  remove(chatId: string): boolean {
    return this.chats.delete(chatId);
  }

  ownedBy(owner: string): string[] {
    const ids: string[] = [];
    for (const chat of this.chats.values()) if (chat.owner === owner) ids.push(chat.chat_id);
    return ids;
  }

  list(body: JsonObject): GroupChatListReply {
    const {
      status_filter: statusFilter,
      owner_filter: owners,
      cursor: offset,
      limit,
    } = parseGroupChatList(body);
    const ownerSet = owners ? new Set(owners.userid_list) : null;
    const page: Array<{ chat_id: string; status: number }> = [];
    let matched = 0;
    for (const chat of this.chats.values()) {
      if (statusFilter !== 0 && chat.status !== statusFilter) continue;
      if (ownerSet && !ownerSet.has(chat.owner)) continue;
      if (matched++ < offset) continue;
      if (page.length === limit) {
        return { errcode: 0, errmsg: 'ok', group_chat_list: page, next_cursor: String(offset + limit) };
      }
      page.push({ chat_id: chat.chat_id, status: chat.status });
    }
    return {
      errcode: 0,
      errmsg: 'ok',
      group_chat_list: page,
      next_cursor: nextCursor(offset, page.length, offset + page.length),
    };
  }

  get(body: JsonObject): GroupChatGetReply {
    const { chat_id: chatId, need_name: needName } = parseGroupChatGet(body);
    const chat = this.chats.get(chatId);
    if (!chat) throw new WecomError(WecomErrcode.CHAT_NOT_FOUND, chatId);
    const { status: _status, ...rest } = chat;
    return {
      errcode: 0,
      errmsg: 'ok',
      group_chat: {
        ...rest,
        member_list: needName ? rest.member_list : rest.member_list.map(({ name: _name, ...m }) => m),
      },
    };
  }

  all(): GroupChat[] {
    return [...this.chats.values()];
  }

  reset(): void {
    this.chats = new Map();
  }
}
