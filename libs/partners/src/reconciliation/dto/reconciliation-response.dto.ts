import { ApiProperty } from '@nestjs/swagger';
import { RECON_KINDS, RECON_RESOLUTIONS } from '../reconciliation.constants';
import type { ReconciliationLineView, ReconciliationView } from '../reconciliation.service';

export class ReconciliationCountsDto {
  @ApiProperty() matched: number;
  @ApiProperty() amount_mismatch: number;
  @ApiProperty() status_mismatch: number;
  @ApiProperty() missing_in_siyu: number;
  @ApiProperty() missing_in_report: number;
  @ApiProperty() invalid: number;
}

export class ReconciliationResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) sourceId: string;
  @ApiProperty() periodFrom: string;
  @ApiProperty() periodTo: string;
  @ApiProperty() filename: string;
  @ApiProperty() sha256: string;
  @ApiProperty({ description: 'bigint as a string' }) byteSize: string;
  @ApiProperty() reportRows: number;
  @ApiProperty() currency: string;
  @ApiProperty({ type: ReconciliationCountsDto }) counts: ReconciliationCountsDto;
  @ApiProperty({ description: 'minor units' }) reportCommissionMinor: string;
  @ApiProperty({ description: 'minor units' }) siyuCommissionMinor: string;
  @ApiProperty({ description: 'report − Siyu, minor units' }) differenceMinor: string;
  @ApiProperty({ description: 'differences not yet resolved' }) unresolved: number;
  @ApiProperty() createdAt: string;

  static from(v: ReconciliationView): ReconciliationResponseDto {
    return {
      ...v,
      periodFrom: v.periodFrom.toISOString(),
      periodTo: v.periodTo.toISOString(),
      createdAt: v.createdAt.toISOString(),
    };
  }
}

export class ReconciliationLineResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: RECON_KINDS }) kind: string;
  @ApiProperty({ nullable: true }) reportLine: number | null;
  @ApiProperty({ nullable: true }) subOrderId: string | null;
  @ApiProperty({ nullable: true }) parentOrderId: string | null;
  @ApiProperty({ nullable: true, format: 'uuid' }) orderId: string | null;
  @ApiProperty({ nullable: true }) reportStatus: string | null;
  @ApiProperty({ nullable: true }) reportOrderStatus: string | null;
  @ApiProperty({ nullable: true }) reportPaidMinor: string | null;
  @ApiProperty({ nullable: true }) reportCommissionMinor: string | null;
  @ApiProperty({ nullable: true }) siyuOrderStatus: string | null;
  @ApiProperty({ nullable: true }) siyuPaidMinor: string | null;
  @ApiProperty({ nullable: true }) siyuCommissionMinor: string | null;
  @ApiProperty({ nullable: true }) differenceMinor: string | null;
  @ApiProperty({ nullable: true, type: 'array', items: { type: 'object' } })
  errors: Array<{ field: string; message: string }> | null;
  @ApiProperty({ nullable: true, enum: RECON_RESOLUTIONS }) resolution: string | null;
  @ApiProperty({ nullable: true }) agreedCommissionMinor: string | null;
  @ApiProperty({ nullable: true }) resolutionNote: string | null;
  @ApiProperty({ nullable: true }) resolvedAt: string | null;
  @ApiProperty({ nullable: true }) resolvedByType: string | null;
  @ApiProperty({ nullable: true }) resolvedById: string | null;

  static from(v: ReconciliationLineView): ReconciliationLineResponseDto {
    return { ...v, resolvedAt: v.resolvedAt ? v.resolvedAt.toISOString() : null };
  }
}

export class ReconciliationPageResponseDto {
  @ApiProperty({ type: [ReconciliationResponseDto] }) items: ReconciliationResponseDto[];
  @ApiProperty({ nullable: true }) nextCursor: string | null;
}

export class ReconciliationLinePageResponseDto {
  @ApiProperty({ type: [ReconciliationLineResponseDto] }) items: ReconciliationLineResponseDto[];
  @ApiProperty({ nullable: true }) nextCursor: string | null;
}
