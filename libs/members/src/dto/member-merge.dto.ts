import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class MemberMergeDto {
  @ApiProperty({ format: 'uuid', description: 'The member that remains' })
  @IsUUID()
  survivorId: string;

  @ApiProperty({ format: 'uuid', description: 'The member folded into the survivor; it becomes a tombstone' })
  @IsUUID()
  mergedId: string;
}
