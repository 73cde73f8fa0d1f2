import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { WECOM_EVENT_STATUSES, WecomEventStatus } from '../entities/wecom-event.entity';

export class WecomEventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: WECOM_EVENT_STATUSES })
  @IsOptional()
  @IsIn(WECOM_EVENT_STATUSES)
  status?: WecomEventStatus;

  @ApiPropertyOptional({ example: 'change_external_chat' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z_]{1,64}$/, { message: 'event must be an event name such as change_external_chat' })
  event?: string;
}
