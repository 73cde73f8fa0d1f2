import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, ValidationException } from '@siyu/platform';
import { CHANNEL_EVENT_READERS } from '../channels.roles';
import { WecomEventQueryDto } from './dto/wecom-event-query.dto';
import { WecomEventPageDto, WecomEventResponseDto } from './dto/wecom-event-response.dto';
import { WecomEventsService } from './wecom-events.service';

const eventId = (id: string) => {
  if (!/^\d{1,18}$/.test(id))
    throw new ValidationException([{ field: 'id', message: 'id must be an event id' }]);
  return id;
};

@ApiTags('channels')
@ApiBearerAuth()
@Controller('v1/channels/wecom/events')
export class WecomEventsController {
  constructor(private readonly events: WecomEventsService) {}

  @Get()
  @Roles(...CHANNEL_EVENT_READERS)
  @ApiOperation({ summary: 'WeCom callback events received, newest first, with their processing status' })
  @ApiOkResponse({ type: WecomEventPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: WecomEventQueryDto): Promise<WecomEventPageDto> {
    const page = await this.events.list(p.brandId, q);
    return { items: page.items.map((e) => WecomEventResponseDto.from(e)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...CHANNEL_EVENT_READERS)
  @ApiOkResponse({ type: WecomEventResponseDto })
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<WecomEventResponseDto> {
    return WecomEventResponseDto.from(await this.events.get(p.brandId, eventId(id)));
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Roles(...CHANNEL_EVENT_READERS)
  @ApiOperation({ summary: 'Send a failed or ignored event through its handlers again (audited)' })
  @ApiOkResponse({ type: WecomEventResponseDto })
  async retry(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<WecomEventResponseDto> {
    return WecomEventResponseDto.from(await this.events.retry(actor, eventId(id)));
  }
}
