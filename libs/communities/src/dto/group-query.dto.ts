import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { GROUP_STATUSES, GroupStatus } from '../communities.constants';

export class GroupQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: GROUP_STATUSES })
  @IsOptional()
  @IsIn(GROUP_STATUSES)
  status?: GroupStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only groups with this group tag' })
  @IsOptional()
  @IsUUID()
  tagId?: string;

  @ApiPropertyOptional({ description: "The owner's WeCom userid" })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  owner?: string;

  @ApiPropertyOptional({ description: 'Part of the group name, or an exact chat_id' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;
}
