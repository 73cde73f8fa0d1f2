import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { jsonObject } from '../common/cgi-body';
import { GroupChatGetReply, GroupChatListReply, GroupChatService } from './groupchat.service';

/** Customer group chats: list (cursor pagination, status and owner filters) and details. */
@Controller('cgi-bin/externalcontact/groupchat')
export class GroupChatController {
  constructor(private readonly groupChats: GroupChatService) {}

  @Post('list')
  @HttpCode(200)
  list(@Body() body: unknown): GroupChatListReply {
    return this.groupChats.list(jsonObject(body));
  }

  @Post('get')
  @HttpCode(200)
  get(@Body() body: unknown): GroupChatGetReply {
    return this.groupChats.get(jsonObject(body));
  }
}
