import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { jsonObject } from '../common/cgi-body';
import type { WecomReply } from '../wecom-errors';
import { AddWayReply, ContactWayService, StoredWay } from './contact-way.service';

/** "Contact me" ways, welcome messages, and customer-group join ways. */
@Controller('cgi-bin/externalcontact')
export class ContactWayController {
  constructor(private readonly ways: ContactWayService) {}

  @Post('add_contact_way')
  @HttpCode(200)
  addContactWay(@Body() body: unknown): AddWayReply {
    return this.ways.addContactWay(jsonObject(body));
  }

  @Post('get_contact_way')
  @HttpCode(200)
  getContactWay(@Body() body: unknown): WecomReply & { contact_way: StoredWay } {
    return this.ways.getContactWay(jsonObject(body));
  }

  @Post('update_contact_way')
  @HttpCode(200)
  updateContactWay(@Body() body: unknown): WecomReply {
    return this.ways.updateContactWay(jsonObject(body));
  }

  @Post('del_contact_way')
  @HttpCode(200)
  delContactWay(@Body() body: unknown): WecomReply {
    return this.ways.delContactWay(jsonObject(body));
  }

  @Post('send_welcome_msg')
  @HttpCode(200)
  sendWelcomeMsg(@Body() body: unknown): WecomReply {
    return this.ways.sendWelcomeMsg(jsonObject(body));
  }

  @Post('groupchat/add_join_way')
  @HttpCode(200)
  addJoinWay(@Body() body: unknown): AddWayReply {
    return this.ways.addJoinWay(jsonObject(body));
  }

  @Post('groupchat/get_join_way')
  @HttpCode(200)
  getJoinWay(@Body() body: unknown): WecomReply & { join_way: StoredWay } {
    return this.ways.getJoinWay(jsonObject(body));
  }

  @Post('groupchat/update_join_way')
  @HttpCode(200)
  updateJoinWay(@Body() body: unknown): WecomReply {
    return this.ways.updateJoinWay(jsonObject(body));
  }

  @Post('groupchat/del_join_way')
  @HttpCode(200)
  delJoinWay(@Body() body: unknown): WecomReply {
    return this.ways.delJoinWay(jsonObject(body));
  }
}
