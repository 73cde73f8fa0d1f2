import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { SOURCE_CHANNELS } from '@siyu/members';
import type { ReferralCampaignView } from '../referral-campaigns.service';

const NAME = /^(?=.*\S)[^\r\n]{1,80}$/;
const USERID = /^[A-Za-z0-9_.@-]{1,64}$/;
const CHAT_ID = /^[A-Za-z0-9_-]{1,64}$/;
const UTM = /^[^\r\n]{1,100}$/;

export class ReferralTierDto {
  @ApiProperty({ minimum: 1, maximum: 1000, description: 'Retained invitees needed' })
  @IsInt()
  @Min(1)
  @Max(1000)
  invites: number;

  @ApiProperty({ format: 'uuid', description: 'The coupon template issued on reaching the tier' })
  @IsUUID()
  couponTemplateId: string;
}

export class ReferralUtmDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(UTM) source?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(UTM) medium?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(UTM) campaign?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(UTM) content?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Matches(UTM) term?: string;
}

export class ReferralCampaignCreateDto {
  @ApiProperty({ example: '老带新 · 春季', maxLength: 80 })
  @IsString()
  @Matches(NAME, { message: 'name must be 1–80 characters, not blank, without line breaks' })
  name: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant; default now' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'startsAt must be an ISO 8601 instant' })
  startsAt?: string;

  @ApiPropertyOptional({ description: 'ISO 8601 instant, after startsAt' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'endsAt must be an ISO 8601 instant' })
  endsAt?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 720,
    default: 24,
    description: 'Hours an invitee must stay to count (0: at once)',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(720)
  retentionHours?: number;

  @ApiProperty({
    type: [String],
    description: "Staff userids every personal invite's contact way routes to (known staff of the brand)",
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @Matches(USERID, {
    each: true,
    message: 'each staff userid must be 1–64 characters of A–Z, a–z, 0–9, _ . @ -',
  })
  staffUserids: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'Groups a personal invite may also join (0–5): a join way per invite',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(5)
  @ArrayUnique()
  @Matches(CHAT_ID, { each: true, message: 'each chat id must be 1–64 characters of A–Z, a–z, 0–9, _ -' })
  groupChatIds?: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  skipVerify?: boolean;

  @ApiPropertyOptional({ enum: SOURCE_CHANNELS, default: 'wecom' })
  @IsOptional()
  @IsIn(SOURCE_CHANNELS)
  sourceChannel?: string;

  @ApiPropertyOptional({ type: ReferralUtmDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ReferralUtmDto)
  utm?: ReferralUtmDto;

  @ApiPropertyOptional({ type: [String], description: 'Member tag ids applied to invitees' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  tagIds?: string[];

  @ApiPropertyOptional({ maxLength: 4000, description: "The invitee's welcome message text" })
  @IsOptional()
  @IsString()
  @MaxLength(4000)
  welcomeText?: string;

  @ApiProperty({ type: [ReferralTierDto], description: '1–5 tiers, invites strictly increasing' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => ReferralTierDto)
  tiers: ReferralTierDto[];
}

export class ReferralCampaignUpdateDto {
  @ApiPropertyOptional({ maxLength: 80 })
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: 'name must be 1–80 characters, not blank, without line breaks' })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'endsAt must be an ISO 8601 instant' })
  endsAt?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 720, description: 'For invitees who come from now on' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(720)
  retentionHours?: number;

  @ApiPropertyOptional({ enum: ['ended'], description: 'End the campaign now: invites stop counting' })
  @IsOptional()
  @IsIn(['ended'])
  status?: 'ended';
}

export class ReferralCampaignResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ['active', 'ended'] }) status: string;
  @ApiProperty() startsAt: Date;
  @ApiProperty({ nullable: true, type: Date }) endsAt: Date | null;
  @ApiProperty() retentionHours: number;
  @ApiProperty({ type: [String] }) staffUserids: string[];
  @ApiProperty({ type: [String] }) groupChatIds: string[];
  @ApiProperty() skipVerify: boolean;
  @ApiProperty({ nullable: true, type: String }) sourceChannel: string | null;
  @ApiProperty({ type: Object }) utm: Record<string, string>;
  @ApiProperty({ type: [String] }) tagIds: string[];
  @ApiProperty({ nullable: true, type: String }) welcomeText: string | null;
  @ApiProperty({ type: [Object] }) tiers: Array<{ tier: number; invites: number; couponTemplateId: string }>;
  @ApiProperty() invites: number;
  @ApiProperty() invitees: number;
  @ApiProperty() retained: number;
  @ApiProperty() rewardsIssued: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(v: ReferralCampaignView): ReferralCampaignResponseDto {
    return Object.assign(new ReferralCampaignResponseDto(), v);
  }
}

export class ReferralCampaignPageDto {
  @ApiProperty({ type: [ReferralCampaignResponseDto] }) items: ReferralCampaignResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
