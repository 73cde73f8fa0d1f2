import { Body, Controller, Delete, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  PageQueryDto,
  Principal,
  Roles,
  uuidParam,
} from '@siyu/platform';
import { GROWTH_READERS, GROWTH_WRITERS } from '../common/growth.roles';
import { JoinWayCreateDto, JoinWayPageDto, JoinWayResponseDto, JoinWayUpdateDto } from './dto/join-way.dto';
import { JoinWaysService } from './join-ways.service';

@ApiTags('acquisition')
@ApiBearerAuth()
@Controller('v1/acquisition/join-ways')
export class JoinWaysController {
  constructor(private readonly joinWays: JoinWaysService) {}

  @Post()
  @Roles(...GROWTH_WRITERS)
  @ApiOperation({
    summary: 'Create a group code (groupchat/add_join_way) over a pool of group chats',
    description:
      '400 naming the field for an unknown chat, a taken or reserved state, autoCreateRoom without a room base.',
  })
  @ApiCreatedResponse({ type: JoinWayResponseDto })
  async create(@CurrentActor() actor: Actor, @Body() dto: JoinWayCreateDto): Promise<JoinWayResponseDto> {
    return JoinWayResponseDto.from(await this.joinWays.create(actor, dto));
  }

  @Get()
  @Roles(...GROWTH_READERS)
  @ApiOperation({ summary: 'Group codes, newest first, with their join counts' })
  @ApiOkResponse({ type: JoinWayPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<JoinWayPageDto> {
    const page = await this.joinWays.list(p.brandId, q.limit, q.cursor);
    return { items: page.items.map((v) => JoinWayResponseDto.from(v)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...GROWTH_READERS)
  @ApiOperation({ summary: 'A group code: routed groups, full groups, joins per group' })
  @ApiOkResponse({ type: JoinWayResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<JoinWayResponseDto> {
    return JoinWayResponseDto.from(await this.joinWays.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...GROWTH_WRITERS)
  @ApiOperation({ summary: 'Change a group code (update_join_way); its state cannot change' })
  @ApiOkResponse({ type: JoinWayResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: JoinWayUpdateDto,
  ): Promise<JoinWayResponseDto> {
    return JoinWayResponseDto.from(await this.joinWays.update(actor, id, dto));
  }

  @Delete(':id')
  @Roles(...GROWTH_WRITERS)
  @ApiOperation({ summary: 'Delete a group code (del_join_way); its join counts are kept' })
  @ApiOkResponse({ type: JoinWayResponseDto })
  async remove(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<JoinWayResponseDto> {
    return JoinWayResponseDto.from(await this.joinWays.remove(actor, id));
  }
}
