import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PageQueryDto } from '@siyu/platform';
import { RECON_KINDS, RECON_RESOLUTIONS, ReconResolution } from '../reconciliation.constants';

/** Query of the upload: which affiliate source and which paid-time period the report covers. */
export class ReconciliationCreateDto {
  @ApiProperty({ format: 'uuid', description: 'The affiliate order source the report comes from' })
  @IsUUID()
  sourceId: string;

  @ApiProperty({ description: 'Start of the period (paid time), ISO 8601 with an offset; inclusive' })
  @IsISO8601({ strict: true })
  from: string;

  @ApiProperty({ description: 'End of the period (paid time), ISO 8601 with an offset; exclusive' })
  @IsISO8601({ strict: true })
  to: string;
}

export class ReconciliationLineQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: RECON_KINDS })
  @IsOptional()
  @IsIn(RECON_KINDS)
  kind?: string;

  @ApiPropertyOptional({ description: 'Only differences not yet resolved' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unresolved?: boolean;
}

export class ReconciliationResolveDto {
  @ApiProperty({
    enum: RECON_RESOLUTIONS,
    description: "accept_report: the report's commission is agreed; accept_siyu: Siyu's; note: a note only",
  })
  @IsIn(RECON_RESOLUTIONS)
  resolution: ReconResolution;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}
