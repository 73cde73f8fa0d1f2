import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { SYSTEM_REFUND_PREFIX } from '../commerce.constants';
import { EXTERNAL_ID_PATTERN, IsInstant, IsMinorUnits, HasNoNul } from './validators';

/** A refund of (part of) an order. Idempotent on (order, externalId). */
export class OrderRefundCreateDto {
  @ApiProperty({
    description: 'The refund id in the source; a retry with the same id is a no-op',
    example: 'RF-881',
  })
  @IsString()
  @Matches(EXTERNAL_ID_PATTERN, {
    message: 'externalId must be 1–128 printable ASCII characters without spaces',
  })
  @Matches(new RegExp(`^(?!${SYSTEM_REFUND_PREFIX})`), {
    message: `externalId must not start with "${SYSTEM_REFUND_PREFIX}" (reserved for refunds Siyu records itself)`,
  })
  externalId: string;

  @ApiProperty({
    description: 'Refunded amount in minor units (a JSON integer or a string of digits), at least 1',
    oneOf: [
      { type: 'string', pattern: '^[0-9]{1,19}$' },
      { type: 'integer', minimum: 1 },
    ],
    example: '5000',
  })
  @IsMinorUnits({ min: 1n })
  amountMinor: string | number;

  @ApiPropertyOptional({ example: 'damaged in transit' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  @HasNoNul()
  reason?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the refund happened; defaults to now' })
  @IsOptional()
  @IsInstant()
  refundedAt?: string;
}
