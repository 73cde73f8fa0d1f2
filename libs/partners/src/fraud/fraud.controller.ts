import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import { PARTNER_RISK_READERS, PARTNER_RISK_WRITERS } from '../partners-risk.roles';
import { FraudFlagQueryDto } from './dto/fraud-flag-query.dto';
import {
  FraudFlagPageResponseDto,
  FraudFlagResponseDto,
  FraudSweepResponseDto,
} from './dto/fraud-flag-response.dto';
import { FraudFlagReviewDto } from './dto/fraud-flag-review.dto';
import { FraudSettingsResponseDto, FraudSettingsUpdateDto } from './dto/fraud-settings-update.dto';
import { FraudReviewService } from './fraud-review.service';
import { FraudSettingsService } from './fraud-settings.service';

@ApiTags('partner-fraud')
@ApiBearerAuth()
@Controller('v1')
export class FraudController {
  constructor(
    private readonly review: FraudReviewService,
    private readonly settings: FraudSettingsService,
  ) {}

  @Get('partner-fraud-flags')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOperation({ summary: 'Fraud flags, newest first (keyset-paginated; filters status, kind, partnerId)' })
  @ApiOkResponse({ type: FraudFlagPageResponseDto })
  async list(
    @CurrentPrincipal() p: Principal,
    @Query() q: FraudFlagQueryDto,
  ): Promise<FraudFlagPageResponseDto> {
    const page = await this.review.list(p.brandId, q);
    return { items: page.items.map((f) => FraudFlagResponseDto.from(f)), nextCursor: page.nextCursor };
  }

  @Get('partner-fraud-flags/:id')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOkResponse({ type: FraudFlagResponseDto })
  async get(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<FraudFlagResponseDto> {
    return FraudFlagResponseDto.from(await this.review.get(p.brandId, id));
  }

  @Post('partner-fraud-flags/:id/review')
  @HttpCode(200)
  @Roles(...PARTNER_RISK_WRITERS)
  @ApiOperation({
    summary: 'Approve (not fraud) or reject (fraud) a flag, once; moves its held commission; audited',
  })
  @ApiOkResponse({ type: FraudFlagResponseDto })
  async decide(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: FraudFlagReviewDto,
  ): Promise<FraudFlagResponseDto> {
    return FraudFlagResponseDto.from(await this.review.review(actor, id, dto.decision, dto.note));
  }

  @Post('partner-fraud-sweeps')
  @HttpCode(200)
  @Roles(...PARTNER_RISK_WRITERS)
  @ApiOperation({ summary: 'Run the conversion-rate check now (the worker runs it hourly); audited' })
  @ApiOkResponse({ type: FraudSweepResponseDto })
  async sweep(@CurrentActor() actor: Actor): Promise<FraudSweepResponseDto> {
    const flags = await this.review.sweepNow(actor);
    return { flagged: flags.length, flags: flags.map((f) => FraudFlagResponseDto.from(f)) };
  }

  @Get('partner-fraud-settings')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOkResponse({ type: FraudSettingsResponseDto })
  getSettings(@CurrentPrincipal() p: Principal): Promise<FraudSettingsResponseDto> {
    return this.settings.get(p.brandId);
  }

  @Put('partner-fraud-settings')
  @Roles(...PARTNER_RISK_WRITERS)
  @ApiOperation({ summary: "Replace the brand's fraud thresholds; audited (before/after)" })
  @ApiOkResponse({ type: FraudSettingsResponseDto })
  putSettings(
    @CurrentActor() actor: Actor,
    @Body() dto: FraudSettingsUpdateDto,
  ): Promise<FraudSettingsResponseDto> {
    return this.settings.put(actor, dto);
  }
}
