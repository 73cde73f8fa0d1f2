import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import type { JoinWayView } from '../join-ways.service';

const NAME = /^(?=.*\S)[^\r\n]{1,60}$/;
/** WeCom's `state`: at most 30 characters; Siyu keeps it to characters safe in URLs and logs. */
export const STATE_PATTERN = /^[A-Za-z0-9_.-]{1,30}$/;
const CHAT_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class JoinWayCreateDto {
  @ApiProperty({ example: '门店海报进群', maxLength: 60 })
  @IsString()
  @Matches(NAME, { message: 'name must be 1–60 characters, not blank, without line breaks' })
  name: string;

  @ApiProperty({
    example: 'jw_store_poster',
    maxLength: 30,
    description: 'Unique in the brand; add_member callbacks carry it',
  })
  @IsString()
  @Matches(STATE_PATTERN, { message: 'state must be 1–30 characters of A–Z, a–z, 0–9, _ . -' })
  state: string;

  @ApiProperty({
    type: [String],
    description: "An ordered pool of the brand's group chat_ids (1–20); WeCom routes to the first 5 not full",
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @Matches(CHAT_ID, { each: true, message: 'each chat id must be 1–64 characters of A–Z, a–z, 0–9, _ -' })
  chatIds: string[];

  @ApiPropertyOptional({
    description: 'When every group is full WeCom creates a new room (needs roomBaseName and roomBaseId)',
  })
  @IsOptional()
  @IsBoolean()
  autoCreateRoom?: boolean;

  @ApiPropertyOptional({ maxLength: 40 })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  roomBaseName?: string;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  roomBaseId?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 500,
    default: 500,
    description: 'A group counts as full at this many people',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  groupLimit?: number;

  @ApiPropertyOptional({ maxLength: 1000, description: 'The group welcome template (入群欢迎语)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  welcomeText?: string;
}

export class JoinWayUpdateDto {
  @ApiPropertyOptional({ maxLength: 60 })
  @IsOptional()
  @IsString()
  @Matches(NAME, { message: 'name must be 1–60 characters, not blank, without line breaks' })
  name?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ArrayUnique()
  @Matches(CHAT_ID, { each: true, message: 'each chat id must be 1–64 characters of A–Z, a–z, 0–9, _ -' })
  chatIds?: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  autoCreateRoom?: boolean;

  @ApiPropertyOptional({ maxLength: 40 })
  @IsOptional()
  @IsString()
  @Length(1, 40)
  roomBaseName?: string;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  roomBaseId?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  groupLimit?: number;

  @ApiPropertyOptional({ maxLength: 1000, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  welcomeText?: string;
}

export class JoinWayChatJoinsDto {
  @ApiProperty() chatId: string;
  @ApiProperty() joins: number;
}

export class JoinWayResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() state: string;
  @ApiProperty({ nullable: true, type: String }) configId: string | null;
  @ApiProperty({ nullable: true, type: String }) qrCode: string | null;
  @ApiProperty({ type: [String] }) chatIds: string[];
  @ApiProperty({ type: [String], description: 'What WeCom routes to now' }) activeChatIds: string[];
  @ApiProperty({ type: [String] }) fullChatIds: string[];
  @ApiProperty() autoCreateRoom: boolean;
  @ApiProperty({ nullable: true, type: String }) roomBaseName: string | null;
  @ApiProperty({ nullable: true, type: Number }) roomBaseId: number | null;
  @ApiProperty() groupLimit: number;
  @ApiProperty({ nullable: true, type: String }) welcomeText: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'group_welcome_template id at WeCom' })
  welcomeTemplateId: string | null;
  @ApiProperty({ enum: ['active', 'full', 'deleted'] }) status: string;
  @ApiProperty({ description: 'People who joined through it (JoinScene 3 with its state)' }) joins: number;
  @ApiProperty({ type: [JoinWayChatJoinsDto] }) joinsByChat: JoinWayChatJoinsDto[];
  @ApiProperty({ nullable: true, type: Date }) rolledOverAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(v: JoinWayView): JoinWayResponseDto {
    return Object.assign(new JoinWayResponseDto(), v);
  }
}

export class JoinWayPageDto {
  @ApiProperty({ type: [JoinWayResponseDto] }) items: JoinWayResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
