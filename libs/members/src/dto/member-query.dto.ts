import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { MemberState } from '../members.repository';
import { CONSENT_STATUSES, ConsentStatus, SOURCE_CHANNELS, SourceChannel } from '../members.constants';

export class MemberQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: SOURCE_CHANNELS })
  @IsOptional()
  @IsIn(SOURCE_CHANNELS)
  sourceChannel?: SourceChannel;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only members with this tag' })
  @IsOptional()
  @IsUUID()
  tagId?: string;

  @ApiPropertyOptional({ enum: [...CONSENT_STATUSES, 'none'], description: '`none`: no consent recorded' })
  @IsOptional()
  @IsIn([...CONSENT_STATUSES, 'none'])
  consent?: ConsentStatus | 'none';

  @ApiPropertyOptional({
    description:
      'Nickname prefix, or an exact identity: unionid, openid, external_userid, store customer id or phone',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  q?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Joined at or after' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'joinedFrom must be an ISO 8601 date-time' })
  joinedFrom?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Joined before' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'joinedTo must be an ISO 8601 date-time' })
  joinedTo?: Date;

  @ApiPropertyOptional({ enum: ['active', 'erased', 'merged', 'all'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'erased', 'merged', 'all'])
  state: MemberState = 'active';
}
