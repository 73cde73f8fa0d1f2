import { Body, Controller, Get, HttpCode, Param, PipeTransform, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, ValidationException } from '@siyu/platform';
import { TierChangePageDto } from './dto/member-tier-response.dto';
import { TierChangeQueryDto } from './dto/tier-change-query.dto';
import { TierLadderPutDto } from './dto/tier-ladder-put.dto';
import { TierLadderResponseDto, TierPreviewResponseDto } from './dto/tier-ladder-response.dto';
import { TierReevaluationResponseDto } from './dto/tier-reevaluation-response.dto';
import { TierHistoryService } from './tier-history.service';
import { TierLadderService } from './tier-ladder.service';
import { TierReevaluationsService } from './tier-reevaluations.service';
import { TIER_READERS, TIER_WRITERS } from './tiers.roles';

/** `:id` of a bigint row: digits only, else a 400 naming the parameter. */
const bigintParam: PipeTransform<string, string> = {
  transform(value: string) {
    if (!/^[1-9]\d{0,18}$/.test(value))
      throw new ValidationException([{ field: 'id', message: 'id must be a positive integer' }]);
    return value;
  },
};

@ApiTags('tiers')
@ApiBearerAuth()
@Controller('v1/tiers')
export class TiersController {
  constructor(
    private readonly ladders: TierLadderService,
    private readonly history: TierHistoryService,
    private readonly reevaluations: TierReevaluationsService,
  ) {}

  @Get()
  @Roles(...TIER_READERS)
  @ApiOperation({
    summary: 'The ladder: settings (in the brand time zone) and tiers with their member counts',
  })
  @ApiOkResponse({ type: TierLadderResponseDto })
  get(@CurrentPrincipal() p: Principal): Promise<TierLadderResponseDto> {
    return this.ladders.get(p.brandId);
  }

  @Put()
  @Roles(...TIER_WRITERS)
  @ApiOperation({
    summary: 'Replace the ladder atomically (audited)',
    description:
      'Tiers in rank order; the first threshold 0, thresholds strictly increasing, names unique. Upgrades apply at once (reason "ladder"); downgrades wait for re-evaluation and grace. Members of a removed tier move to the highest tier they qualify for.',
  })
  @ApiOkResponse({ type: TierLadderResponseDto })
  async put(@CurrentActor() actor: Actor, @Body() dto: TierLadderPutDto): Promise<TierLadderResponseDto> {
    return (await this.ladders.save(actor, dto)).ladder;
  }

  @Post('preview')
  @HttpCode(200)
  @Roles(...TIER_READERS)
  @ApiOperation({
    summary: 'How many members each tier would hold under a proposed ladder (same body as PUT; no writes)',
  })
  @ApiOkResponse({ type: TierPreviewResponseDto })
  preview(@CurrentPrincipal() p: Principal, @Body() dto: TierLadderPutDto): Promise<TierPreviewResponseDto> {
    return this.ladders.preview(p.brandId, dto);
  }

  @Post('reevaluate')
  @HttpCode(202)
  @Roles(...TIER_WRITERS)
  @ApiOperation({
    summary: 'Queue a full re-evaluation now (downgrades after grace included); answers with its handle',
  })
  @ApiAcceptedResponse({ type: TierReevaluationResponseDto })
  reevaluate(@CurrentActor() actor: Actor): Promise<TierReevaluationResponseDto> {
    return this.reevaluations.request(actor);
  }

  @Get('reevaluations/:id')
  @Roles(...TIER_READERS)
  @ApiOperation({ summary: 'A queued re-evaluation: its status and, once done, what it changed' })
  @ApiOkResponse({ type: TierReevaluationResponseDto })
  reevaluation(
    @CurrentPrincipal() p: Principal,
    @Param('id', bigintParam) id: string,
  ): Promise<TierReevaluationResponseDto> {
    return this.reevaluations.status(p.brandId, id);
  }

  @Get('changes')
  @Roles(...TIER_READERS)
  @ApiOperation({
    summary: 'Tier changes, newest first (keyset-paginated), filtered by member, tier, reason, time',
  })
  @ApiOkResponse({ type: TierChangePageDto })
  changes(@CurrentPrincipal() p: Principal, @Query() q: TierChangeQueryDto): Promise<TierChangePageDto> {
    return this.history.changes(p.brandId, q);
  }
}
