import { ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { FRAUD_CHECKS, FRAUD_FLAG_STATUSES } from '../fraud.constants';

export class FraudFlagQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: FRAUD_FLAG_STATUSES })
  @IsOptional()
  @IsIn(FRAUD_FLAG_STATUSES)
  status?: string;

  @ApiPropertyOptional({ enum: FRAUD_CHECKS })
  @IsOptional()
  @IsIn(FRAUD_CHECKS)
  kind?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;
}
