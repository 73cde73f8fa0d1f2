import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional } from 'class-validator';
import type { SegmentRule } from '../rule/segment-rule';
import { SegmentMemberResponseDto } from './segment-member-response.dto';
import { RULE_EXAMPLE, RULE_SCHEMA_DESCRIPTION } from './segment-rule.schema';

export class SegmentPreviewDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: RULE_SCHEMA_DESCRIPTION,
    example: RULE_EXAMPLE,
  })
  @IsObject()
  rule: SegmentRule;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  includeErased?: boolean;
}

export class SegmentPreviewResponseDto {
  @ApiProperty({ description: 'Members matching the rule now' }) count: number;
  @ApiProperty({ type: [SegmentMemberResponseDto], description: 'Up to 20 of them (phones masked)' })
  sample: SegmentMemberResponseDto[];
}
