import { Body, Controller, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  Principal,
  Roles,
  uuidParam,
  ValidationException,
} from '@siyu/platform';
import { PartnerCommissionsService } from './commissions/partner-commissions.service';
import {
  PartnerCommissionQueryDto,
  PartnerPayoutRecordDto,
  PartnerSettlementCreateDto,
  PartnerSettlementQueryDto,
  PartnerSettlementResponseDto,
} from './dto/partner-settlement.dto';
import { PartnerTierPutDto, PartnerTierResponseDto } from './dto/partner-tier.dto';
import {
  PartnerUpliftCreateDto,
  PartnerUpliftQueryDto,
  PartnerUpliftResponseDto,
} from './dto/partner-uplift.dto';
import { commissionView, settlementView, upliftView } from './partners/partner-views';
import { PARTNER_TIERS, PartnerTier } from './partners.constants';
import { PARTNER_READERS, PARTNER_WRITERS } from './partners.roles';
import { PartnerSettlementsService } from './settlements/partner-settlements.service';
import { PartnerTierSettingsService } from './tiers/partner-tier-settings.service';
import { PartnerUpliftsService } from './uplifts/partner-uplifts.service';

function tierParam(tier: string): PartnerTier {
  if (!(PARTNER_TIERS as readonly string[]).includes(tier))
    throw new ValidationException([
      { field: 'tier', message: `tier must be one of ${PARTNER_TIERS.join(', ')}` },
    ]);
  return tier as PartnerTier;
}

/** The programme's settings and money: tiers, uplifts, commissions, settlements. */
@ApiTags('partners')
@ApiBearerAuth()
@Controller('v1')
export class PartnerProgrammeController {
  constructor(
    private readonly tiers: PartnerTierSettingsService,
    private readonly uplifts: PartnerUpliftsService,
    private readonly commissions: PartnerCommissionsService,
    private readonly settlements: PartnerSettlementsService,
  ) {}

  @Get('partner-tiers')
  @Roles(...PARTNER_READERS)
  @ApiOperation({ summary: "The brand's tier settings (defaults where not saved)" })
  async listTiers(@CurrentPrincipal() p: Principal): Promise<{ items: PartnerTierResponseDto[] }> {
    return { items: await this.tiers.all(p.brandId) };
  }

  @Put('partner-tiers/:tier')
  @Roles(...PARTNER_WRITERS)
  @ApiParam({ name: 'tier', enum: PARTNER_TIERS })
  @ApiOperation({
    summary: 'Set a tier: rate (bp), holding days, monthly cap, minimum payout, link limit, rules; audited',
  })
  async putTier(
    @CurrentActor() actor: Actor,
    @Param('tier') tier: string,
    @Body() dto: PartnerTierPutDto,
  ): Promise<PartnerTierResponseDto> {
    return this.tiers.put(actor, tierParam(tier), dto);
  }

  @Post('partner-uplifts')
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({ summary: 'An incentive uplift for a partner or a tier, with KPI gates; audited' })
  async createUplift(
    @CurrentActor() actor: Actor,
    @Body() dto: PartnerUpliftCreateDto,
  ): Promise<PartnerUpliftResponseDto> {
    return upliftView(await this.uplifts.create(actor, dto));
  }

  @Get('partner-uplifts')
  @Roles(...PARTNER_READERS)
  async listUplifts(@CurrentPrincipal() p: Principal, @Query() q: PartnerUpliftQueryDto) {
    const page = await this.uplifts.list(p.brandId, q);
    return { items: page.items.map(upliftView), nextCursor: page.nextCursor };
  }

  @Get('partner-uplifts/:id')
  @Roles(...PARTNER_READERS)
  async getUplift(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string) {
    return upliftView(await this.uplifts.get(p.brandId, id));
  }

  @Get('partner-commissions')
  @Roles(...PARTNER_READERS)
  @ApiOperation({ summary: 'Commissions, newest first (filter partner, status)' })
  async listCommissions(@CurrentPrincipal() p: Principal, @Query() q: PartnerCommissionQueryDto) {
    const page = await this.commissions.list(p.brandId, q);
    return { items: page.items.map(commissionView), nextCursor: page.nextCursor };
  }

  @Post('partner-commissions/approvals')
  @HttpCode(200)
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({
    summary:
      'Approve the commissions whose holding period has passed now (the worker does it every 10 minutes)',
  })
  async approveDue(@CurrentActor() actor: Actor): Promise<{ approved: number }> {
    return { approved: await this.commissions.approveDueNow(actor) };
  }

  @Post('partner-settlements')
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({ summary: 'Settle a partner for a period (default: last calendar month); audited' })
  async createSettlement(
    @CurrentActor() actor: Actor,
    @Body() dto: PartnerSettlementCreateDto,
  ): Promise<PartnerSettlementResponseDto> {
    const s = await this.settlements.create(actor, dto);
    return settlementView(s.settlement, s.lines);
  }

  @Get('partner-settlements')
  @Roles(...PARTNER_READERS)
  async listSettlements(@CurrentPrincipal() p: Principal, @Query() q: PartnerSettlementQueryDto) {
    const page = await this.settlements.list(p.brandId, q);
    return { items: page.items.map((s) => settlementView(s)), nextCursor: page.nextCursor };
  }

  @Get('partner-settlements/:id')
  @Roles(...PARTNER_READERS)
  @ApiOperation({ summary: 'The statement as JSON: every line with its order' })
  async getSettlement(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
  ): Promise<PartnerSettlementResponseDto> {
    const s = await this.settlements.get(p.brandId, id);
    return settlementView(s.settlement, s.lines);
  }

  @Get('partner-settlements/:id/statement.csv')
  @Roles(...PARTNER_READERS)
  @Header('content-type', 'text/csv; charset=utf-8')
  @ApiOperation({ summary: 'The statement as CSV' })
  async csv(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<string> {
    return this.settlements.csv(p.brandId, id);
  }

  @Post('partner-settlements/:id/confirm')
  @HttpCode(200)
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({ summary: 'draft → confirmed: immutable from now on; audited' })
  async confirm(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
  ): Promise<PartnerSettlementResponseDto> {
    const s = await this.settlements.confirm(actor, id);
    return settlementView(s.settlement, s.lines);
  }

  @Post('partner-settlements/:id/payout')
  @HttpCode(200)
  @Roles(...PARTNER_WRITERS)
  @ApiOperation({ summary: 'Record the payout: the batch and its commissions are paid; audited' })
  async payout(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: PartnerPayoutRecordDto,
  ): Promise<PartnerSettlementResponseDto> {
    const s = await this.settlements.recordPayout(actor, id, dto);
    return settlementView(s.settlement, s.lines);
  }
}
