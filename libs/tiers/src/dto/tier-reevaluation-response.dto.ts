import { ApiProperty } from '@nestjs/swagger';
import { TierEvaluationResponseDto } from './tier-ladder-response.dto';

export class TierReevaluationResponseDto {
  @ApiProperty({ description: 'The queued run’s handle (a work item id): GET /v1/tiers/reevaluations/{id}' })
  id: string;
  @ApiProperty({ enum: ['pending', 'running', 'done', 'failed'] }) status: string;
  @ApiProperty() attempts: number;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({
    nullable: true,
    type: TierEvaluationResponseDto,
    description: 'What the run did, once done',
  })
  evaluation: TierEvaluationResponseDto | null;
}
