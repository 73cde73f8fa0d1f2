import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';

/** The whole set of thresholds (PUT replaces it). */
export class FraudSettingsUpdateDto {
  @ApiProperty({
    minimum: 2,
    maximum: 100000,
    description: 'Clicks from one IP hash or member that make a flood',
  })
  @IsInt()
  @Min(2)
  @Max(100_000)
  clickFloodMaxClicks: number;

  @ApiProperty({
    minimum: 1,
    maximum: 10080,
    description: 'Minutes before the order the flood is counted over',
  })
  @IsInt()
  @Min(1)
  @Max(10_080)
  clickFloodWindowMinutes: number;

  @ApiProperty({
    minimum: 1,
    maximum: 10080,
    description: 'Same buyer, amount and items within these minutes',
  })
  @IsInt()
  @Min(1)
  @Max(10_080)
  duplicateWindowMinutes: number;

  @ApiProperty({ minimum: 1, maximum: 365 })
  @IsInt()
  @Min(1)
  @Max(365)
  conversionWindowDays: number;

  @ApiProperty({
    minimum: 1,
    maximum: 1000000,
    description: 'Clicks a partner needs before the rate is judged',
  })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  conversionMinClicks: number;

  @ApiProperty({ minimum: 100, maximum: 10000, description: '300: flagged above three times the tier norm' })
  @IsInt()
  @Min(100)
  @Max(10_000)
  conversionMultiplierPct: number;

  @ApiProperty({
    minimum: 1,
    maximum: 10000,
    description: 'Norm (basis points) when the tier has too few clicks',
  })
  @IsInt()
  @Min(1)
  @Max(10_000)
  conversionDefaultNormBp: number;

  @ApiProperty({ minimum: 1, maximum: 720 })
  @IsInt()
  @Min(1)
  @Max(720)
  quickRefundHours: number;
}

export class FraudSettingsResponseDto extends FraudSettingsUpdateDto {}
