import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PageQueryDto } from '@siyu/platform';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { NoControlChars } from './minor-amount';
import { COMMISSION_STATUSES, CommissionStatus } from '../partners.constants';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export class PartnerSettlementCreateDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  partnerId: string;

  @ApiPropertyOptional({
    example: '2026-10-01',
    description: 'start date (brand time zone); with `to` left out too: last calendar month',
  })
  @IsOptional()
  @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-01', description: 'end date, exclusive (brand time zone)' })
  @IsOptional()
  @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' })
  to?: string;
}

export class PartnerPayoutRecordDto {
  @ApiProperty({ maxLength: 120, description: "the payment's reference (bank or wallet transfer id)" })
  @IsString()
  @Length(1, 120)
  @Matches(/\S/, { message: 'reference must not be blank' })
  @NoControlChars()
  reference: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'when it was paid (default now)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  paidAt?: string;
}

export class PartnerSettlementQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;
}

export class PartnerCommissionQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  partnerId?: string;

  @ApiPropertyOptional({ enum: COMMISSION_STATUSES })
  @IsOptional()
  @IsIn(COMMISSION_STATUSES)
  status?: CommissionStatus;
}

export class PartnerSettlementLineDto {
  @ApiProperty({ enum: ['commission', 'adjustment'] }) kind: string;
  @ApiProperty() commissionId: string;
  @ApiProperty({ nullable: true }) adjustmentId: string | null;
  @ApiProperty() orderId: string;
  @ApiProperty() orderSource: string;
  @ApiProperty() orderExternalId: string;
  @ApiProperty() orderPaidAt: string;
  @ApiProperty() commissionableMinor: string;
  @ApiProperty() baseRateBp: number;
  @ApiProperty() baseMinor: string;
  @ApiProperty() upliftRateBp: number;
  @ApiProperty() upliftMinor: string;
  @ApiProperty() upliftState: string;
  @ApiProperty() cappedMinor: string;
  @ApiProperty() amountMinor: string;
  @ApiProperty({ nullable: true }) reason: string | null;
}

export class PartnerSettlementResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() partnerId: string;
  @ApiProperty() periodFrom: string;
  @ApiProperty() periodTo: string;
  @ApiProperty() currency: string;
  @ApiProperty({ enum: ['draft', 'confirmed', 'paid', 'carried'] }) status: string;
  @ApiProperty() commissionsMinor: string;
  @ApiProperty() adjustmentsMinor: string;
  @ApiProperty() totalMinor: string;
  @ApiProperty() minPayoutMinor: string;
  @ApiProperty() lineCount: number;
  @ApiProperty({ nullable: true }) confirmedAt: string | null;
  @ApiProperty({ nullable: true }) paidAt: string | null;
  @ApiProperty({ nullable: true }) payoutReference: string | null;
  @ApiProperty() createdAt: string;
  @ApiPropertyOptional({ type: [PartnerSettlementLineDto], description: 'the statement (GET one)' })
  lines?: PartnerSettlementLineDto[];
}
