import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ORDER_READERS, ORDER_WRITERS } from '@siyu/commerce';
import {
  Actor,
  CurrentActor,
  CurrentPrincipal,
  PageQueryDto,
  Principal,
  Roles,
  uuidParam,
} from '@siyu/platform';
import {
  OrderSourceCreateDto,
  OrderSourcePageDto,
  OrderSourceResponseDto,
  OrderSourceRotateDto,
} from '../dto/order-source.dto';
import { OrderSourcesService } from './order-sources.service';

@ApiTags('order-sources')
@ApiBearerAuth()
@Controller('v1/order-sources')
export class OrderSourcesController {
  constructor(private readonly sources: OrderSourcesService) {}

  @Post()
  @Roles(...ORDER_WRITERS)
  @ApiOperation({
    summary: 'Add an order source (generic webhook, Shopify store, affiliate programme)',
    description:
      'For generic and shopify sources the answer carries the signing secret; it is never shown again.',
  })
  @ApiCreatedResponse({ type: OrderSourceResponseDto })
  create(@CurrentActor() actor: Actor, @Body() dto: OrderSourceCreateDto): Promise<OrderSourceResponseDto> {
    return this.sources.create(actor, dto);
  }

  @Get()
  @Roles(...ORDER_READERS)
  @ApiOkResponse({ type: OrderSourcePageDto })
  list(@CurrentPrincipal() p: Principal, @Query() q: PageQueryDto): Promise<OrderSourcePageDto> {
    return this.sources.list(p.brandId, q);
  }

  @Get(':id')
  @Roles(...ORDER_READERS)
  @ApiOkResponse({ type: OrderSourceResponseDto })
  get(@CurrentPrincipal() p: Principal, @Param('id', uuidParam) id: string): Promise<OrderSourceResponseDto> {
    return this.sources.get(p.brandId, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @Roles(...ORDER_WRITERS)
  @ApiOperation({
    summary:
      'A new signing secret (shown once); the previous one stays valid for graceSeconds (default 24 h)',
  })
  @ApiOkResponse({ type: OrderSourceResponseDto })
  rotate(
    @CurrentActor() actor: Actor,
    @Param('id', uuidParam) id: string,
    @Body() dto: OrderSourceRotateDto,
  ): Promise<OrderSourceResponseDto> {
    return this.sources.rotate(actor, id, dto.graceSeconds);
  }

  @Post(':id/disable')
  @HttpCode(200)
  @Roles(...ORDER_WRITERS)
  @ApiOperation({ summary: 'Stop taking its deliveries and reports' })
  @ApiOkResponse({ type: OrderSourceResponseDto })
  disable(@CurrentActor() actor: Actor, @Param('id', uuidParam) id: string): Promise<OrderSourceResponseDto> {
    return this.sources.disable(actor, id);
  }
}
