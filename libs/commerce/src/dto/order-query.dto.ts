import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { Type } from 'class-transformer';
import { IsDate, IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { ORDER_SOURCE_PATTERN, ORDER_STATUSES, OrderStatus } from '../commerce.constants';

export class OrderQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all', { message: 'memberId must be a UUID' })
  memberId?: string;

  @ApiPropertyOptional({ example: 'store' })
  @IsOptional()
  @IsString()
  @Matches(new RegExp(ORDER_SOURCE_PATTERN), { message: 'source must be a lower-case slug' })
  source?: string;

  @ApiPropertyOptional({ enum: ORDER_STATUSES })
  @IsOptional()
  @IsIn(ORDER_STATUSES)
  status?: OrderStatus;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'false: only orders no member matches yet' })
  @IsOptional()
  @IsIn(['true', 'false'])
  matched?: 'true' | 'false';

  @ApiPropertyOptional({ format: 'date-time', description: 'Placed at or after' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'placedFrom must be an ISO 8601 date-time' })
  placedFrom?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Placed before' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'placedTo must be an ISO 8601 date-time' })
  placedTo?: Date;
}

export class OrderSummaryQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Placed at or after' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'placedFrom must be an ISO 8601 date-time' })
  placedFrom?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Placed before' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'placedTo must be an ISO 8601 date-time' })
  placedTo?: Date;
}
