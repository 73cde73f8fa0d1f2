import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { SOURCE_CHANNELS } from '@siyu/members';
import { HHMM, PageQueryDto } from '@siyu/platform';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
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
  CHANNEL_CODE_STATUSES,
  CHANNEL_CODE_TYPES,
  ChannelCodeStatus,
  ChannelCodeType,
  MAX_CODE_STAFF,
  MAX_CODE_TAGS,
  MAX_STATE_LENGTH,
  ROUTING_RULES,
  RoutingRule,
} from '../channel-codes.constants';

export const WELCOME_ATTACHMENT_TYPES = ['link', 'coupon', 'image', 'miniprogram'] as const;
type AttachmentType = (typeof WELCOME_ATTACHMENT_TYPES)[number];
const is =
  (...types: AttachmentType[]) =>
  (o: WelcomeAttachmentDto) =>
    types.includes(o.type);

export class ChannelCodeUtmDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) source?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) medium?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) campaign?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) content?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) term?: string;
}

/** One welcome attachment (see WelcomeAttachment): fields by `type`. */
export class WelcomeAttachmentDto {
  @ApiProperty({ enum: WELCOME_ATTACHMENT_TYPES })
  @IsIn(WELCOME_ATTACHMENT_TYPES)
  type: AttachmentType;

  @ApiPropertyOptional({ description: 'link: a tracked link of the brand (each contact gets its own code)' })
  @ValidateIf(is('link'))
  @IsUUID()
  linkId?: string;

  @ApiPropertyOptional({ description: 'link: the card title (default the link name)' })
  @ValidateIf((o: WelcomeAttachmentDto) => is('link', 'miniprogram')(o) && o.title !== undefined)
  @IsString()
  @Length(1, 128)
  title?: string;

  @ApiPropertyOptional()
  @ValidateIf((o: WelcomeAttachmentDto) => is('link')(o) && o.desc !== undefined)
  @IsString()
  @Length(1, 512)
  desc?: string;

  @ApiPropertyOptional({ description: 'coupon: the template a coupon is issued from for the new member' })
  @ValidateIf(is('coupon'))
  @IsUUID()
  templateId?: string;

  @ApiPropertyOptional({ description: 'image: an uploaded media_id' })
  @ValidateIf(is('image'))
  @IsString()
  @Length(1, 256)
  mediaId?: string;

  @ApiPropertyOptional() @ValidateIf(is('miniprogram')) @IsString() @Length(1, 64) appid?: string;
  @ApiPropertyOptional() @ValidateIf(is('miniprogram')) @IsString() @Length(1, 500) page?: string;
  @ApiPropertyOptional() @ValidateIf(is('miniprogram')) @IsString() @Length(1, 256) picMediaId?: string;
}

export class WelcomeDto {
  @ApiPropertyOptional({ description: 'Text; {{coupon}} is replaced by the issued coupon code' })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  text?: string;

  @ApiPropertyOptional({ type: [WelcomeAttachmentDto], maxItems: 9 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(9)
  @ValidateNested({ each: true })
  @Type(() => WelcomeAttachmentDto)
  attachments?: WelcomeAttachmentDto[];
}

export class ScheduleWindowDto {
  @ApiProperty({ type: [Number], description: 'ISO weekdays, 1 = Monday … 7 = Sunday' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(7)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  weekdays: number[];

  @ApiProperty({ example: '09:00', description: 'Brand-local HH:mm' })
  @Matches(HHMM, { message: 'start must be HH:mm' })
  start: string;

  @ApiProperty({ example: '18:00', description: 'Brand-local HH:mm, after start' })
  @Matches(HHMM, { message: 'end must be HH:mm' })
  end: string;

  @ApiProperty({ type: [String], description: "Staff userids on duty (each one of the code's staff)" })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CODE_STAFF)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  staff: string[];
}

export class RoutingDto {
  @ApiProperty({ enum: ROUTING_RULES })
  @IsIn(ROUTING_RULES)
  rule: RoutingRule;

  @ApiPropertyOptional({ description: 'Adds per staff member per brand-local day through this code' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  dailyCap?: number;

  @ApiPropertyOptional({ type: [ScheduleWindowDto], description: 'Required for rule `schedule`' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ScheduleWindowDto)
  schedule?: ScheduleWindowDto[];
}

export class ChannelCodeCreateDto {
  @ApiProperty({ example: '门店海报' })
  @IsString()
  @Length(1, 100)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiPropertyOptional({ enum: CHANNEL_CODE_TYPES, description: 'Default: single for one staff member' })
  @IsOptional()
  @IsIn(CHANNEL_CODE_TYPES)
  type?: ChannelCodeType;

  @ApiProperty({ type: [String], description: 'Staff userids (known to the brand)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_CODE_STAFF)
  @IsString({ each: true })
  @Length(1, 64, { each: true })
  staff: string[];

  @ApiPropertyOptional({ maxLength: MAX_STATE_LENGTH, description: 'Generated when absent' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_STATE_LENGTH, { message: `state must be at most ${MAX_STATE_LENGTH} characters` })
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'state may hold letters, digits, _ and - only' })
  state?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  skipVerify?: boolean;

  @ApiPropertyOptional({ enum: SOURCE_CHANNELS })
  @IsOptional()
  @IsIn(SOURCE_CHANNELS)
  sourceChannel?: string;

  @ApiPropertyOptional({ type: ChannelCodeUtmDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ChannelCodeUtmDto)
  utm?: ChannelCodeUtmDto;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_CODE_TAGS)
  @IsUUID('all', { each: true })
  tagIds?: string[];

  @ApiPropertyOptional({ type: WelcomeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => WelcomeDto)
  welcome?: WelcomeDto;

  @ApiPropertyOptional({ type: RoutingDto, description: 'Default: round robin, no cap' })
  @IsOptional()
  @ValidateNested()
  @Type(() => RoutingDto)
  routing?: RoutingDto;
}

export class ChannelCodeUpdateDto extends PartialType(ChannelCodeCreateDto) {}

export class ChannelCodeQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CHANNEL_CODE_STATUSES })
  @IsOptional()
  @IsIn(CHANNEL_CODE_STATUSES)
  status?: ChannelCodeStatus;
}
