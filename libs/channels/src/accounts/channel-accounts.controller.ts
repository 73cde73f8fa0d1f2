import { Body, Controller, Delete, Get, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import { CHANNEL_ADMINS } from '../channels.roles';
import { ChannelAccountsService } from './channel-accounts.service';
import { OaAppCreateDto } from './dto/oa-app-create.dto';
import { OaAppListDto, OaAppResponseDto } from './dto/oa-app-response.dto';
import { OaAppUpdateDto } from './dto/oa-app-update.dto';
import { WecomAccountPutDto } from './dto/wecom-account-put.dto';
import { WecomAccountResponseDto } from './dto/wecom-account-response.dto';

@ApiTags('channels')
@ApiBearerAuth()
@Controller('v1/channels')
export class ChannelAccountsController {
  constructor(private readonly accounts: ChannelAccountsService) {}

  @Get('wecom')
  @Roles(...CHANNEL_ADMINS)
  @ApiOperation({ summary: "The brand's WeCom corp (secrets masked); 404 until set" })
  @ApiOkResponse({ type: WecomAccountResponseDto })
  async getWecom(@CurrentPrincipal() p: Principal): Promise<WecomAccountResponseDto> {
    return WecomAccountResponseDto.from(await this.accounts.getWecom(p.brandId));
  }

  @Put('wecom')
  @Roles(...CHANNEL_ADMINS)
  @ApiOperation({
    summary: 'Set the WeCom corp; secrets required the first time, kept when omitted later (audited)',
  })
  @ApiOkResponse({ type: WecomAccountResponseDto })
  async putWecom(
    @CurrentActor() actor: Actor,
    @Body() dto: WecomAccountPutDto,
  ): Promise<WecomAccountResponseDto> {
    return WecomAccountResponseDto.from(await this.accounts.putWecom(actor, dto));
  }

  @Get('oa-apps')
  @Roles(...CHANNEL_ADMINS)
  @ApiOperation({ summary: 'Official Account apps (secrets masked)' })
  @ApiOkResponse({ type: OaAppListDto })
  async listOa(@CurrentPrincipal() p: Principal): Promise<OaAppListDto> {
    return { items: (await this.accounts.listOaApps(p.brandId)).map((a) => OaAppResponseDto.from(a)) };
  }

  @Post('oa-apps')
  @Roles(...CHANNEL_ADMINS)
  @ApiOperation({ summary: 'Add an Official Account app (audited)' })
  @ApiCreatedResponse({ type: OaAppResponseDto })
  async createOa(@CurrentActor() actor: Actor, @Body() dto: OaAppCreateDto): Promise<OaAppResponseDto> {
    return OaAppResponseDto.from(await this.accounts.createOaApp(actor, dto));
  }

  @Get('oa-apps/:id')
  @Roles(...CHANNEL_ADMINS)
  @ApiOkResponse({ type: OaAppResponseDto })
  async getOa(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<OaAppResponseDto> {
    return OaAppResponseDto.from(await this.accounts.getOaApp(p.brandId, id));
  }

  @Patch('oa-apps/:id')
  @Roles(...CHANNEL_ADMINS)
  @ApiOperation({ summary: 'Change an Official Account app; an omitted secret is kept (audited)' })
  @ApiOkResponse({ type: OaAppResponseDto })
  async updateOa(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: OaAppUpdateDto,
  ): Promise<OaAppResponseDto> {
    return OaAppResponseDto.from(await this.accounts.updateOaApp(actor, id, dto));
  }

  @Delete('oa-apps/:id')
  @Roles(...CHANNEL_ADMINS)
  @ApiOperation({ summary: 'Remove an Official Account app (audited)' })
  @ApiOkResponse({ type: OaAppResponseDto })
  async deleteOa(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<OaAppResponseDto> {
    return OaAppResponseDto.from(await this.accounts.deleteOaApp(actor, id));
  }
}
