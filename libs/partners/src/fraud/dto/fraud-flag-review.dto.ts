import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { FRAUD_DECISIONS, FraudDecision } from '../fraud.constants';

export class FraudFlagReviewDto {
  @ApiProperty({
    enum: FRAUD_DECISIONS,
    description:
      'approve: not fraud (the commission goes back to pending/approved); reject: fraud (rejected)',
  })
  @IsIn(FRAUD_DECISIONS)
  decision: FraudDecision;

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}
