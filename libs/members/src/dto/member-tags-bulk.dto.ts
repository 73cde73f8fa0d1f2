import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsUUID, ValidateIf } from 'class-validator';

export class MemberTagsBulkDto {
  @ApiProperty({ type: [String], format: 'uuid', minItems: 1, maxItems: 50 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  tagIds: string[];

  @ApiProperty({ enum: ['add', 'remove'] })
  @IsIn(['add', 'remove'])
  action: 'add' | 'remove';

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    maxItems: 10_000,
    description: 'The members; give this or segmentId',
  })
  @ValidateIf((o: MemberTagsBulkDto) => o.segmentId === undefined || o.memberIds !== undefined)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @IsUUID('all', { each: true })
  memberIds?: string[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A saved segment (available once the segments lib is installed)',
  })
  @ValidateIf((o: MemberTagsBulkDto) => o.memberIds === undefined || o.segmentId !== undefined)
  @IsUUID('all', { message: 'segmentId must be a UUID; give memberIds or segmentId, not both' })
  segmentId?: string;
}

export class MemberTagsBulkResponseDto {
  @ApiProperty({ enum: ['add', 'remove'] }) action: 'add' | 'remove';
  @ApiProperty({ description: 'Active members of the brand in the audience' }) members: number;
  @ApiProperty({ description: 'Member–tag pairs added or removed' }) changed: number;
}
