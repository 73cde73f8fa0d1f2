import { ApiProperty } from '@nestjs/swagger';

export interface TagRecord {
  id: string;
  name: string;
  color: string | null;
  description: string | null;
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

export class TagResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) color: string | null;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty({ description: 'Active members with this tag' }) memberCount: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(t: TagRecord): TagResponseDto {
    return Object.assign(new TagResponseDto(), t);
  }
}

export class TagPageDto {
  @ApiProperty({ type: [TagResponseDto] }) items: TagResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
