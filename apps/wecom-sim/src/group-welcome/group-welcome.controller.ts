import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { jsonObject } from '../common/cgi-body';
import type { WecomReply } from '../wecom-errors';
import { GroupWelcomeService, GroupWelcomeTemplate } from './group-welcome.service';

/** Group welcome templates (入群欢迎语素材管理). */
@Controller('cgi-bin/externalcontact/group_welcome_template')
export class GroupWelcomeController {
  constructor(private readonly templates: GroupWelcomeService) {}

  @Post('add')
  @HttpCode(200)
  add(@Body() body: unknown): WecomReply & { template_id: string } {
    return this.templates.add(jsonObject(body));
  }

  @Post('edit')
  @HttpCode(200)
  edit(@Body() body: unknown): WecomReply {
    return this.templates.edit(jsonObject(body));
  }

  @Post('get')
  @HttpCode(200)
  get(@Body() body: unknown): WecomReply & GroupWelcomeTemplate {
    return this.templates.get(jsonObject(body));
  }

  @Post('del')
  @HttpCode(200)
  del(@Body() body: unknown): WecomReply {
    return this.templates.del(jsonObject(body));
  }
}
