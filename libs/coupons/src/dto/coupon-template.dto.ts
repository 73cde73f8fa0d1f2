import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  COUPON_KINDS,
  CouponKind,
  MAX_AMOUNT_MINOR,
  MAX_CODE_LENGTH,
  MIN_CODE_LENGTH,
  STACKING_RULES,
  StackingRule,
  TEMPLATE_STATUSES,
  TemplateStatus,
} from '../coupons.constants';

const SLUG = /^[a-z0-9][a-z0-9_-]{0,39}$/;

export class CouponTemplateCreateDto {
  @ApiProperty({ maxLength: 120 })
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string;

  @ApiProperty({ enum: COUPON_KINDS })
  @IsIn(COUPON_KINDS)
  kind: CouponKind;

  @ApiPropertyOptional({ description: 'fixed_amount: money off in minor units (integer ≥ 1)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_MINOR)
  amountOffMinor?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, description: 'percentage: percent off' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  percentOff?: number;

  @ApiPropertyOptional({ description: 'percentage / free_shipping: the most one redemption gives' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_MINOR)
  maxDiscountMinor?: number;

  @ApiPropertyOptional({ default: 0, description: 'minimum cart amount in minor units' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT_MINOR)
  minSpendMinor?: number;

  @ApiPropertyOptional({ description: 'ISO 8601 instant with an offset; open when left out' })
  @IsOptional()
  @IsISO8601({ strict: true })
  validFrom?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant with an offset; after validFrom' })
  @IsOptional()
  @IsISO8601({ strict: true })
  validUntil?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, description: 'valid N days from issue' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(3650)
  validDays?: number;

  @ApiPropertyOptional({ type: [String], description: 'order sources it may be used on (empty: any)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(SLUG, { each: true, message: 'each channel must be a lower-case slug' })
  channels?: string[];

  @ApiPropertyOptional({ enum: STACKING_RULES, default: 'exclusive' })
  @IsOptional()
  @IsIn(STACKING_RULES)
  stacking?: StackingRule;

  @ApiPropertyOptional({ description: 'how many coupons may be issued in all' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000_000)
  budgetCount?: number;

  @ApiPropertyOptional({ description: 'how much money redemptions may give in all (minor units)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_AMOUNT_MINOR)
  budgetMoneyMinor?: number;

  @ApiPropertyOptional({ description: 'coupons one member may receive (and uses of a shared code)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  perMemberLimit?: number;

  @ApiPropertyOptional({ description: 'the brand prefix of generated codes: up to 8 of A–Z, 0–9' })
  @IsOptional()
  @Matches(/^[A-Z0-9]{0,8}$/, { message: 'codePrefix must be up to 8 of A–Z and 0–9' })
  codePrefix?: string;

  @ApiPropertyOptional({ minimum: MIN_CODE_LENGTH, maximum: MAX_CODE_LENGTH, default: 10 })
  @IsOptional()
  @IsInt()
  @Min(MIN_CODE_LENGTH)
  @Max(MAX_CODE_LENGTH)
  codeLength?: number;
}

export class CouponTemplateUpdateDto extends PartialType(CouponTemplateCreateDto) {}

export class CouponTemplateQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TEMPLATE_STATUSES })
  @IsOptional()
  @IsIn(TEMPLATE_STATUSES)
  status?: TemplateStatus;
}

export class CouponIssueDto {
  @ApiProperty({ format: 'uuid' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'memberId must be a UUID',
  })
  memberId: string;

  @ApiPropertyOptional({
    description: 'idempotency key: the same key for the same member answers the same coupon',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  sourceRef?: string;

  @ApiPropertyOptional({ enum: ['manual', 'partner', 'live'], default: 'manual' })
  @IsOptional()
  @IsIn(['manual', 'partner', 'live'])
  source?: 'manual' | 'partner' | 'live';
}

export class CouponCodesCreateDto {
  @ApiProperty({ minimum: 1, maximum: 5_000_000, description: 'bearer codes to generate' })
  @IsInt()
  @Min(1)
  @Max(5_000_000)
  count: number;

  @ApiPropertyOptional({ description: "a print run's or a partner's label" })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  label?: string;

  @ApiPropertyOptional({ enum: ['bulk', 'partner'], default: 'bulk' })
  @IsOptional()
  @IsIn(['bulk', 'partner'])
  source?: 'bulk' | 'partner';
}

export class CouponSharedCodeCreateDto {
  @ApiPropertyOptional({
    description: 'a code of your own (3–40 of A–Z, 0–9, -); drawn at random when left out',
  })
  @IsOptional()
  @IsString()
  @Length(3, 40)
  code?: string;

  @ApiProperty({ minimum: 1, maximum: 10_000_000 })
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  maxRedemptions: number;
}

export class CouponSegmentIssueDto {
  @ApiProperty({ format: 'uuid' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'segmentId must be a UUID',
  })
  segmentId: string;
}

export class CouponTierPerksPutDto {
  @ApiProperty({ type: [String], description: 'templates issued on reaching the tier' })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    each: true,
    message: 'each templateId must be a UUID',
  })
  templateIds: string[];
}

export class CouponRedeemCheckDto {
  @ApiProperty()
  @IsString()
  @Length(1, 64)
  code: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the member using it (required for personal codes)' })
  @IsOptional()
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'memberId must be a UUID',
  })
  memberId?: string;

  @ApiProperty({ description: 'the cart before discounts, in minor units' })
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT_MINOR)
  cartAmountMinor: number;

  @ApiPropertyOptional({ description: 'the shipping fee (what a free_shipping coupon takes off)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT_MINOR)
  shippingMinor?: number;

  @ApiPropertyOptional({ description: 'where it is used (an order source slug, e.g. store, live)' })
  @IsOptional()
  @Matches(SLUG, { message: 'channel must be a lower-case slug' })
  channel?: string;
}

/** POST /v1/coupons/validate: a code, and the other codes in the same cart (for the stacking rule). */
export class CouponValidateDto extends CouponRedeemCheckDto {
  @ApiPropertyOptional({
    type: [String],
    description:
      'the other codes in the cart: an exclusive coupon, or a stackable one beside an exclusive one, is then not_stackable',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Length(1, 64, { each: true, message: 'each of otherCodes must be 1–64 characters' })
  otherCodes?: string[];
}

export class CouponRedeemDto extends CouponRedeemCheckDto {
  @ApiProperty({ description: "the order's reference; (code, orderRef) is redeemed at most once" })
  @IsString()
  @Matches(/^[\x21-\x7e]{1,128}$/, {
    message: 'orderRef must be 1–128 printable ASCII characters without spaces',
  })
  orderRef: string;
}

export class CouponRollbackDto {
  @ApiProperty()
  @IsString()
  @Length(1, 64)
  code: string;

  @ApiProperty()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,128}$/, {
    message: 'orderRef must be 1–128 printable ASCII characters without spaces',
  })
  orderRef: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  reason?: string;
}

export class CouponQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'memberId must be a UUID',
  })
  memberId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'templateId must be a UUID',
  })
  templateId?: string;
}
