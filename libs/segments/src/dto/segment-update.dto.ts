import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { SegmentRule } from '../rule/segment-rule';
import { RULE_SCHEMA_DESCRIPTION } from './segment-rule.schema';

export class SegmentUpdateDto {
  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @Matches(/\S/, { message: 'name must not be blank' })
  name?: string;

  @ApiPropertyOptional({ maxLength: 500, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: RULE_SCHEMA_DESCRIPTION })
  @IsOptional()
  @IsObject()
  rule?: SegmentRule;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  includeErased?: boolean;
}
