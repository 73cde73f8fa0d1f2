import { ApiProperty } from '@nestjs/swagger';
import { FRAUD_CHECKS, FRAUD_FLAG_STATUSES } from '../fraud.constants';
import type { FraudFlagView } from '../fraud-review.service';

export class FraudFlagResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) partnerId: string;
  @ApiProperty() partnerName: string;
  @ApiProperty({ format: 'uuid' }) commissionId: string;
  @ApiProperty({ format: 'uuid' }) orderId: string;
  @ApiProperty({ enum: FRAUD_CHECKS }) kind: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'What the check saw' })
  evidence: Record<string, unknown>;
  @ApiProperty({ description: 'Whether the flag put the commission on hold' }) held: boolean;
  @ApiProperty({ nullable: true, description: 'The commission status before the hold' }) heldFrom:
    string | null;
  @ApiProperty({ enum: FRAUD_FLAG_STATUSES }) status: string;
  @ApiProperty() commissionStatus: string;
  @ApiProperty({ nullable: true }) reviewedAt: string | null;
  @ApiProperty({ nullable: true }) reviewedByType: string | null;
  @ApiProperty({ nullable: true }) reviewedById: string | null;
  @ApiProperty({ nullable: true }) reviewNote: string | null;
  @ApiProperty() createdAt: string;

  static from(v: FraudFlagView): FraudFlagResponseDto {
    return {
      ...v,
      reviewedAt: v.reviewedAt ? v.reviewedAt.toISOString() : null,
      createdAt: v.createdAt.toISOString(),
    };
  }
}

export class FraudFlagPageResponseDto {
  @ApiProperty({ type: [FraudFlagResponseDto] }) items: FraudFlagResponseDto[];
  @ApiProperty({ nullable: true }) nextCursor: string | null;
}

export class FraudSweepResponseDto {
  @ApiProperty({ description: 'Flags the sweep raised' }) flagged: number;
  @ApiProperty({ type: [FraudFlagResponseDto] }) flags: FraudFlagResponseDto[];
}
