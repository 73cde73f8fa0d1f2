import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const REPORT_DIMENSIONS = ['code', 'source', 'staff'] as const;
export type ReportDimension = (typeof REPORT_DIMENSIONS)[number];

export class AcquisitionReportQueryDto {
  @ApiPropertyOptional({
    example: '2026-09-01',
    description: 'First day of adds (brand time zone), included. Default: 12 weeks before `to`.',
  })
  @IsOptional()
  @Matches(DAY, { message: 'from must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'from must be a calendar date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    example: '2026-11-30',
    description: 'Last day of adds (brand time zone), included. Default: today.',
  })
  @IsOptional()
  @Matches(DAY, { message: 'to must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'to must be a calendar date YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ enum: REPORT_DIMENSIONS, description: 'Only this dimension (default: all three)' })
  @IsOptional()
  @IsIn(REPORT_DIMENSIONS)
  dimension?: ReportDimension;
}
