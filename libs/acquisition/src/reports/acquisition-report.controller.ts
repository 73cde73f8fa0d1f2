import { Controller, Get, Query, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@siyu/platform';
import { ACQUISITION_READERS } from '../channel-codes/channel-codes.roles';
import { AcquisitionReport, AcquisitionReportService } from './acquisition-report.service';
import { AcquisitionReportQueryDto } from './dto/acquisition-report-query.dto';

@ApiTags('acquisition')
@ApiBearerAuth()
@Controller('v1/acquisition/report')
export class AcquisitionReportController {
  constructor(private readonly reports: AcquisitionReportService) {}

  @Get()
  @Roles(...ACQUISITION_READERS)
  @ApiOperation({
    summary:
      'Adds, welcomes, deletes within 1/7 days, retained at 7/30 days, first orders and median time to them, per channel code, source channel and staff, by ISO week of the add',
  })
  report(
    @CurrentPrincipal() p: Principal,
    @Query() q: AcquisitionReportQueryDto,
  ): Promise<AcquisitionReport> {
    return this.reports.report(p.brandId, q);
  }

  @Get('export')
  @Roles(...ACQUISITION_READERS)
  @ApiOperation({ summary: 'The acquisition report as CSV (one line per row of the JSON report)' })
  @ApiProduces('text/csv')
  async export(
    @CurrentPrincipal() p: Principal,
    @Query() q: AcquisitionReportQueryDto,
  ): Promise<StreamableFile> {
    return new StreamableFile(await this.reports.csv(p.brandId, q), {
      type: 'text/csv; charset=utf-8',
      disposition: 'attachment; filename="acquisition.csv"',
    });
  }
}
