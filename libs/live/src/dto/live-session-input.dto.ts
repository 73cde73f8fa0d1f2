import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import {
  LIVE_PLATFORMS,
  LIVE_STATUSES,
  LivePlatform,
  LiveStatus,
  MAX_AUDIENCE_IDS,
  MAX_REMINDERS,
  PLANNABLE_KINDS,
  PlannableKind,
} from '../live.constants';

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const URL_OPTS = { protocols: ['http', 'https'], require_protocol: true };

export class LiveAudienceDto {
  @ApiPropertyOptional({ type: [String], description: 'Group chats (Siyu group ids) of the brand' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_AUDIENCE_IDS)
  @IsUUID('all', { each: true })
  groupIds?: string[];

  @ApiPropertyOptional({ type: [String], description: 'Segments of the brand' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_AUDIENCE_IDS)
  @IsUUID('all', { each: true })
  segmentIds?: string[];
}

export class LiveReminderPlanItemDto {
  @ApiProperty({ enum: PLANNABLE_KINDS })
  @IsIn(PLANNABLE_KINDS)
  kind: PlannableKind;

  @ApiPropertyOptional({
    description: 'before_start: minutes before the start; after_end: minutes after the end',
  })
  @ValidateIf((o: LiveReminderPlanItemDto) => o.kind === 'before_start' || o.kind === 'after_end')
  @IsInt()
  @Min(1)
  @Max(7 * 24 * 60)
  minutes?: number;

  @ApiPropertyOptional({ description: 'The message; {title}, {start} and {room} are filled in' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  text?: string;
}

export class LiveReminderPlanDto {
  @ApiProperty({ type: [LiveReminderPlanItemDto], maxItems: MAX_REMINDERS })
  @IsArray()
  @ArrayMaxSize(MAX_REMINDERS)
  @ValidateNested({ each: true })
  @Type(() => LiveReminderPlanItemDto)
  reminders: LiveReminderPlanItemDto[];
}

export class LiveProductDto {
  @ApiProperty() @IsString() @Length(1, 200) name: string;

  @ApiProperty({ description: 'Price in minor units (string or integer)', example: '9900' })
  @Matches(/^\d{1,15}$/, { message: 'priceMinor must be a non-negative integer of minor units' })
  priceMinor: string;

  @ApiPropertyOptional() @IsOptional() @IsUrl(URL_OPTS) @Length(1, 2000) imageUrl?: string;
  @ApiProperty() @IsUrl(URL_OPTS) @Length(1, 2000) destinationUrl: string;
}

export class LiveSessionCreateDto {
  @ApiProperty({ example: '双 11 预热直播' })
  @IsString()
  @Length(1, 200)
  @Matches(/\S/, { message: 'title must not be blank' })
  title: string;

  @ApiProperty({ enum: LIVE_PLATFORMS })
  @IsIn(LIVE_PLATFORMS)
  platform: LivePlatform;

  @ApiPropertyOptional({ description: 'The live room URL' })
  @IsOptional()
  @IsUrl(URL_OPTS)
  @Length(1, 2000)
  roomUrl?: string;

  @ApiPropertyOptional({ description: 'WeChat Channels finder user name (视频号 id)' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  finderId?: string;

  @ApiPropertyOptional() @IsOptional() @IsUrl(URL_OPTS) @Length(1, 2000) coverImageUrl?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 120) host?: string;

  @ApiProperty({ example: '2027-03-14T20:00', description: "Local date-time in the brand's time zone" })
  @Matches(LOCAL, { message: 'plannedStart must be a local date-time YYYY-MM-DDTHH:mm' })
  plannedStart: string;

  @ApiProperty({ example: '2027-03-14T22:00', description: "Local date-time in the brand's time zone" })
  @Matches(LOCAL, { message: 'plannedEnd must be a local date-time YYYY-MM-DDTHH:mm' })
  plannedEnd: string;

  @ApiPropertyOptional({ type: LiveAudienceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => LiveAudienceDto)
  audience?: LiveAudienceDto;

  @ApiPropertyOptional({ format: 'uuid', description: 'The live-only coupon template' })
  @IsOptional()
  @IsUUID()
  couponTemplateId?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 1440, default: 30 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1440)
  couponGraceMinutes?: number;

  @ApiPropertyOptional({
    type: [LiveReminderPlanItemDto],
    description: 'Default: day before, 1 h, now live, replay',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_REMINDERS)
  @ValidateNested({ each: true })
  @Type(() => LiveReminderPlanItemDto)
  reminders?: LiveReminderPlanItemDto[];

  @ApiPropertyOptional({ type: [LiveProductDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => LiveProductDto)
  products?: LiveProductDto[];
}

export class LiveSessionUpdateDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) @Matches(/\S/) title?: string;
  @ApiPropertyOptional({ enum: LIVE_PLATFORMS }) @IsOptional() @IsIn(LIVE_PLATFORMS) platform?: LivePlatform;
  @ApiPropertyOptional() @IsOptional() @IsUrl(URL_OPTS) @Length(1, 2000) roomUrl?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) finderId?: string;
  @ApiPropertyOptional() @IsOptional() @IsUrl(URL_OPTS) @Length(1, 2000) coverImageUrl?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 120) host?: string;

  @ApiPropertyOptional({ description: "Local date-time in the brand's time zone; moves unsent reminders" })
  @IsOptional()
  @Matches(LOCAL, { message: 'plannedStart must be a local date-time YYYY-MM-DDTHH:mm' })
  plannedStart?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(LOCAL, { message: 'plannedEnd must be a local date-time YYYY-MM-DDTHH:mm' })
  plannedEnd?: string;

  @ApiPropertyOptional({ type: LiveAudienceDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => LiveAudienceDto)
  audience?: LiveAudienceDto;

  @ApiPropertyOptional() @IsOptional() @IsUUID() couponTemplateId?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(1440) couponGraceMinutes?: number;
}

export class LiveCancelDto {
  @ApiPropertyOptional({ description: 'Send a cancellation notice now to the audience and RSVPs' })
  @IsOptional()
  @IsBoolean()
  notify?: boolean;

  @ApiPropertyOptional({ description: 'The notice; {title} and {start} are filled in' })
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  text?: string;
}

export class LiveRsvpDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Operators: the member (members leave it out)' })
  @IsOptional()
  @IsUUID()
  memberId?: string;
}

export class LiveSettingsDto {
  @ApiProperty({ description: '"Now live" is sent inside quiet hours too' })
  @IsBoolean()
  nowLiveQuietHoursExempt: boolean;
}

export class LiveSessionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LIVE_STATUSES })
  @IsOptional()
  @IsIn(LIVE_STATUSES)
  status?: LiveStatus;
}
