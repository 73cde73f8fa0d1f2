import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min, ValidateIf } from 'class-validator';
import { IsMinorAmount } from './minor-amount';

/** PUT /v1/partner-tiers/:tier: the whole setting (fields left out take the defaults). */
export class PartnerTierPutDto {
  @ApiProperty({ minimum: 0, maximum: 10000, description: 'basis points: 900 = 9 %' })
  @IsInt()
  @Min(0)
  @Max(10000)
  baseRateBp: number;

  @ApiProperty({ minimum: 0, maximum: 365 })
  @IsInt()
  @Min(0)
  @Max(365)
  holdingDays: number;

  @ApiPropertyOptional({
    nullable: true,
    description: 'most a partner earns per calendar month, minor units',
  })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsMinorAmount()
  capMinor?: string | number | null;

  @ApiProperty({ description: 'minor units; a smaller settlement is carried to the next period' })
  @IsMinorAmount()
  minPayoutMinor: string | number;

  @ApiPropertyOptional({ nullable: true, minimum: 0, maximum: 1000 })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  linkLimit?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: 0 })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  promoteMinOrders?: number | null;

  @ApiPropertyOptional({ nullable: true })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsMinorAmount()
  promoteMinGmvMinor?: string | number | null;

  @ApiPropertyOptional({ default: 30, minimum: 1, maximum: 366 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(366)
  promoteWindowDays?: number;

  @ApiPropertyOptional({
    default: 30,
    minimum: 0,
    maximum: 101,
    description: 'promote only below this fraud score',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(101)
  promoteMaxFraudScore?: number;

  @ApiPropertyOptional({ nullable: true, minimum: 0 })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  demoteMinOrders?: number | null;

  @ApiPropertyOptional({ nullable: true })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsMinorAmount()
  demoteMinGmvMinor?: string | number | null;

  @ApiPropertyOptional({ default: 30, minimum: 1, maximum: 366 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(366)
  demoteWindowDays?: number;

  @ApiPropertyOptional({
    nullable: true,
    minimum: 0,
    maximum: 100,
    description: 'demote at or above this fraud score',
  })
  @ValidateIf((_, v) => v !== null)
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  demoteFraudScore?: number | null;
}

export class PartnerTierResponseDto {
  @ApiProperty() tier: string;
  @ApiProperty() baseRateBp: number;
  @ApiProperty() holdingDays: number;
  @ApiProperty({ nullable: true }) capMinor: string | null;
  @ApiProperty() minPayoutMinor: string;
  @ApiProperty({ nullable: true }) linkLimit: number | null;
  @ApiProperty({ nullable: true }) promoteMinOrders: number | null;
  @ApiProperty({ nullable: true }) promoteMinGmvMinor: string | null;
  @ApiProperty() promoteWindowDays: number;
  @ApiProperty() promoteMaxFraudScore: number;
  @ApiProperty({ nullable: true }) demoteMinOrders: number | null;
  @ApiProperty({ nullable: true }) demoteMinGmvMinor: string | null;
  @ApiProperty() demoteWindowDays: number;
  @ApiProperty({ nullable: true }) demoteFraudScore: number | null;
  @ApiProperty({ description: 'false while the brand uses the defaults' }) configured: boolean;
}
