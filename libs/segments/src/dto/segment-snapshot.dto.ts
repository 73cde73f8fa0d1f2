import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class SegmentSnapshotCreateDto {
  @ApiPropertyOptional({ maxLength: 120, description: 'What it is for, e.g. campaign:<id>' })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  label?: string;
}

/** What `snapshot()` returns to campaigns and the API. */
export interface SnapshotResult {
  id: string;
  segmentId: string | null;
  label: string | null;
  count: number;
  createdAt: Date;
}

export class SegmentSnapshotResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) segmentId: string | null;
  @ApiProperty({ nullable: true, type: String }) label: string | null;
  @ApiProperty({ description: 'Members frozen in the snapshot' }) count: number;
  @ApiProperty() createdAt: Date;

  static from(s: SnapshotResult): SegmentSnapshotResponseDto {
    return Object.assign(new SegmentSnapshotResponseDto(), s);
  }
}
