import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { NoControlChars } from './minor-amount';

export class PartnerLinkCreateDto {
  @ApiProperty({ description: "http(s) URL on one of the brand's allowed domains", maxLength: 2048 })
  @IsString()
  @MaxLength(2048)
  destination: string;

  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  @NoControlChars()
  name?: string;
}

export class PartnerCodeCreateDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "the coupon template (default: the partner's dedicated template)",
  })
  @IsOptional()
  @IsUUID()
  templateId?: string;

  @ApiPropertyOptional({ example: 'ANNA10', description: 'the code (random when left out)' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9-]{3,40}$/, { message: 'code must be 3–40 of A–Z, 0–9 and -' })
  code?: string;

  @ApiProperty({ minimum: 1, maximum: 1_000_000 })
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  maxRedemptions: number;
}

/** A Preferred partner's dedicated coupon template, with its own budget. */
export class PartnerDedicatedTemplateDto {
  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  @NoControlChars()
  name?: string;

  @ApiProperty({ enum: ['fixed_amount', 'percentage'] })
  @IsIn(['fixed_amount', 'percentage'])
  kind: 'fixed_amount' | 'percentage';

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(999_999_999_999_999)
  amountOffMinor?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  percentOff?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(999_999_999_999_999)
  minSpendMinor?: number;

  @ApiProperty({ minimum: 1, description: 'how many redemptions the budget allows' })
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  budgetCount: number;

  @ApiPropertyOptional({ description: 'the most the discounts may cost, minor units' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(999_999_999_999_999)
  budgetMoneyMinor?: number;
}

export class PartnerLinkResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() shortUrl: string;
  @ApiProperty({ nullable: true }) name: string | null;
  @ApiProperty() destination: string;
  @ApiProperty() createdAt: string;
}

export class PartnerCodeResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() couponId: string;
  @ApiProperty() templateId: string;
  @ApiProperty() code: string;
  @ApiProperty() maxRedemptions: number;
  @ApiProperty() createdAt: string;
}
