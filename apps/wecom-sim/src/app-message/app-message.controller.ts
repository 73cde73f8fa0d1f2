import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { jsonObject } from '../common/cgi-body';
import { AppMessageReply, AppMessageService } from './app-message.service';

/** Application messages to staff members. */
@Controller('cgi-bin/message')
export class AppMessageController {
  constructor(private readonly appMessages: AppMessageService) {}

  @Post('send')
  @HttpCode(200)
  send(@Body() body: unknown): AppMessageReply {
    return this.appMessages.send(jsonObject(body));
  }
}
