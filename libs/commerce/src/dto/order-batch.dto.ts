import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray } from 'class-validator';
import { ORDER_BATCH_MAX } from '../commerce.constants';
import { OrderCreateDto } from './order-create.dto';

/**
 * Up to 1,000 orders. Each is validated on its own (as POST /v1/orders would), so one bad order is
 * reported by its index and field while the good ones are recorded.
 */
export class OrderBatchDto {
  @ApiProperty({ type: [OrderCreateDto], minItems: 1, maxItems: ORDER_BATCH_MAX })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ORDER_BATCH_MAX)
  orders: unknown[];
}
