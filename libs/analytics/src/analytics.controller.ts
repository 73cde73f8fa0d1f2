import { Readable } from 'node:stream';
import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@siyu/platform';
import { ANALYTICS_READERS, GROUP_REPORT_READERS } from './analytics.roles';
import { AnalyticsService } from './analytics.service';
import {
  AnalyticsGroupQueryDto,
  AnalyticsRangeQueryDto,
  AnalyticsRfmQueryDto,
  AnalyticsSegmentQueryDto,
} from './dto/analytics-query.dto';

const csvFile = (stream: Readable, name: string) =>
  new StreamableFile(stream, {
    type: 'text/csv; charset=utf-8',
    disposition: `attachment; filename="${name}.csv"`,
  });

const RANGE = 'from/to are brand-local days (both included); default the last twelve months.';

@ApiTags('analytics')
@ApiBearerAuth()
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(private readonly analytics: AnalyticsService) {}

  @Get('repurchase')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({
    summary:
      'Repurchase rate (overall, by tier, by source channel), first-to-second-order days, days since last order',
    description: `${RANGE} segmentId restricts every figure to the segment's current members. Definitions: README "Analytics".`,
  })
  @ApiOkResponse({ description: 'The report' })
  repurchase(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsSegmentQueryDto) {
    return this.analytics.repurchase(p.brandId, q);
  }

  @Get('repurchase/export')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({ summary: 'The repurchase report as CSV: section, dimension, key, label, metric, value' })
  @ApiProduces('text/csv')
  async repurchaseExport(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsSegmentQueryDto) {
    return csvFile(await this.analytics.repurchaseCsv(p.brandId, q), 'repurchase');
  }

  @Get('cohorts')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({
    summary: 'Cohorts by first-order month (brand time): size and the share ordering in month +1, +2, …',
    description: `${RANGE} The range chooses the cohorts (first orders in it); cells run to the current month.`,
  })
  @ApiOkResponse({ description: 'The retention triangle' })
  cohorts(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsSegmentQueryDto) {
    return this.analytics.cohorts(p.brandId, q);
  }

  @Get('cohorts/export')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({
    summary: 'The cohort triangle as CSV: cohort_month, cohort_size, month_offset, members, share',
  })
  @ApiProduces('text/csv')
  async cohortsExport(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsSegmentQueryDto) {
    return csvFile(await this.analytics.cohortsCsv(p.brandId, q), 'cohorts');
  }

  @Get('rfm')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({
    summary: 'RFM distribution (quintile scores and groups) computed from orders as of a day’s end',
  })
  @ApiOkResponse({ description: 'One snapshot' })
  rfm(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsRfmQueryDto) {
    return this.analytics.rfmAt(p.brandId, q);
  }

  @Get('rfm/export')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({
    summary: 'The RFM snapshot as CSV: snapshot, as_of, dimension, key, members, min_value, max_value',
  })
  @ApiProduces('text/csv')
  async rfmExport(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsRfmQueryDto) {
    return csvFile(await this.analytics.rfmAtCsv(p.brandId, q), 'rfm');
  }

  @Get('rfm/monthly')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({
    summary: 'RFM distribution over time: one snapshot per brand-local month, as of its end',
    description: `${RANGE} At most 36 months.`,
  })
  @ApiOkResponse({ description: 'Monthly snapshots' })
  rfmMonthly(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsSegmentQueryDto) {
    return this.analytics.rfmMonthly(p.brandId, q);
  }

  @Get('rfm/monthly/export')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({ summary: 'The monthly RFM snapshots as CSV (same columns as rfm/export)' })
  @ApiProduces('text/csv')
  async rfmMonthlyExport(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsSegmentQueryDto) {
    return csvFile(await this.analytics.rfmMonthlyCsv(p.brandId, q), 'rfm-monthly');
  }

  @Get('tier-movement')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({
    summary: 'Tier upgrades, downgrades and entries per brand-local month (from tier history)',
  })
  @ApiOkResponse({ description: 'Per month, with each from → to transition' })
  tierMovement(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsRangeQueryDto) {
    return this.analytics.tierMovement(p.brandId, q);
  }

  @Get('tier-movement/export')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({
    summary: 'Tier movement as CSV: month, direction, from_tier_id, from_tier, to_tier_id, to_tier, changes',
  })
  @ApiProduces('text/csv')
  async tierMovementExport(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsRangeQueryDto) {
    return csvFile(await this.analytics.tierMovementCsv(p.brandId, q), 'tier-movement');
  }

  @Get('group-chats')
  @Roles(...GROUP_REPORT_READERS)
  @ApiOperation({
    summary: 'Per group chat: members, joins, active buyers, orders, GMV and net sales in the range',
    description: `${RANGE} Groups by GMV, the first \`limit\` (the export has all).`,
  })
  @ApiOkResponse({ description: 'Groups by GMV' })
  groupChats(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsGroupQueryDto) {
    return this.analytics.groupChats(p.brandId, q);
  }

  @Get('group-chats/export')
  @Roles(...GROUP_REPORT_READERS)
  @ApiOperation({ summary: 'Every group chat as CSV (columns as the JSON figures, snake_case)' })
  @ApiProduces('text/csv')
  async groupChatsExport(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsRangeQueryDto) {
    return csvFile(await this.analytics.groupChatsCsv(p.brandId, q), 'group-chats');
  }

  @Get('campaigns')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({
    summary:
      'Campaign funnel per campaign and variant: audience, delivered, clicks, orders, revenue, coupon cost, ROI',
    description: `${RANGE} The range chooses campaigns by when they started sending; figures cover each campaign's life.`,
  })
  @ApiOkResponse({ description: 'One row per campaign and variant' })
  funnel(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsRangeQueryDto) {
    return this.analytics.funnel(p.brandId, q);
  }

  @Get('campaigns/export')
  @Roles(...ANALYTICS_READERS)
  @ApiOperation({ summary: 'The campaign funnel as CSV (columns as the JSON figures, snake_case)' })
  @ApiProduces('text/csv')
  async funnelExport(@CurrentPrincipal() p: Principal, @Query() q: AnalyticsRangeQueryDto) {
    return csvFile(await this.analytics.funnelCsv(p.brandId, q), 'campaign-funnel');
  }
}
