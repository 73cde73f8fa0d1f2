import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { IsIn, IsISO8601, IsOptional } from 'class-validator';
import { PARTNER_TIERS } from '../../partners.constants';

/** The window (by the order's paid time and the click's time); either end may be left open. */
export class PartnerKpisQueryDto {
  @ApiPropertyOptional({ description: 'Inclusive start, ISO 8601 with an offset' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Exclusive end, ISO 8601 with an offset' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class PartnerKpisPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Inclusive start, ISO 8601 with an offset' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ description: 'Exclusive end, ISO 8601 with an offset' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: PARTNER_TIERS })
  @IsOptional()
  @IsIn(PARTNER_TIERS)
  tier?: string;
}
