import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { validateAdminBody } from '../common/admin-body';
import { SimClock } from '../common/sim-clock';
import { SimConfig } from '../config/sim-config';
import { SimConfigUpdateDto } from '../config/sim-config-update.dto';
import { SimConfigService } from '../config/sim-config.service';
import { WelcomeCodeService } from '../contact-way/welcome-code.service';
import { GroupChat, GroupChatSeedDto, GroupChatsSeedDto } from '../groupchat/dto/group-chat.dto';
import { GroupChatService } from '../groupchat/groupchat.service';
import type { GroupMsgTaskView } from '../groupmsg/dto/groupmsg-replies.dto';
import { GroupMsgService } from '../groupmsg/groupmsg.service';
import { MessageLogService, RecipientView } from '../stats/message-log.service';
import {
  GroupMsgConfirmDto,
  SimClockAdvanceDto,
  SimResetDto,
  WelcomeCodeIssueDto,
} from './dto/sim-admin.dto';
import { SimAdminService, SimStats } from './sim-admin.service';

/** The simulator's own control and inspection routes under /_sim, plus /health. */
@Controller()
export class SimAdminController {
  constructor(
    private readonly admin: SimAdminService,
    private readonly clock: SimClock,
    private readonly config: SimConfigService,
    private readonly messages: MessageLogService,
    private readonly groupMsg: GroupMsgService,
    private readonly groupChats: GroupChatService,
    private readonly welcomeCodes: WelcomeCodeService,
  ) {}

  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('_sim/config')
  getConfig(): Readonly<SimConfig> {
    return this.config.current;
  }

  @Post('_sim/config')
  @HttpCode(200)
  setConfig(@Body() body: unknown): SimConfig {
    return this.config.update(validateAdminBody(SimConfigUpdateDto, body));
  }

  @Post('_sim/reset')
  @HttpCode(200)
  reset(@Body() body: unknown): { ok: true } {
    this.admin.reset(body === undefined ? false : validateAdminBody(SimResetDto, body).keepConfig === true);
    return { ok: true };
  }

  @Get('_sim/stats')
  stats(): SimStats {
    return this.admin.snapshot();
  }

  @Get('_sim/messages')
  messagesOf(@Query('recipient') recipient?: string, @Query('limit') limit?: string): RecipientView {
    if (!recipient) throw new BadRequestException('recipient is required');
    const max = limit === undefined ? 1000 : Number(limit);
    if (!Number.isInteger(max) || max < 1) throw new BadRequestException('limit must be a positive integer');
    return this.messages.recipient(recipient, max);
  }

  @Post('_sim/clock')
  @HttpCode(200)
  advanceClock(@Body() body: unknown): { offsetMs: number; now: string } {
    this.clock.advance(validateAdminBody(SimClockAdvanceDto, body).advanceMs);
    return { offsetMs: this.clock.offset, now: new Date(this.clock.now()).toISOString() };
  }

  /** Upserts one group chat, or `{ group_chats: [...] }`. */
  @Post('_sim/groupchats')
  @HttpCode(200)
  seedGroupChats(@Body() body: unknown): { upserted: number } {
    const many = body !== null && typeof body === 'object' && 'group_chats' in body;
    const seeds = many
      ? validateAdminBody(GroupChatsSeedDto, body).group_chats
      : [validateAdminBody(GroupChatSeedDto, body)];
    for (const seed of seeds) this.groupChats.upsert(seed);
    return { upserted: seeds.length };
  }

  @Get('_sim/groupchats')
  listGroupChats(): GroupChat[] {
    return this.groupChats.all();
  }

  @Delete('_sim/groupchats/:chatId')
  removeGroupChat(@Param('chatId') chatId: string): { removed: boolean } {
    return { removed: this.groupChats.remove(chatId) };
  }

  @Get('_sim/groupmsg')
  groupMsgTask(@Query('msgid') msgid?: string): GroupMsgTaskView {
    const view = msgid ? this.groupMsg.view(msgid) : null;
    if (!view) throw new NotFoundException(`no task ${msgid ?? ''}`);
    return view;
  }

  @Post('_sim/groupmsg/confirm')
  @HttpCode(200)
  confirm(@Body() body: unknown): { confirmed: string[] } {
    const dto = body === undefined ? {} : validateAdminBody(GroupMsgConfirmDto, body);
    if (dto.msgid) return { confirmed: this.groupMsg.confirm(dto.msgid) ? [dto.msgid] : [] };
    return { confirmed: this.groupMsg.confirmAll(dto.sender) };
  }

  @Post('_sim/welcome-codes')
  @HttpCode(200)
  issueWelcomeCode(@Body() body: unknown): { welcome_code: string; expires_at: string } {
    const dto = validateAdminBody(WelcomeCodeIssueDto, body);
    return this.welcomeCodes.issue(
      { externalUserId: dto.external_userid, userId: dto.userid ?? '' },
      dto.welcome_code,
    );
  }
}
