import { ApiProperty } from '@nestjs/swagger';
import type { SegmentRule } from '../rule/segment-rule';
import { Segment } from '../entities/segment.entity';

export class SegmentResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true }) rule: SegmentRule;
  @ApiProperty() includeErased: boolean;
  @ApiProperty({ nullable: true, type: Number, description: 'Cached count, as of countedAt' })
  memberCount: number | null;
  @ApiProperty({ nullable: true, type: Date }) countedAt: Date | null;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(s: Segment): SegmentResponseDto {
    return Object.assign(new SegmentResponseDto(), {
      id: s.id,
      name: s.name,
      description: s.description,
      rule: s.rule,
      includeErased: s.includeErased,
      memberCount: s.memberCount,
      countedAt: s.countedAt,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    });
  }
}

export class SegmentPageDto {
  @ApiProperty({ type: [SegmentResponseDto] }) items: SegmentResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class SegmentRefreshResponseDto {
  @ApiProperty({ description: 'The durable work item that recounts it' }) workItemId: string;
  @ApiProperty({ enum: ['pending', 'running', 'done', 'failed'] }) status: string;
}
