import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import type { GroupTagView } from '../group-tags.service';

const NAME = /^(?=.*\S)[^\r\n]{1,60}$/;

export class GroupTagCreateDto {
  @ApiProperty({ example: 'VIP 群', maxLength: 60, description: 'Unique in the brand' })
  @IsString()
  @Matches(NAME, { message: 'name must be 1–60 characters, not blank, without line breaks' })
  name: string;
}

export class GroupTagUpdateDto extends GroupTagCreateDto {}

export class GroupTagResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ description: 'Active groups with the tag' }) groupCount: number;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(v: GroupTagView): GroupTagResponseDto {
    return Object.assign(new GroupTagResponseDto(), v);
  }
}

export class GroupTagPageDto {
  @ApiProperty({ type: [GroupTagResponseDto] }) items: GroupTagResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
