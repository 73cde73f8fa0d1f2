import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsUUID, Matches, Max, Min } from 'class-validator';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `?from=&to=`: brand-local calendar days, both included. */
export class AnalyticsRangeQueryDto {
  @ApiPropertyOptional({
    example: '2026-01-01',
    description:
      'First day (brand time zone), included. Default: the day after the same day a year before `to`.',
  })
  @IsOptional()
  @Matches(DAY, { message: 'from must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'from must be a calendar date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({
    example: '2026-06-30',
    description: 'Last day (brand time zone), included. Default: today.',
  })
  @IsOptional()
  @Matches(DAY, { message: 'to must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'to must be a calendar date YYYY-MM-DD' })
  to?: string;
}

/** A range, and optionally a saved segment whose current members the report is restricted to. */
export class AnalyticsSegmentQueryDto extends AnalyticsRangeQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the current members of this saved segment' })
  @IsOptional()
  @IsUUID('all', { message: 'segmentId must be a UUID' })
  segmentId?: string;
}

/** `?date=`: the RFM picture at the end of this brand-local day (default: now). */
export class AnalyticsRfmQueryDto {
  @ApiPropertyOptional({ example: '2026-06-30', description: 'As of the end of this day (brand time zone)' })
  @IsOptional()
  @Matches(DAY, { message: 'date must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: 'date must be a calendar date YYYY-MM-DD' })
  date?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only the current members of this saved segment' })
  @IsOptional()
  @IsUUID('all', { message: 'segmentId must be a UUID' })
  segmentId?: string;
}

/** The group-chat report: a range and how many groups (by GMV) the JSON answer lists. */
export class AnalyticsGroupQueryDto extends AnalyticsRangeQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be an integer' })
  @Min(1)
  @Max(1000)
  limit = 100;
}
