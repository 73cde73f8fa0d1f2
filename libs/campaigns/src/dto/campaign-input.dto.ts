import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CHANNEL_KINDS, ChannelKind, ChannelMessage } from '@siyu/channels';
import { IsTimeZone, PageQueryDto } from '@siyu/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  AUDIENCE_KINDS,
  AudienceKind,
  CAMPAIGN_STATUSES,
  CampaignStatus,
  DELIVERY_STATUSES,
  DeliveryStatus,
  MAX_LIST_AUDIENCE,
  MAX_VARIANTS,
} from '../campaigns.constants';

export class CampaignAudienceDto {
  @ApiProperty({
    enum: AUDIENCE_KINDS,
    description: 'segment, groups (group chats), list (member ids) or registered (a resolver)',
  })
  @IsIn(AUDIENCE_KINDS)
  kind: AudienceKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'kind=segment: the saved segment' })
  @ValidateIf((o: CampaignAudienceDto) => o.kind === 'segment')
  @IsUUID()
  segmentId?: string;

  @ApiPropertyOptional({ type: [String], description: `kind=list: up to ${MAX_LIST_AUDIENCE} member ids` })
  @ValidateIf((o: CampaignAudienceDto) => o.kind === 'list')
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LIST_AUDIENCE)
  @IsUUID('all', { each: true })
  memberIds?: string[];

  @ApiPropertyOptional({
    description: 'kind=registered: the audience resolver another lib registered (e.g. live_session)',
  })
  @ValidateIf((o: CampaignAudienceDto) => o.kind === 'registered')
  @IsString()
  @Length(1, 40)
  resolver?: string;

  @ApiPropertyOptional({ description: "kind=registered: the resolver's reference (e.g. a live session id)" })
  @ValidateIf((o: CampaignAudienceDto) => o.kind === 'registered')
  @IsString()
  @Length(1, 200)
  ref?: string;

  @ApiPropertyOptional({ type: [String], description: 'kind=groups: Siyu group ids' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST_AUDIENCE)
  @IsUUID('all', { each: true })
  groupIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'kind=groups: WeCom chat_ids' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_LIST_AUDIENCE)
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  chatIds?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: 'kind=groups: every group with one of these group tags',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  tagIds?: string[];

  @ApiPropertyOptional({ description: 'kind=groups: every active group of the brand' })
  @IsOptional()
  @IsBoolean()
  all?: boolean;
}

export class CampaignVariantDto {
  @ApiProperty({ example: 'A' })
  @IsString()
  @Length(1, 40)
  name: string;

  @ApiProperty({
    minimum: 1,
    maximum: 100,
    description: 'Share of the audience, relative to the other variants',
  })
  @IsInt()
  @Min(1)
  @Max(100)
  weight: number;

  @ApiProperty({ description: 'text + attachments (WeCom) or oa (Official Account template/subscribe)' })
  @IsObject()
  message: ChannelMessage;
}

export class CampaignCreateDto {
  @ApiProperty({ example: 'Double 11 repurchase' })
  @IsString()
  @Length(1, 120)
  name: string;

  @ApiProperty({ enum: CHANNEL_KINDS })
  @IsIn(CHANNEL_KINDS)
  channel: ChannelKind;

  @ApiProperty({ type: CampaignAudienceDto })
  @ValidateNested()
  @Type(() => CampaignAudienceDto)
  audience: CampaignAudienceDto;

  @ApiPropertyOptional({ description: 'The content (one variant); or give `variants` for an A/B test' })
  @IsOptional()
  @IsObject()
  message?: ChannelMessage;

  @ApiPropertyOptional({ type: [CampaignVariantDto], maxItems: MAX_VARIANTS })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VARIANTS)
  @ValidateNested({ each: true })
  @Type(() => CampaignVariantDto)
  variants?: CampaignVariantDto[];

  @ApiPropertyOptional({ format: 'uuid', description: 'oa: the OA app that sends' })
  @IsOptional()
  @IsUUID()
  oaAppId?: string;

  @ApiPropertyOptional({ description: 'wecom_single: only customers of this staff userid' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  sender?: string;

  @ApiPropertyOptional({ description: "Send inside the brand's quiet hours too" })
  @IsOptional()
  @IsBoolean()
  quietHoursExempt?: boolean;

  @ApiPropertyOptional({ description: "Neither counted against nor stopped by the brand's frequency cap" })
  @IsOptional()
  @IsBoolean()
  frequencyCapExempt?: boolean;
}

export class CampaignUpdateDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 120) name?: string;
  @ApiPropertyOptional({ enum: CHANNEL_KINDS }) @IsOptional() @IsIn(CHANNEL_KINDS) channel?: ChannelKind;
  @ApiPropertyOptional({ type: CampaignAudienceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CampaignAudienceDto)
  audience?: CampaignAudienceDto;
  @ApiPropertyOptional() @IsOptional() @IsObject() message?: ChannelMessage;
  @ApiPropertyOptional({ type: [CampaignVariantDto] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_VARIANTS)
  @ValidateNested({ each: true })
  @Type(() => CampaignVariantDto)
  variants?: CampaignVariantDto[];
  @ApiPropertyOptional() @IsOptional() @IsUUID() oaAppId?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) sender?: string;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() quietHoursExempt?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() frequencyCapExempt?: boolean;
}

export class CampaignScheduleDto {
  @ApiPropertyOptional({
    example: '2026-03-08T10:00',
    description: "Local date-time (YYYY-MM-DDTHH:mm) in `timeZone`, by default the brand's; absent: now",
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, {
    message: 'at must be a local date-time YYYY-MM-DDTHH:mm',
  })
  at?: string;

  @ApiPropertyOptional({ example: 'America/Los_Angeles' })
  @IsOptional()
  @IsTimeZone()
  timeZone?: string;

  @ApiPropertyOptional({
    description:
      "Send at `at` in each member's own time zone (members without one: `timeZone`, else the brand's). " +
      "1:1 and Official Account campaigns only. Quiet hours are read in each member's zone. A member whose local " +
      'time has passed by more than 15 minutes when the campaign starts is skipped (`local_time_passed`), not sent late.',
  })
  @IsOptional()
  @IsBoolean()
  memberTimeZone?: boolean;
}

export class CampaignResendDto {
  @ApiPropertyOptional({
    type: [String],
    description: 'Only failed rows with these reasons (default: every reason)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  reasons?: string[];

  @ApiPropertyOptional({
    description: 'Also rows whose outcome is unknown (a WeCom call cut off): they may get it twice',
  })
  @IsOptional()
  @IsBoolean()
  includeUnknown?: boolean;
}

export class CampaignQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CAMPAIGN_STATUSES })
  @IsOptional()
  @IsIn(CAMPAIGN_STATUSES)
  status?: CampaignStatus;
  @ApiPropertyOptional({ enum: CHANNEL_KINDS }) @IsOptional() @IsIn(CHANNEL_KINDS) channel?: ChannelKind;
}

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: DeliveryStatus;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) reason?: string;
  @ApiPropertyOptional()
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_VARIANTS)
  variant?: number;
}
