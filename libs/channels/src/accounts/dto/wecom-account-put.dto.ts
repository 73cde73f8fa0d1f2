import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
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

export const CORP_OR_APP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * PUT /v1/channels/wecom: sets the brand's corp. The three secrets are required the first time;
 * afterwards an omitted secret keeps its stored value.
 */
export class WecomAccountPutDto {
  @ApiProperty({ example: 'ww0123456789abcdef', description: 'The CorpID' })
  @IsString()
  @Matches(CORP_OR_APP_ID, { message: 'corpId must be 1–64 letters, digits, _ or -' })
  corpId: string;

  @ApiPropertyOptional({ description: 'The customer-contact (客户联系) secret; write-only' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  contactSecret?: string;

  @ApiPropertyOptional({ description: 'The callback Token (letters and digits, ≤ 32); write-only' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,32}$/, { message: 'callbackToken must be 1–32 letters or digits' })
  callbackToken?: string;

  @ApiPropertyOptional({ description: 'The callback EncodingAESKey (43 letters and digits); write-only' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9]{43}$/, { message: 'encodingAesKey must be exactly 43 letters or digits' })
  encodingAesKey?: string;

  @ApiPropertyOptional({ nullable: true, type: String, description: "The self-built app's AgentID" })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsString()
  @Matches(/^\d{1,32}$/, { message: 'agentId must be digits' })
  agentId?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: Number,
    description: 'Calls per second for this corp (default from config)',
  })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsInt()
  @Min(1)
  @Max(100_000)
  sendsPerSecond?: number | null;
}
