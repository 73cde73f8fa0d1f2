import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsISO8601,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { CONSENT_STATUSES, ConsentStatus, SOURCE_CHANNELS, SourceChannel } from '../members.constants';
import { IsTimeZone } from '@siyu/platform';
import { APP_ID_PATTERN, ID_PATTERN, IsCalendarDate, IsPhone } from './validators';

const idMessage = (field: string) => ({
  message: `${field} must be 1–128 printable ASCII characters without spaces`,
});

/** The identities that find (or create) the member. At least one is required. */
export class MemberIdentitiesDto {
  @ApiPropertyOptional({
    description: 'WeChat unionid (same across the brand’s apps)',
    example: 'o6_bmasdasdsad6_2sgVt7hMZOPfL',
  })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, idMessage('unionid'))
  unionid?: string;

  @ApiPropertyOptional({
    description: 'WeChat openid; needs appId (an openid is per app)',
    example: 'oLVPpjqs9BhvzwPj5A-vTYAX3GLc',
  })
  @ValidateIf((o: MemberIdentitiesDto) => o.openid !== undefined || o.appId !== undefined)
  @IsString()
  @Matches(ID_PATTERN, idMessage('openid'))
  openid?: string;

  @ApiPropertyOptional({
    description: 'The WeChat app id the openid belongs to; required with openid',
    example: 'wx1234567890abcdef',
  })
  @ValidateIf((o: MemberIdentitiesDto) => o.openid !== undefined || o.appId !== undefined)
  @IsString()
  @Matches(APP_ID_PATTERN, { message: 'appId must be 1–64 printable ASCII characters without spaces' })
  appId?: string;

  @ApiPropertyOptional({ description: 'WeCom external_userid', example: 'wmqfasd1e1927831291723123109r712' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, idMessage('externalUserId'))
  externalUserId?: string;

  @ApiPropertyOptional({
    description:
      'Phone number, normalised to E.164; numbers without a country prefix are read as mainland China',
    example: '13812345678',
  })
  @IsOptional()
  @IsString()
  @IsPhone()
  phone?: string;

  @ApiPropertyOptional({ description: 'The brand store’s own customer id', example: 'C-100234' })
  @IsOptional()
  @IsString()
  @Matches(ID_PATTERN, idMessage('storeCustomerId'))
  storeCustomerId?: string;
}

export class MemberUtmDto {
  @ApiPropertyOptional({ example: 'xiaohongshu' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  source?: string;

  @ApiPropertyOptional({ example: 'kol' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  medium?: string;

  @ApiPropertyOptional({ example: 'spring-tea-2025' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  campaign?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  content?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  term?: string;
}

export class MemberConsentDto {
  @ApiProperty({ enum: CONSENT_STATUSES })
  @IsIn(CONSENT_STATUSES)
  status: ConsentStatus;

  @ApiPropertyOptional({ enum: SOURCE_CHANNELS, description: 'Where the consent was given or withdrawn' })
  @IsOptional()
  @IsIn(SOURCE_CHANNELS)
  channel?: SourceChannel;

  @ApiPropertyOptional({ format: 'date-time', description: 'When; defaults to now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'at must be an ISO 8601 date-time' })
  at?: string;
}

/**
 * Creates the member the identities point to, or updates it. Source channel, UTM and joinedAt are
 * first-touch facts: an update fills them only when they are unknown (joinedAt only moves earlier).
 */
export class MemberUpsertDto {
  @ApiProperty({ type: MemberIdentitiesDto })
  @IsObject()
  @ValidateNested()
  @Type(() => MemberIdentitiesDto)
  identities: MemberIdentitiesDto;

  @ApiPropertyOptional({ example: '小林' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  nickname?: string;

  @ApiPropertyOptional({ enum: SOURCE_CHANNELS })
  @IsOptional()
  @IsIn(SOURCE_CHANNELS)
  sourceChannel?: SourceChannel;

  @ApiPropertyOptional({ type: MemberUtmDto, description: 'First-touch UTM parameters' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MemberUtmDto)
  utm?: MemberUtmDto;

  @ApiPropertyOptional({ example: '上海' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(80)
  city?: string;

  @ApiPropertyOptional({ format: 'date', example: '1994-05-20' })
  @IsOptional()
  @IsCalendarDate()
  birthday?: string;

  @ApiPropertyOptional({
    example: 'America/Los_Angeles',
    description: "The member's IANA time zone (campaigns may send at each member's local time)",
  })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Tags to add (existing tags of the brand)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  tagIds?: string[];

  @ApiPropertyOptional({ type: MemberConsentDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MemberConsentDto)
  consent?: MemberConsentDto;

  @ApiPropertyOptional({ format: 'date-time', description: 'When the person joined; defaults to now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'joinedAt must be an ISO 8601 date-time' })
  joinedAt?: string;
}
