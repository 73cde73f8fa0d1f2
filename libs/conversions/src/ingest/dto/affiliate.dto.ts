import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsObject } from 'class-validator';
import { AFFILIATE_COLUMNS } from '../affiliate/affiliate-row';

export const AFFILIATE_BATCH_MAX = 1_000;

export class AffiliateOrdersBatchDto {
  @ApiProperty({
    description: `Report rows, keys as the report's columns: ${AFFILIATE_COLUMNS.join(', ')}. Ids as strings; amounts as decimal strings ("12.34").`,
    type: 'array',
    items: { type: 'object' },
    example: [
      {
        order_id: '8123456789012345678',
        sub_order_id: '8123456789012345679',
        order_status: 'Payment Completed',
        paid_time: '2026-11-20 10:15:00',
        paid_amount: '25.60',
        commission_rate: '7%',
        estimated_commission: '1.79',
        tracking_id: 'siyu_default',
        custom_parameters: 'siyu_link=k7Qm2xPa9',
      },
    ],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(AFFILIATE_BATCH_MAX)
  @IsObject({ each: true, message: 'each of orders must be an object' })
  orders: Array<Record<string, unknown>>;
}

export class AffiliateRowResultDto {
  @ApiProperty() index: number;
  @ApiPropertyOptional({ nullable: true }) subOrderId: string | null;
  @ApiProperty({ enum: ['created', 'updated', 'unchanged', 'failed'] }) outcome: string;
  @ApiPropertyOptional({ format: 'uuid' }) orderId?: string;
  @ApiPropertyOptional({ description: 'field (the report column) and message' })
  errors?: Array<{ field: string; message: string }>;
}

export class AffiliateBatchResponseDto {
  @ApiProperty() received: number;
  @ApiProperty() created: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty() failed: number;
  @ApiProperty({ type: [AffiliateRowResultDto] }) results: AffiliateRowResultDto[];
}
