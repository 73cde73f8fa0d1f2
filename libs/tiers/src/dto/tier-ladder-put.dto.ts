import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { HHMM } from '@siyu/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { TIER_BASES, TIER_REEVALUATIONS, TierBasis, TierReevaluation } from '../tiers.constants';

export const MAX_TIERS = 20;
export const MAX_WINDOW_DAYS = 3_660;
export const MAX_GRACE_DAYS = 366;
export const MAX_PERKS_BYTES = 4_096;

/** A non-negative integer that fits a bigint: a JSON number (up to 2^53) or a string of digits. */
export function IsThreshold(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isThreshold',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be a non-negative integer (minor units or an order count)`,
        ...options,
      },
      validator: {
        validate: (v: unknown) =>
          (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) ||
          (typeof v === 'string' && /^\d{1,18}$/.test(v)),
      },
    });
}

/** A JSON object of at most MAX_PERKS_BYTES once serialised. */
function IsSmallObject(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isSmallObject',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be a JSON object of at most ${MAX_PERKS_BYTES} bytes`,
        ...options,
      },
      validator: {
        validate: (v: unknown) =>
          typeof v === 'object' &&
          v !== null &&
          !Array.isArray(v) &&
          Buffer.byteLength(JSON.stringify(v)) <= MAX_PERKS_BYTES,
      },
    });
}

export class TierInputDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'An existing tier of this ladder to keep (its members and history stay with it, even if renamed). Without it a tier is matched by name (case-insensitive), else created.',
  })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty({ example: 'Gold', maxLength: 40 })
  @IsString()
  @MinLength(1)
  @MaxLength(40)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiProperty({
    oneOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^\\d{1,18}$' },
    ],
    example: 200000,
    description:
      'The qualifying value from which a member holds this tier: paid spend net of refunds in minor units of the brand currency, or an order count (per the ladder basis). The first tier must be 0; each next one higher.',
  })
  @IsThreshold()
  threshold: number | string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    example: { welcomeMessage: 'Welcome to Gold', couponTemplateId: null },
    description: 'What reaching the tier grants; read by the libs that grant perks',
  })
  @IsOptional()
  @IsSmallObject()
  perks?: Record<string, unknown>;
}

/** PUT /v1/tiers and POST /v1/tiers/preview: the whole ladder, its tiers in rank order. */
export class TierLadderPutDto {
  @ApiProperty({ enum: TIER_BASES, description: 'What thresholds measure' })
  @IsIn(TIER_BASES)
  basis: TierBasis;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    minimum: 1,
    maximum: MAX_WINDOW_DAYS,
    description:
      'null: lifetime. N: a rolling window of the last N brand-local calendar days, today included',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(MAX_WINDOW_DAYS)
  windowDays?: number | null;

  @ApiProperty({
    minimum: 0,
    maximum: MAX_GRACE_DAYS,
    description:
      'Days a member may stay below their tier before a re-evaluation downgrades them (counted in brand-local days)',
  })
  @IsInt()
  @Min(0)
  @Max(MAX_GRACE_DAYS)
  graceDays: number;

  @ApiProperty({
    enum: TIER_REEVALUATIONS,
    description: 'weekly runs on Mondays, monthly on the 1st (brand time)',
  })
  @IsIn(TIER_REEVALUATIONS)
  reevaluation: TierReevaluation;

  @ApiProperty({ example: '03:00', description: 'HH:MM in the brand time zone' })
  @IsString()
  @Matches(HHMM, { message: 'reevaluationTime must be HH:MM (00:00–23:59)' })
  reevaluationTime: string;

  @ApiProperty({ type: [TierInputDto], description: 'In rank order, lowest first; 1 to 20 tiers' })
  @IsArray()
  @ArrayMinSize(1, { message: 'tiers must hold at least one tier' })
  @ArrayMaxSize(MAX_TIERS)
  @ValidateNested({ each: true })
  @Type(() => TierInputDto)
  tiers: TierInputDto[];
}
