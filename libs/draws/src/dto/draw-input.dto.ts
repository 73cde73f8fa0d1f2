import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
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
  MaxLength,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  DRAW_STATES,
  DrawState,
  ENTRY_OUTCOMES,
  EntryOutcome,
  MAX_PRIZES,
  MAX_STOCK,
  MAX_WEIGHT,
  PRIZE_KINDS,
  PrizeKind,
} from '../draws.constants';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);
/** An instant with its offset: 2026-12-01T20:00:00+08:00 or …Z. */
const WITH_OFFSET = /(Z|[+-]\d{2}:?\d{2})$/i;

export class DrawEligibilityDto {
  @ApiPropertyOptional({ type: [String], description: "the member's current tier is one of these" })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  tierIds?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'the member matches this saved segment now' })
  @IsOptional()
  @IsUUID()
  segmentId?: string;

  @ApiPropertyOptional({ type: [String], description: 'the member is in one of these group chats now' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  groupIds?: string[];
}

export class DrawPrizeInputDto {
  @ApiProperty({ maxLength: 120, example: '50 元券' })
  @Transform(trim)
  @IsString()
  @Length(1, 120)
  name: string;

  @ApiProperty({ minimum: 1, maximum: MAX_WEIGHT, description: 'share of the table (odds = weight / total)' })
  @IsInt()
  @Min(1)
  @Max(MAX_WEIGHT)
  weight: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_STOCK,
    nullable: true,
    description: 'units; null or absent: unlimited',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_STOCK)
  stock?: number | null;

  @ApiProperty({ enum: PRIZE_KINDS })
  @IsIn(PRIZE_KINDS)
  kind: PrizeKind;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'kind=coupon: the coupon template issued to the winner',
  })
  @ValidateIf((o: DrawPrizeInputDto) => o.kind === 'coupon' || o.couponTemplateId !== undefined)
  @IsUUID()
  couponTemplateId?: string;

  @ApiPropertyOptional({ maxLength: 500, description: 'kind=physical: what it is and how it is delivered' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class DrawCreateDto {
  @ApiProperty({ maxLength: 120 })
  @Transform(trim)
  @IsString()
  @Length(1, 120)
  name: string;

  @ApiPropertyOptional({ maxLength: 4000, description: 'the rules as members read them' })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  rules?: string;

  @ApiProperty({ example: '2026-12-01T20:00:00+08:00', description: 'ISO 8601 with an offset' })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: 'startsAt must carry an offset (Z or +08:00)' })
  startsAt: string;

  @ApiProperty({ example: '2026-12-01T22:00:00+08:00', description: 'after startsAt' })
  @IsISO8601({ strict: true })
  @Matches(WITH_OFFSET, { message: 'endsAt must carry an offset (Z or +08:00)' })
  endsAt: string;

  @ApiPropertyOptional({ type: DrawEligibilityDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => DrawEligibilityDto)
  eligibility?: DrawEligibilityDto;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 10_000,
    nullable: true,
    description: 'entries per member in all',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10_000)
  limitTotal?: number | null;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1_000,
    nullable: true,
    description: "entries per member per day, in the brand's time zone",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000)
  limitPerDay?: number | null;

  @ApiPropertyOptional({ maxLength: 120, default: '谢谢参与' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @Length(1, 120)
  fallbackName?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_WEIGHT,
    default: 0,
    description: "the fallback's own weight",
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_WEIGHT)
  fallbackWeight?: number;

  @ApiProperty({ type: [DrawPrizeInputDto], minItems: 1, maxItems: MAX_PRIZES })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_PRIZES)
  @ValidateNested({ each: true })
  @Type(() => DrawPrizeInputDto)
  prizes: DrawPrizeInputDto[];
}

/** Drafts only; `prizes`, when given, replaces the whole table. */
export class DrawUpdateDto extends PartialType(DrawCreateDto) {}

export class DrawQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DRAW_STATES })
  @IsOptional()
  @IsIn(DRAW_STATES)
  state?: DrawState;
}

export class DrawEntryCreateDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'operators: the member entering; members leave it out',
  })
  @IsOptional()
  @IsUUID()
  memberId?: string;
}

export class DrawEntryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  memberId?: string;

  @ApiPropertyOptional({ enum: ENTRY_OUTCOMES })
  @IsOptional()
  @IsIn(ENTRY_OUTCOMES)
  outcome?: EntryOutcome;
}

export class DrawVerifyQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 5000, default: 1000 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit = 1000;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}
