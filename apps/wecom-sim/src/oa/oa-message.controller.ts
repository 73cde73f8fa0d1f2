import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { jsonObject } from '../common/cgi-body';
import type { SimRequest } from '../common/sim-request';
import { OaMessageService, OaSendReply } from './oa-message.service';

/** Official Account template and subscribe messages (api.weixin.qq.com). */
@Controller('cgi-bin/message')
export class OaMessageController {
  constructor(private readonly oa: OaMessageService) {}

  @Post('template/send')
  @HttpCode(200)
  template(@Req() req: SimRequest, @Body() body: unknown): OaSendReply {
    return this.oa.sendTemplate(jsonObject(body), req.rawBody);
  }

  @Post('subscribe/send')
  @HttpCode(200)
  subscribe(@Req() req: SimRequest, @Body() body: unknown): OaSendReply {
    return this.oa.sendSubscribe(req.simApi, jsonObject(body), req.rawBody);
  }

  @Post('subscribe/bizsend')
  @HttpCode(200)
  bizSubscribe(@Req() req: SimRequest, @Body() body: unknown): OaSendReply {
    return this.oa.sendSubscribe(req.simApi, jsonObject(body), req.rawBody);
  }
}
