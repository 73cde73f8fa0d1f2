import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { MemberIdentitiesDto } from '@siyu/members';
import { IsCurrencyCode } from '@siyu/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ORDER_SOURCE_PATTERN, ORDER_STATUSES, OrderStatus } from '../commerce.constants';
import { EXTERNAL_ID_PATTERN, IsInstant, IsMinorUnits, HasNoNul } from './validators';

const minorUnits = (description: string, example: string) =>
  ApiProperty({
    description: `${description}, in minor units (a JSON integer or a string of digits; exact, never a float)`,
    oneOf: [
      { type: 'string', pattern: '^[0-9]{1,19}$' },
      { type: 'integer', minimum: 0 },
    ],
    example,
  });

export class OrderItemDto {
  @ApiProperty({ example: 'TEA-LJ-250' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  @HasNoNul()
  sku: string;

  @ApiPropertyOptional({ example: '明前龙井 250g' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @HasNoNul()
  name?: string;

  @ApiPropertyOptional({ example: 'green-tea' })
  @IsOptional()
  @IsString()
  @MaxLength(80)
  @HasNoNul()
  category?: string;

  @ApiProperty({ minimum: 1, maximum: 100000, example: 2 })
  @IsInt()
  @Min(1)
  @Max(100_000)
  quantity: number;

  @minorUnits('Price of one unit', '12800')
  @IsMinorUnits()
  unitPriceMinor: string | number;
}

/**
 * An order from a store, marketplace or affiliate report. Idempotent on (source, externalId): the
 * same key again answers the order as recorded (200), moves its status forward when that is all
 * that changed, and is a 409 naming the fields when anything else differs.
 */
export class OrderCreateDto {
  @ApiProperty({
    description: 'Where the order comes from: a lower-case slug',
    example: 'store',
    pattern: ORDER_SOURCE_PATTERN,
  })
  @IsString()
  @Matches(new RegExp(ORDER_SOURCE_PATTERN), {
    message: 'source must be a lower-case slug of 1–40 characters (a-z, 0-9, _ . -)',
  })
  source: string;

  @ApiProperty({ description: 'The order id in that source', example: 'SO-20250618-0001' })
  @IsString()
  @Matches(EXTERNAL_ID_PATTERN, {
    message: 'externalId must be 1–128 printable ASCII characters without spaces',
  })
  externalId: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The member, when the caller knows its Siyu id' })
  @IsOptional()
  @IsUUID('all', { message: 'memberId must be a UUID' })
  memberId?: string;

  @ApiPropertyOptional({
    type: MemberIdentitiesDto,
    description:
      'The customer’s identities, when memberId is not known. No member yet: the order is kept unmatched and matched when one of them appears.',
  })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MemberIdentitiesDto)
  identities?: MemberIdentitiesDto;

  @minorUnits('What the customer paid', '25600')
  @IsMinorUnits()
  amountMinor: string | number;

  @ApiProperty({ description: 'ISO 4217; must be the brand’s currency', example: 'CNY' })
  @IsCurrencyCode()
  currency: string;

  @ApiProperty({ enum: ORDER_STATUSES, description: 'Only paid and partially_refunded orders count' })
  @IsIn(ORDER_STATUSES)
  status: OrderStatus;

  @ApiPropertyOptional({
    description:
      'How much of the order was refunded before Siyu heard of it: required for partially_refunded (between 1 and amountMinor − 1), equal to amountMinor (or absent) for refunded, absent or 0 otherwise',
    oneOf: [
      { type: 'string', pattern: '^[0-9]{1,19}$' },
      { type: 'integer', minimum: 0 },
    ],
  })
  @IsOptional()
  @IsMinorUnits()
  refundedMinor?: string | number;

  @ApiProperty({ format: 'date-time', example: '2025-06-18T20:15:00+08:00' })
  @IsInstant()
  placedAt: string;

  @ApiPropertyOptional({ type: [OrderItemDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => OrderItemDto)
  items?: OrderItemDto[];

  @ApiPropertyOptional({ type: [String], example: ['SUMMER-20'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(64, { each: true })
  @HasNoNul({ each: true })
  couponCodes?: string[];

  @ApiPropertyOptional({
    description:
      'The tracked-link code the order carried (an affiliate report’s custom parameter, a store’s landing ' +
      'URL); attribution reads it. Letters, digits, `_` and `-`, up to 32',
    example: 'k7Qm2xPa9',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'linkCode must be 1–32 letters, digits, _ or -' })
  linkCode?: string;
}
