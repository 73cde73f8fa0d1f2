import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { jsonObject } from '../common/cgi-body';
import type { SimRequest } from '../common/sim-request';
import type { WecomReply } from '../wecom-errors';
import type {
  AddMsgTemplateReply,
  GetGroupMsgSendResultReply,
  GetGroupMsgTaskReply,
} from './dto/groupmsg-replies.dto';
import { GroupMsgService } from './groupmsg.service';

/** Enterprise group sends to customers and customer groups. */
@Controller('cgi-bin/externalcontact')
export class GroupMsgController {
  constructor(private readonly groupMsg: GroupMsgService) {}

  @Post('add_msg_template')
  @HttpCode(200)
  add(@Req() req: SimRequest, @Body() body: unknown): AddMsgTemplateReply {
    return this.groupMsg.add(req.simAccount, jsonObject(body));
  }

  @Post('get_groupmsg_task')
  @HttpCode(200)
  task(@Body() body: unknown): GetGroupMsgTaskReply {
    return this.groupMsg.getTask(jsonObject(body));
  }

  @Post('get_groupmsg_send_result')
  @HttpCode(200)
  sendResult(@Body() body: unknown): GetGroupMsgSendResultReply {
    return this.groupMsg.getSendResult(jsonObject(body));
  }

  @Post('remind_groupmsg_send')
  @HttpCode(200)
  remind(@Body() body: unknown): WecomReply {
    return this.groupMsg.remind(jsonObject(body));
  }

  @Post('cancel_groupmsg_send')
  @HttpCode(200)
  cancel(@Body() body: unknown): WecomReply {
    return this.groupMsg.cancel(jsonObject(body));
  }
}
