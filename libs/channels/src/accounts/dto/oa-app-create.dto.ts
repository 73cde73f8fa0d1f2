import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { CORP_OR_APP_ID } from './wecom-account-put.dto';

export class OaAppCreateDto {
  @ApiProperty({ example: '品牌服务号', maxLength: 60 })
  @IsString()
  @Matches(/^(?=.*\S).{1,60}$/, { message: 'name must be 1–60 characters and not blank' })
  name: string;

  @ApiProperty({ example: 'wx0123456789abcdef', description: 'The AppID' })
  @IsString()
  @Matches(CORP_OR_APP_ID, { message: 'appId must be 1–64 letters, digits, _ or -' })
  appId: string;

  @ApiProperty({ description: 'The AppSecret; write-only' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  secret: string;

  @ApiPropertyOptional({ type: [String], description: 'Template ids campaigns may use (≤ 50)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9_-]{1,128}$/, {
    each: true,
    message: 'each template id must be 1–128 letters, digits, _ or -',
  })
  templateIds?: string[];

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Messages per second (default from config)',
  })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(1)
  @Max(100_000)
  sendsPerSecond?: number | null;
}
