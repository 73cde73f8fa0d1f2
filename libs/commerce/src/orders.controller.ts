import { Body, Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor, CurrentPrincipal, Principal, Roles, uuidParam } from '@siyu/platform';
import type { FastifyReply } from 'fastify';
import { ORDER_READERS, ORDER_WRITERS } from './commerce.roles';
import { OrderBatchDto } from './dto/order-batch.dto';
import { OrderCreateDto } from './dto/order-create.dto';
import { OrderQueryDto, OrderSummaryQueryDto } from './dto/order-query.dto';
import { OrderRefundCreateDto } from './dto/order-refund-create.dto';
import {
  OrderBatchResponseDto,
  OrderBatchResultDto,
  OrderPageDto,
  OrderRefundResponseDto,
  OrderRefundResultDto,
  OrderResponseDto,
  OrderSummaryResponseDto,
} from './dto/order-response.dto';
import { OrdersService } from './orders.service';

@ApiTags('orders')
@ApiBearerAuth()
@Controller('v1/orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Post()
  @Roles(...ORDER_WRITERS)
  @ApiOperation({
    summary: 'Record an order (idempotent on source + externalId)',
    description:
      '201 when recorded; 200 with the recorded order when the key is known and nothing changed, or when only its status moved forward (paid → partially_refunded → refunded, paid → cancelled). 409 ORDER_CONFLICT naming the fields when other content differs.',
  })
  @ApiCreatedResponse({ type: OrderResponseDto })
  @ApiOkResponse({ type: OrderResponseDto })
  async record(
    @CurrentActor() actor: Actor,
    @Body() dto: OrderCreateDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { outcome, order } = await this.orders.record(actor, dto);
    await reply.status(outcome === 'created' ? 201 : 200).send(OrderResponseDto.from(order));
  }

  @Post('batch')
  @HttpCode(200)
  @Roles(...ORDER_WRITERS)
  @ApiOperation({
    summary: 'Record up to 1,000 orders at once (store backfills)',
    description:
      'Each order is validated and recorded as POST /v1/orders would; bad ones are reported by index with their fields (`orders[i].field`) and the good ones are kept. Same idempotency.',
  })
  @ApiOkResponse({ type: OrderBatchResponseDto })
  async batch(@CurrentActor() actor: Actor, @Body() dto: OrderBatchDto): Promise<OrderBatchResponseDto> {
    const results = await this.orders.recordBatch(actor, dto.orders);
    const count = (o: string) => results.filter((r) => r.outcome === o).length;
    return Object.assign(new OrderBatchResponseDto(), {
      received: results.length,
      created: count('created'),
      existing: count('existing'),
      updated: count('updated'),
      failed: count('failed'),
      results: results.map((r) =>
        Object.assign(
          new OrderBatchResultDto(),
          r.outcome === 'failed'
            ? {
                index: r.index,
                outcome: r.outcome,
                httpStatus: r.error.status,
                code: r.error.code,
                detail: r.error.message,
                errors: r.error.errors ?? [],
              }
            : {
                index: r.index,
                outcome: r.outcome,
                id: r.order.id,
                status: r.order.status,
                memberId: r.order.memberId,
              },
        ),
      ),
    });
  }

  @Get()
  @Roles(...ORDER_READERS)
  @ApiOperation({ summary: 'List orders, latest placed first (keyset-paginated)' })
  @ApiOkResponse({ type: OrderPageDto })
  async list(@CurrentPrincipal() p: Principal, @Query() q: OrderQueryDto): Promise<OrderPageDto> {
    const page = await this.orders.list(p.brandId, {
      memberId: q.memberId,
      source: q.source,
      status: q.status,
      matched: q.matched === undefined ? undefined : q.matched === 'true',
      placedFrom: q.placedFrom,
      placedTo: q.placedTo,
      limit: q.limit,
      cursor: q.cursor,
    });
    return { items: page.items.map((o) => OrderResponseDto.from(o)), nextCursor: page.nextCursor };
  }

  @Get('summary')
  @Roles(...ORDER_READERS)
  @ApiOperation({
    summary: 'Order count, GMV, refunds, net sales and repurchase rate over orders placed in a window',
  })
  @ApiOkResponse({ type: OrderSummaryResponseDto })
  async summary(
    @CurrentPrincipal() p: Principal,
    @Query() q: OrderSummaryQueryDto,
  ): Promise<OrderSummaryResponseDto> {
    return Object.assign(
      new OrderSummaryResponseDto(),
      await this.orders.summary(p.brandId, q.placedFrom, q.placedTo),
    );
  }

  @Get(':id')
  @Roles(...ORDER_READERS)
  @ApiOperation({ summary: 'One order with its items and refunds' })
  @ApiOkResponse({ type: OrderResponseDto })
  async get(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<OrderResponseDto> {
    return OrderResponseDto.from(await this.orders.get(p.brandId, id));
  }

  @Post(':id/refunds')
  @Roles(...ORDER_WRITERS)
  @ApiOperation({
    summary: 'Record a refund (idempotent on externalId per order)',
    description:
      '201 when recorded, 200 when this externalId was already recorded with the same amount; 422 REFUND_EXCEEDS_ORDER when the order has less left to refund; 409 REFUND_CONFLICT when the externalId was used with another amount.',
  })
  @ApiCreatedResponse({ type: OrderRefundResultDto })
  @ApiOkResponse({ type: OrderRefundResultDto })
  async refund(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: OrderRefundCreateDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { refund, order, created } = await this.orders.refund(actor, id, dto);
    const body = Object.assign(new OrderRefundResultDto(), {
      refund: OrderRefundResponseDto.from(refund),
      order: OrderResponseDto.from(order),
    });
    await reply.status(created ? 201 : 200).send(body);
  }
}
