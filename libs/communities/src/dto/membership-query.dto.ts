import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { IsIn, IsOptional } from 'class-validator';
import { MEMBERSHIP_TYPES, MembershipType } from '../communities.constants';

export class MembershipQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    enum: ['active', 'all'],
    default: 'active',
    description: '`active`: in the group now; `all`: every stay, including ended ones',
  })
  @IsOptional()
  @IsIn(['active', 'all'])
  state: 'active' | 'all' = 'active';

  @ApiPropertyOptional({ enum: MEMBERSHIP_TYPES })
  @IsOptional()
  @IsIn(MEMBERSHIP_TYPES)
  type?: MembershipType;
}

export class MemberGroupsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ['active', 'all'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'all'])
  state: 'active' | 'all' = 'active';
}
