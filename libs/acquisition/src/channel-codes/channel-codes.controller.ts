import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import { ACQUISITION_READERS, ACQUISITION_WRITERS } from './channel-codes.roles';
import { ChannelCodesService } from './channel-codes.service';
import {
  ChannelCodeCreateDto,
  ChannelCodeQueryDto,
  ChannelCodeUpdateDto,
} from './dto/channel-code-input.dto';
import { ChannelCodeResponseDto } from './dto/channel-code-response.dto';

@ApiTags('acquisition')
@ApiBearerAuth()
@Controller('v1/acquisition/channel-codes')
export class ChannelCodesController {
  constructor(private readonly codes: ChannelCodesService) {}

  @Post()
  @Roles(...ACQUISITION_WRITERS)
  @ApiOperation({ summary: 'Create a channel code: a WeCom contact way (QR code) with its state; audited' })
  async create(
    @CurrentActor() actor: Actor,
    @Body() dto: ChannelCodeCreateDto,
  ): Promise<ChannelCodeResponseDto> {
    return ChannelCodeResponseDto.from(await this.codes.create(actor, dto));
  }

  @Get()
  @Roles(...ACQUISITION_READERS)
  @ApiOperation({ summary: 'Channel codes, newest first (deleted ones only with status=deleted)' })
  async list(@CurrentPrincipal() p: Principal, @Query() q: ChannelCodeQueryDto) {
    const page = await this.codes.list(p.brandId, q);
    return { items: page.items.map((c) => ChannelCodeResponseDto.from(c)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...ACQUISITION_READERS)
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<ChannelCodeResponseDto> {
    return ChannelCodeResponseDto.from(await this.codes.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...ACQUISITION_WRITERS)
  @ApiOperation({ summary: 'Edit a code (update_contact_way); audited' })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: ChannelCodeUpdateDto,
  ): Promise<ChannelCodeResponseDto> {
    return ChannelCodeResponseDto.from(await this.codes.update(actor, id, dto));
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Roles(...ACQUISITION_WRITERS)
  @ApiOperation({
    summary: 'Pause: contacts are still attributed, but not greeted, tagged or routed; audited',
  })
  async pause(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<ChannelCodeResponseDto> {
    return ChannelCodeResponseDto.from(await this.codes.setPaused(actor, id, true));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles(...ACQUISITION_WRITERS)
  async resume(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<ChannelCodeResponseDto> {
    return ChannelCodeResponseDto.from(await this.codes.setPaused(actor, id, false));
  }

  @Delete(':id')
  @Roles(...ACQUISITION_WRITERS)
  @ApiOperation({ summary: 'Delete (del_contact_way); the code stays in the report as deleted; audited' })
  async remove(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<ChannelCodeResponseDto> {
    return ChannelCodeResponseDto.from(await this.codes.remove(actor, id));
  }
}
