import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_DESTINATION_LENGTH } from '../destination';

/** One UTM value: plain text that needs no escaping games (no &, =, # or ?). */
const UtmValue = (example?: string) =>
  applyDecorators(
    ApiPropertyOptional({ maxLength: 100, example }),
    IsOptional(),
    IsString(),
    Length(1, 100),
    Matches(/^[^\s&=#?][^&=#?]*$/, { message: '$property must be plain text without &, =, # or ?' }),
  );

/** The UTM parameters appended to the destination (utm_source, utm_medium, …). */
export class LinkUtmDto {
  @UtmValue('wecom') source?: string;
  @UtmValue('group_broadcast') medium?: string;
  @UtmValue('double11') campaign?: string;
  @UtmValue() term?: string;
  @UtmValue() content?: string;
}

export class LinkCreateDto {
  @ApiProperty({
    maxLength: MAX_DESTINATION_LENGTH,
    description: "http(s) URL on one of the brand's allowed domains (PUT /v1/conversion-settings)",
  })
  @IsString()
  @MaxLength(MAX_DESTINATION_LENGTH)
  destination: string;

  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  name?: string;

  @ApiPropertyOptional({ type: LinkUtmDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => LinkUtmDto)
  utm?: LinkUtmDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'the campaign the link belongs to' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 25, description: "the campaign's variant (needs campaignId)" })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(25)
  campaignVariant?: number;

  @ApiPropertyOptional({ format: 'uuid', description: 'a group chat of the brand' })
  @IsOptional()
  @IsUUID()
  groupId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  liveSessionId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;
}

export class LinkQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;
}

export class LinkResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty({ description: 'the short URL to share: <LINKS_BASE_URL>/r/<code>' }) shortUrl: string;
  @ApiProperty({ nullable: true }) name: string | null;
  @ApiProperty() destination: string;
  @ApiProperty({ type: LinkUtmDto }) utm: LinkUtmDto;
  @ApiProperty({ nullable: true }) campaignId: string | null;
  @ApiProperty({ nullable: true }) campaignVariant: number | null;
  @ApiProperty({ nullable: true }) groupId: string | null;
  @ApiProperty({ nullable: true }) liveSessionId: string | null;
  @ApiProperty({ nullable: true }) partnerId: string | null;
  @ApiProperty() createdAt: string;
}

export class LinkStatsDto {
  @ApiProperty({ description: 'counted clicks (bots and same-IP repeats within an hour left out)' })
  clicks: number;

  @ApiProperty({ description: 'distinct members among the clicks (per-recipient codes)' })
  members: number;

  @ApiProperty({ description: 'distinct hashed client addresses' })
  visitors: number;
}

export class LinkDetailResponseDto extends LinkResponseDto {
  @ApiProperty({ type: LinkStatsDto }) stats: LinkStatsDto;
}

export class LinkPageDto {
  @ApiProperty({ type: [LinkResponseDto] }) items: LinkResponseDto[];
  @ApiProperty({ nullable: true }) nextCursor: string | null;
}

export class ConversionSettingsPutDto {
  @ApiProperty({
    type: [String],
    example: ['shop.example.com', 'aliexpress.com'],
    description: 'host names tracked links may lead to (each also allows its subdomains); replaces the list',
  })
  @IsString({ each: true })
  @Length(1, 253, { each: true })
  @Type(() => String)
  allowedDomains: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: 90, default: 7 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  attributionWindowDays?: number;
}

export class ConversionSettingsResponseDto {
  @ApiProperty({ type: [String] }) allowedDomains: string[];
  @ApiProperty() attributionWindowDays: number;
}

export class AttributionRecomputeDto {
  @ApiProperty({
    example: '2026-11-01',
    description:
      "start (inclusive): an ISO 8601 instant, or a date taken at midnight in the brand's time zone",
  })
  @IsString()
  @MaxLength(40)
  from: string;

  @ApiProperty({ example: '2026-11-08', description: 'end (exclusive), same forms as from' })
  @IsString()
  @MaxLength(40)
  to: string;
}

export class AttributionRecomputeResponseDto {
  @ApiProperty() orders: number;
  @ApiProperty({ description: 'orders per rule after the recompute' }) rules: Record<string, number>;
}

export class OrderAttributionResponseDto {
  @ApiProperty() orderId: string;
  @ApiProperty({ enum: ['coupon', 'link_code', 'last_click', 'none'] }) rule: string;
  @ApiProperty({ nullable: true }) campaignId: string | null;
  @ApiProperty({ nullable: true }) campaignVariant: number | null;
  @ApiProperty({ nullable: true }) linkId: string | null;
  @ApiProperty({ nullable: true }) linkCode: string | null;
  @ApiProperty({ nullable: true }) clickId: string | null;
  @ApiProperty({ nullable: true }) couponId: string | null;
  @ApiProperty({ nullable: true }) groupId: string | null;
  @ApiProperty({ nullable: true }) liveSessionId: string | null;
  @ApiProperty({ nullable: true }) partnerId: string | null;
  @ApiProperty({ nullable: true }) firstClickId: string | null;
  @ApiProperty({ nullable: true }) firstLinkId: string | null;
  @ApiProperty({ nullable: true }) firstCampaignId: string | null;
  @ApiProperty() windowDays: number;
  @ApiProperty() attributedAt: string;
}
