import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles, uuidParam, ValidationException } from '@siyu/platform';
import { PARTNER_RISK_READERS } from '../partners-risk.roles';
import { PartnerKpisPageQueryDto, PartnerKpisQueryDto } from './dto/partner-kpis-query.dto';
import {
  PartnerKpisPageResponseDto,
  PartnerKpisResponseDto,
  PartnerKpisSummaryResponseDto,
  PilotCohortResponseDto,
  PilotCohortsResponseDto,
  tierDto,
} from './dto/partner-kpis-response.dto';
import { KpiWindow, PartnerKpisService } from './kpis.service';

function windowOf(q: { from?: string; to?: string }): KpiWindow {
  const w = { from: q.from ? new Date(q.from) : null, to: q.to ? new Date(q.to) : null };
  if (w.from && w.to && !(w.from < w.to))
    throw new ValidationException([{ field: 'to', message: 'to must be after from' }]);
  return w;
}

@ApiTags('partner-kpis')
@ApiBearerAuth()
@Controller('v1/partners')
export class PartnerKpisController {
  constructor(private readonly kpis: PartnerKpisService) {}

  @Get('kpis')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOperation({
    summary: 'Programme KPIs: totals and per tier (time to first sale, clicks, orders, GMV, EPC, …)',
  })
  @ApiOkResponse({ type: PartnerKpisSummaryResponseDto })
  async summary(
    @CurrentPrincipal() p: Principal,
    @Query() q: PartnerKpisQueryDto,
  ): Promise<PartnerKpisSummaryResponseDto> {
    const w = windowOf(q);
    const { totals, tiers } = await this.kpis.summary(p.brandId, w);
    return {
      from: w.from ? w.from.toISOString() : null,
      to: w.to ? w.to.toISOString() : null,
      totals: tierDto(totals),
      tiers: tiers.map(tierDto),
    };
  }

  @Get('kpis/partners')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOperation({ summary: 'KPIs per partner, oldest partner first (keyset-paginated; filter tier)' })
  @ApiOkResponse({ type: PartnerKpisPageResponseDto })
  async perPartner(
    @CurrentPrincipal() p: Principal,
    @Query() q: PartnerKpisPageQueryDto,
  ): Promise<PartnerKpisPageResponseDto> {
    const page = await this.kpis.partners(p.brandId, windowOf(q), q);
    return { items: page.items.map((k) => PartnerKpisResponseDto.from(k)), nextCursor: page.nextCursor };
  }

  @Get('kpis/pilot-cohorts')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOperation({
    summary: 'Pilot validation: each activation-month cohort’s first 30 days and where it is now',
  })
  @ApiOkResponse({ type: PilotCohortsResponseDto })
  async cohorts(@CurrentPrincipal() p: Principal): Promise<PilotCohortsResponseDto> {
    return { cohorts: (await this.kpis.pilotCohorts(p.brandId)).map((c) => PilotCohortResponseDto.from(c)) };
  }

  @Get(':id/kpis')
  @Roles(...PARTNER_RISK_READERS)
  @ApiOkResponse({ type: PartnerKpisResponseDto })
  async one(
    @CurrentPrincipal() p: Principal,
    @Param('id', uuidParam) id: string,
    @Query() q: PartnerKpisQueryDto,
  ): Promise<PartnerKpisResponseDto> {
    return PartnerKpisResponseDto.from(await this.kpis.partner(p.brandId, id, windowOf(q)));
  }
}
