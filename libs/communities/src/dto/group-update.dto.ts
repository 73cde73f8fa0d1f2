import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsUUID } from 'class-validator';

export class GroupUpdateDto {
  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: "The group's tags (replaces them; [] removes all)",
    maxItems: 50,
  })
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'each tagIds entry must be a UUID' })
  tagIds: string[];
}
