import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CurrentCaller,
  isMember,
  MemberOrOperator,
  MemberOrOperatorGuard,
  OperatorRolesToo,
} from '@siyu/members';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  Principal,
  Public,
  Roles,
  uuidParam,
  ValidationException,
} from '@siyu/platform';
import { DrawEntrantGuard } from './draw-entrant.guard';
import { DrawEntriesService, EntryResult } from './draw-entries.service';
import { DrawReportsService, DrawStats, EntryView } from './draw-reports.service';
import { DRAW_ENTERERS, DRAW_READERS, DRAW_WRITERS } from './draws.roles';
import { DrawsService } from './draws.service';
import {
  DrawCreateDto,
  DrawEntryCreateDto,
  DrawEntryQueryDto,
  DrawQueryDto,
  DrawUpdateDto,
  DrawVerifyQueryDto,
} from './dto/draw-input.dto';
import { DrawPageDto, DrawResponseDto } from './dto/draw-response.dto';

@ApiTags('draws')
@ApiBearerAuth()
@Controller('v1/draws')
export class DrawsController {
  constructor(
    private readonly draws: DrawsService,
    private readonly entriesService: DrawEntriesService,
    private readonly reports: DrawReportsService,
  ) {}

  @Post()
  @Roles(...DRAW_WRITERS)
  @ApiOperation({ summary: 'Create a draft draw (window, eligibility, limits, prizes, fallback); audited' })
  @ApiCreatedResponse({ type: DrawResponseDto })
  async create(@CurrentActor() actor: Actor, @Body() dto: DrawCreateDto): Promise<DrawResponseDto> {
    return DrawResponseDto.from(await this.draws.create(actor, dto));
  }

  @Get()
  @Roles(...DRAW_READERS)
  @ApiOperation({ summary: 'Draws, newest first (keyset-paginated; filter state)' })
  @ApiOkResponse({ type: DrawPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: DrawQueryDto): Promise<DrawPageDto> {
    const page = await this.draws.list(p.brandId, q);
    return { items: page.items.map((r) => DrawResponseDto.from(r)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @Roles(...DRAW_READERS)
  @ApiOkResponse({ type: DrawResponseDto })
  async get(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<DrawResponseDto> {
    return DrawResponseDto.from(await this.draws.get(p.brandId, id));
  }

  @Patch(':id')
  @Roles(...DRAW_WRITERS)
  @ApiOperation({ summary: 'Edit a draft (prizes, when given, replace the table); audited' })
  @ApiOkResponse({ type: DrawResponseDto })
  async update(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: DrawUpdateDto,
  ): Promise<DrawResponseDto> {
    return DrawResponseDto.from(await this.draws.update(actor, id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles(...DRAW_WRITERS)
  @ApiOperation({ summary: 'Delete a draft; audited' })
  async remove(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string): Promise<void> {
    await this.draws.remove(actor, id);
  }

  @Post(':id/publish')
  @HttpCode(200)
  @Roles(...DRAW_WRITERS)
  @ApiOperation({
    summary: 'Publish a draft: the seed is drawn and its SHA-256 committed; the table is fixed; audited',
  })
  @ApiOkResponse({ type: DrawResponseDto })
  async publish(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string): Promise<DrawResponseDto> {
    return DrawResponseDto.from(await this.draws.publish(actor, id));
  }

  @Post(':id/close')
  @HttpCode(200)
  @Roles(...DRAW_WRITERS)
  @ApiOperation({ summary: 'Close a published draw now (the seed is revealed); audited' })
  @ApiOkResponse({ type: DrawResponseDto })
  async close(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string): Promise<DrawResponseDto> {
    return DrawResponseDto.from(await this.draws.close(actor, id));
  }

  @Get(':id/disclosure')
  @Public()
  @UseGuards(MemberOrOperatorGuard)
  @OperatorRolesToo(...DRAW_READERS)
  @ApiOperation({
    summary: 'Prizes, quantities, odds, rules and the stock rule (members with a member token, or operators)',
  })
  disclosure(@CurrentCaller() caller: MemberOrOperator, @Param('id', uuidParam) id: string) {
    return this.reports.disclosure(caller.brandId, id, { publishedOnly: isMember(caller) });
  }

  @Get(':id/verify')
  @Public()
  @UseGuards(MemberOrOperatorGuard)
  @OperatorRolesToo(...DRAW_READERS)
  @ApiOperation({
    summary: 'The commitment, the seed once closed, the table and every entry’s slot: recompute every result',
  })
  verify(
    @CurrentCaller() caller: MemberOrOperator,
    @Param('id', uuidParam) id: string,
    @Query() q: DrawVerifyQueryDto,
  ) {
    return this.reports.verify(caller.brandId, id, q, { publishedOnly: isMember(caller) });
  }

  @Get(':id/stats')
  @Roles(...DRAW_READERS)
  @ApiOperation({ summary: 'Entries, entrants, winners per prize, remaining stock, fallbacks by reason' })
  stats(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<DrawStats> {
    return this.reports.stats(p.brandId, id);
  }

  @Post(':id/entries')
  @Public()
  @UseGuards(DrawEntrantGuard)
  @OperatorRolesToo(...DRAW_ENTERERS)
  @ApiOperation({
    summary:
      'Enter: a member with a member token (no body), or an operator or an API key (machine client) for `memberId`',
    description:
      '201 with the result. 409 DRAW_NOT_OPEN / DRAW_CLOSED / DRAW_ENTRY_LIMIT, 403 DRAW_NOT_ELIGIBLE, 404 for another brand’s draw.',
  })
  async enter(
    @CurrentCaller() caller: MemberOrOperator,
    @Param('id', uuidParam) id: string,
    @Body() dto: DrawEntryCreateDto = {},
  ): Promise<EntryResult> {
    if (isMember(caller)) {
      if (dto?.memberId && dto.memberId.toLowerCase() !== caller.memberId)
        throw new ValidationException([
          { field: 'memberId', message: 'a member enters for themself; leave memberId out' },
        ]);
      return this.entriesService.enter(
        { brandId: caller.brandId, actorType: 'member', actorId: caller.memberId },
        id,
        caller.memberId,
      );
    }
    if (!dto?.memberId)
      throw new ValidationException([
        { field: 'memberId', message: 'memberId is required for operators and API keys' },
      ]);
    return this.entriesService.enter(
      { brandId: caller.brandId, actorType: caller.kind, actorId: caller.id },
      id,
      dto.memberId.toLowerCase(),
    );
  }

  @Get(':id/entries')
  @Public()
  @UseGuards(MemberOrOperatorGuard)
  @OperatorRolesToo(...DRAW_READERS)
  @ApiOperation({ summary: 'Entries newest first; a member sees only their own' })
  entries(
    @CurrentCaller() caller: MemberOrOperator,
    @Param('id', uuidParam) id: string,
    @Query() q: DrawEntryQueryDto,
  ): Promise<{ items: EntryView[]; nextCursor: string | null }> {
    if (isMember(caller))
      return this.reports.entries(
        caller.brandId,
        id,
        { ...q, memberId: caller.memberId },
        { publishedOnly: true },
      );
    return this.reports.entries(caller.brandId, id, q);
  }
}
