import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import type { SegmentRule } from '../rule/segment-rule';
import { RULE_EXAMPLE, RULE_SCHEMA_DESCRIPTION } from './segment-rule.schema';

export class SegmentCreateDto {
  @ApiProperty({ maxLength: 120, example: 'Repeat tea lovers on WeCom' })
  @IsString()
  @MinLength(1)
  @MaxLength(120)
  @Matches(/\S/, { message: 'name must not be blank' })
  name: string;

  @ApiPropertyOptional({ maxLength: 500, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  description?: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: RULE_SCHEMA_DESCRIPTION,
    example: RULE_EXAMPLE,
  })
  @IsObject()
  rule: SegmentRule;

  @ApiPropertyOptional({
    default: false,
    description: 'Count erased members (aggregates only) too; snapshots never include them',
  })
  @IsOptional()
  @IsBoolean()
  includeErased?: boolean;
}
