import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { normalisePhone } from '@siyu/members';
import { PageQueryDto } from '@siyu/platform';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { NoControlChars } from './minor-amount';
import {
  PARTNER_KINDS,
  PARTNER_STATUSES,
  PARTNER_TIERS,
  PartnerKind,
  PartnerStatus,
  PartnerTier,
} from '../partners.constants';

/** A phone number libphonenumber accepts (E.164, or a mainland China number), as members take them. */
function IsPartnerPhone(options?: ValidationOptions): PropertyDecorator {
  return (target, propertyName) =>
    registerDecorator({
      name: 'isPartnerPhone',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `${String(propertyName)} must be a valid phone number: +<country><number>, or a mainland China number such as 13812345678`,
        ...options,
      },
      validator: {
        validate: (v: unknown) => typeof v === 'string' && v.length <= 32 && normalisePhone(v) !== null,
      },
    });
}

/** A handle: 1–100 characters, no spaces or control characters (NUL would not fit in jsonb). */
const HANDLE = /^[^\s\p{Cc}]{1,100}$/u;

/** Handles per platform; each optional. */
export class PartnerSocialHandlesDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(HANDLE) wechat_channels?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(HANDLE) douyin?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(HANDLE) xiaohongshu?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(HANDLE) bilibili?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(HANDLE) tiktok?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(HANDLE) instagram?: string;
}

export const PAYOUT_METHODS = ['alipay', 'wechat_pay', 'bank_transfer', 'paypal'] as const;

/** Where the partner is paid: sealed at rest, only `method ••••last4` is shown back. */
export class PartnerPayoutDto {
  @ApiProperty({ enum: PAYOUT_METHODS })
  @IsIn(PAYOUT_METHODS)
  method: (typeof PAYOUT_METHODS)[number];

  @ApiProperty({ description: 'account number, Alipay id or IBAN', maxLength: 64 })
  @IsString()
  @Length(4, 64)
  @Matches(/^[\x21-\x7e ]+$/, { message: 'account must be printable ASCII' })
  account: string;

  @ApiProperty({ maxLength: 120 })
  @IsString()
  @Length(1, 120)
  @NoControlChars()
  holder: string;
}

export class PartnerCreateDto {
  @ApiProperty({ maxLength: 120 })
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
  @NoControlChars()
  name: string;

  @ApiProperty({ enum: PARTNER_KINDS })
  @IsIn(PARTNER_KINDS)
  kind: PartnerKind;

  @ApiPropertyOptional({ maxLength: 254 })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  contactEmail?: string;

  @ApiPropertyOptional({ example: '+8613812345678' })
  @IsOptional()
  @IsString()
  @IsPartnerPhone()
  contactPhone?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "the partner's own member (self-purchase checks)" })
  @IsOptional()
  @IsUUID()
  memberId?: string;

  @ApiPropertyOptional({ type: PartnerSocialHandlesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerSocialHandlesDto)
  socialHandles?: PartnerSocialHandlesDto;

  @ApiPropertyOptional({ type: PartnerPayoutDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerPayoutDto)
  payout?: PartnerPayoutDto;

  @ApiPropertyOptional({ default: false, description: 'activate at once as a Pilot partner' })
  @IsOptional()
  @IsBoolean()
  activate?: boolean;
}

export class PartnerUpdateDto {
  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'name must not be blank' })
  @NoControlChars()
  name?: string;

  @ApiPropertyOptional({ enum: PARTNER_KINDS })
  @IsOptional()
  @IsIn(PARTNER_KINDS)
  kind?: PartnerKind;

  @ApiPropertyOptional({ maxLength: 254 })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  contactEmail?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @IsPartnerPhone()
  contactPhone?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  memberId?: string;

  @ApiPropertyOptional({ type: PartnerSocialHandlesDto, description: 'replaces the handles' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerSocialHandlesDto)
  socialHandles?: PartnerSocialHandlesDto;

  @ApiPropertyOptional({ type: PartnerPayoutDto, description: 'replaces the payout details' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PartnerPayoutDto)
  payout?: PartnerPayoutDto;
}

export class PartnerStatusDto {
  @ApiProperty({
    enum: PARTNER_STATUSES.filter((s) => s !== 'applied'),
    description: 'pilot activates an applied partner; a tier promotes or demotes; suspended; banned (final)',
  })
  @IsIn(PARTNER_STATUSES.filter((s) => s !== 'applied'))
  status: Exclude<PartnerStatus, 'applied'>;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @NoControlChars()
  note?: string;
}

export class PartnerQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: PARTNER_STATUSES })
  @IsOptional()
  @IsIn(PARTNER_STATUSES)
  status?: PartnerStatus;

  @ApiPropertyOptional({ enum: PARTNER_TIERS })
  @IsOptional()
  @IsIn(PARTNER_TIERS)
  tier?: PartnerTier;
}

export class PartnerResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: PARTNER_KINDS }) kind: string;
  @ApiProperty({ enum: PARTNER_STATUSES }) status: string;
  @ApiProperty({ nullable: true, enum: PARTNER_TIERS }) tier: string | null;
  @ApiProperty({ nullable: true }) contactEmail: string | null;
  @ApiProperty({ nullable: true, description: 'masked' }) contactPhone: string | null;
  @ApiProperty({ nullable: true }) memberId: string | null;
  @ApiProperty() socialHandles: Record<string, string>;
  @ApiProperty({ nullable: true, description: 'e.g. alipay ••••1234; the details are never shown' })
  payoutHint: string | null;
  @ApiProperty({ nullable: true }) dedicatedTemplateId: string | null;
  @ApiProperty({ nullable: true }) activatedAt: string | null;
  @ApiProperty({ nullable: true }) firstSaleAt: string | null;
  @ApiProperty({ nullable: true, description: 'activation → first attributed paid order, in seconds' })
  timeToFirstSaleSeconds: number | null;
  @ApiProperty() fraudScore: number;
  @ApiProperty({ nullable: true }) tierChangedAt: string | null;
  @ApiProperty() createdAt: string;
}
