import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { IsIn, IsOptional } from 'class-validator';
import type { StaffView } from '../groups.service';

export class StaffQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Only active (or inactive) staff' })
  @IsOptional()
  @IsIn(['true', 'false'])
  active?: 'true' | 'false';
}

export class StaffResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'WeCom userid' }) userid: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ description: 'false while WeCom reports they left the company (groups pending handover)' })
  active: boolean;
  @ApiProperty({ description: 'Active groups they own' }) ownedGroups: number;
  @ApiProperty({ description: 'Customers they are WeCom contacts with now' }) activeContacts: number;
  @ApiProperty() createdAt: Date;

  static from(v: StaffView): StaffResponseDto {
    return Object.assign(new StaffResponseDto(), v);
  }
}

export class StaffPageDto {
  @ApiProperty({ type: [StaffResponseDto] }) items: StaffResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}
