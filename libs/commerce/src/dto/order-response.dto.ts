import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { FieldError } from '@siyu/platform';
import { ORDER_STATUSES } from '../commerce.constants';
import { OrderItemView, OrderRefundView, OrderView } from '../orders.repository';

export class OrderItemResponseDto {
  @ApiProperty() sku: string;
  @ApiProperty({ nullable: true, type: String }) name: string | null;
  @ApiProperty({ nullable: true, type: String }) category: string | null;
  @ApiProperty() quantity: number;
  @ApiProperty({ description: 'Minor units, as a string', example: '12800' }) unitPriceMinor: string;

  static from(i: OrderItemView): OrderItemResponseDto {
    return Object.assign(new OrderItemResponseDto(), i);
  }
}

export class OrderRefundResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    description: 'The refund id in the source; `siyu:…` for refunds Siyu recorded from a status',
  })
  externalId: string;
  @ApiProperty({ description: 'Minor units, as a string', example: '5000' }) amountMinor: string;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty() refundedAt: Date;
  @ApiProperty() createdAt: Date;

  static from(r: OrderRefundView): OrderRefundResponseDto {
    return Object.assign(new OrderRefundResponseDto(), r);
  }
}

export class OrderResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'null while no member matches the order’s customer identities',
  })
  memberId: string | null;
  @ApiProperty({ example: 'store' }) source: string;
  @ApiProperty() externalId: string;
  @ApiProperty({ enum: ORDER_STATUSES }) status: string;
  @ApiProperty({ example: 'CNY' }) currency: string;
  @ApiProperty({ description: 'Minor units, as a string (bigint)', example: '25600' }) amountMinor: string;
  @ApiProperty({ description: 'Sum of the refunds, minor units', example: '0' }) refundedMinor: string;
  @ApiProperty({ description: 'amountMinor − refundedMinor', example: '25600' }) netMinor: string;
  @ApiProperty() placedAt: Date;
  @ApiProperty({ description: 'The member’s second or later counted order (by placedAt)' })
  isRepurchase: boolean;
  @ApiProperty({ type: [String] }) couponCodes: string[];
  @ApiProperty({ type: String, nullable: true, description: 'The tracked-link code the order carried' })
  linkCode: string | null;
  @ApiPropertyOptional({ type: [OrderItemResponseDto], description: 'On a single order' })
  items?: OrderItemResponseDto[];
  @ApiPropertyOptional({ type: [OrderRefundResponseDto], description: 'On a single order' })
  refunds?: OrderRefundResponseDto[];
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;

  static from(o: OrderView): OrderResponseDto {
    return Object.assign(new OrderResponseDto(), {
      id: o.id,
      memberId: o.memberId,
      source: o.source,
      externalId: o.externalId,
      status: o.status,
      currency: o.currency,
      amountMinor: o.amountMinor,
      refundedMinor: o.refundedMinor,
      netMinor: (BigInt(o.amountMinor) - BigInt(o.refundedMinor)).toString(),
      placedAt: o.placedAt,
      isRepurchase: o.isRepurchase,
      couponCodes: o.couponCodes,
      linkCode: o.linkCode,
      ...(o.items ? { items: o.items.map((i) => OrderItemResponseDto.from(i)) } : {}),
      ...(o.refunds ? { refunds: o.refunds.map((r) => OrderRefundResponseDto.from(r)) } : {}),
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
    });
  }
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderResponseDto] }) items: OrderResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class OrderFieldErrorDto {
  @ApiProperty({ example: 'orders[3].amountMinor' }) field: string;
  @ApiProperty() message: string;
}

export class OrderBatchResultDto {
  @ApiProperty({ description: 'Position of the order in the request' }) index: number;
  @ApiProperty({ enum: ['created', 'existing', 'updated', 'failed'] }) outcome: string;
  @ApiPropertyOptional({ format: 'uuid' }) id?: string;
  @ApiPropertyOptional({ enum: ORDER_STATUSES }) status?: string;
  @ApiPropertyOptional({ nullable: true, type: String, format: 'uuid' }) memberId?: string | null;
  @ApiPropertyOptional({ description: 'HTTP status the order alone would have had', example: 422 })
  httpStatus?: number;
  @ApiPropertyOptional({ example: 'ORDER_CURRENCY_MISMATCH' }) code?: string;
  @ApiPropertyOptional() detail?: string;
  @ApiPropertyOptional({ type: [OrderFieldErrorDto] }) errors?: FieldError[];
}

export class OrderBatchResponseDto {
  @ApiProperty() received: number;
  @ApiProperty() created: number;
  @ApiProperty({ description: 'Already recorded with the same content (or an older status)' })
  existing: number;
  @ApiProperty({ description: 'Already recorded; the status moved forward' }) updated: number;
  @ApiProperty() failed: number;
  @ApiProperty({ type: [OrderBatchResultDto], description: 'One per order, in request order' })
  results: OrderBatchResultDto[];
}

export class OrderRefundResultDto {
  @ApiProperty({ type: OrderRefundResponseDto }) refund: OrderRefundResponseDto;
  @ApiProperty({ type: OrderResponseDto }) order: OrderResponseDto;
}

export class OrderSummaryResponseDto {
  @ApiProperty({ description: 'Orders placed in the window, any status' }) orders: number;
  @ApiProperty({ description: 'Paid and partially refunded orders' }) countedOrders: number;
  @ApiProperty({ description: 'Orders no member matches yet' }) unmatchedOrders: number;
  @ApiProperty({ example: 'CNY' }) currency: string;
  @ApiProperty({ description: 'GMV: amounts of orders that were paid (not cancelled), minor units' })
  grossMinor: string;
  @ApiProperty({ description: 'Refunded, minor units' }) refundedMinor: string;
  @ApiProperty({ description: 'Paid spend net of refunds (what member aggregates add up to)' })
  netMinor: string;
  @ApiProperty({ description: 'Members with a counted order' }) buyers: number;
  @ApiProperty({ description: 'Buyers with a repurchase (their second or later counted order)' })
  repeatBuyers: number;
  @ApiProperty({ description: 'Counted orders that are repurchases' }) repurchaseOrders: number;
  @ApiProperty({ description: 'repeatBuyers / buyers', example: 0.3125 }) repurchaseRate: number;
}
