import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { PARTNER_TIERS, PartnerTier } from '../partners.constants';
import { IsMinorAmount, NoControlChars } from './minor-amount';

/** An incentive uplift for one partner (partnerId) or every partner of a tier (tier). */
export class PartnerUpliftCreateDto {
  @ApiProperty({ maxLength: 120 })
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
  @NoControlChars()
  name: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;

  @ApiPropertyOptional({ enum: PARTNER_TIERS })
  @IsOptional()
  @IsIn(PARTNER_TIERS)
  tier?: PartnerTier;

  @ApiProperty({ minimum: 1, maximum: 10000, description: 'on top of the base rate: 1600 lifts 9 % to 25 %' })
  @IsInt()
  @Min(1)
  @Max(10000)
  rateBp: number;

  @ApiProperty({ format: 'date-time' })
  @IsISO8601({ strict: true })
  startsAt: string;

  @ApiProperty({ format: 'date-time', description: 'exclusive; the gates are judged once it passes' })
  @IsISO8601({ strict: true })
  endsAt: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  @NoControlChars(true)
  skus?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Length(1, 80, { each: true })
  @NoControlChars(true)
  categories?: string[];

  @ApiPropertyOptional({ minimum: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  minOrders?: number;

  @ApiPropertyOptional({ description: 'GMV (net of refunds) in the window, minor units' })
  @IsOptional()
  @IsMinorAmount()
  minGmvMinor?: string | number;

  @ApiPropertyOptional({ minimum: 0, maximum: 10000, description: "first orders' share, basis points" })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  minNewBuyerShareBp?: number;
}

export class PartnerUpliftQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;
}

export class PartnerUpliftResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true }) partnerId: string | null;
  @ApiProperty({ nullable: true }) tier: string | null;
  @ApiProperty() rateBp: number;
  @ApiProperty() startsAt: string;
  @ApiProperty() endsAt: string;
  @ApiProperty({ type: [String] }) skus: string[];
  @ApiProperty({ type: [String] }) categories: string[];
  @ApiProperty({ nullable: true }) minOrders: number | null;
  @ApiProperty({ nullable: true }) minGmvMinor: string | null;
  @ApiProperty({ nullable: true }) minNewBuyerShareBp: number | null;
  @ApiProperty({ nullable: true }) closedAt: string | null;
  @ApiProperty() createdAt: string;
}
