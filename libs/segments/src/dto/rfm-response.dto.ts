import { ApiProperty } from '@nestjs/swagger';

export class RfmGroupCountDto {
  @ApiProperty() group: string;
  @ApiProperty() label: string;
  @ApiProperty() members: number;
}

export class RfmSummaryResponseDto {
  @ApiProperty({ nullable: true, type: Date, description: 'When RFM was last computed' })
  computedAt: Date | null;
  @ApiProperty({ description: 'Members with scores (those with a paid order)' }) scoredMembers: number;
  @ApiProperty({ description: 'A recompute is queued or running' }) pending: boolean;
  @ApiProperty({ type: [RfmGroupCountDto] }) groups: RfmGroupCountDto[];
}

export class RfmRecomputeResponseDto {
  @ApiProperty({ description: 'The durable work item that recomputes it' }) workItemId: string;
  @ApiProperty({ enum: ['pending', 'running', 'done', 'failed'] }) status: string;
}
