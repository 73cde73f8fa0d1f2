import { Controller, Headers, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@siyu/platform';
import type { FastifyRequest } from 'fastify';
import { ShopifyWebhookService } from '../shopify/shopify-webhook.service';
import { GenericWebhookService } from './generic-webhook.service';

type RawRequest = FastifyRequest & { rawBody?: string };

/** Signed order webhooks: no operator credentials, the source's secret signs each delivery. */
@ApiTags('order-webhooks')
@Controller('v1/webhooks')
export class OrderWebhooksController {
  constructor(
    private readonly generic: GenericWebhookService,
    private readonly shopify: ShopifyWebhookService,
  ) {}

  @Post('orders/:sourceId')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Generic signed order webhook: { orders?: [...], refunds?: [...] } (format in the README)',
    description:
      'X-Siyu-Signature: sha256=<hex HMAC-SHA256 of "<X-Siyu-Timestamp>.<raw body>">, timestamp within 5 minutes. ' +
      '401 for a bad/missing signature or stale timestamp; 400 naming the field; 413 over the body limit. ' +
      'Orders in one delivery are recorded all or nothing. A replay (same X-Siyu-Delivery, else same signature) answers the original outcome with replayed: true.',
  })
  @ApiHeader({ name: 'X-Siyu-Timestamp', required: true, description: 'Unix seconds' })
  @ApiHeader({ name: 'X-Siyu-Signature', required: true })
  @ApiHeader({
    name: 'X-Siyu-Delivery',
    required: false,
    description: 'The sender’s delivery id (replay key)',
  })
  @ApiOkResponse({ description: 'Per-order and per-refund outcomes' })
  genericOrders(
    @Param('sourceId') sourceId: string,
    @Headers('x-siyu-timestamp') timestamp: string | undefined,
    @Headers('x-siyu-signature') signature: string | undefined,
    @Headers('x-siyu-delivery') deliveryId: string | undefined,
    @Req() req: RawRequest,
  ): Promise<Record<string, unknown>> {
    return this.generic.handle({
      sourceId,
      timestamp,
      signature,
      deliveryId,
      rawBody: req.rawBody,
      body: req.body,
      requestId: String(req.id),
    });
  }

  @Post('shopify/:sourceId')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Shopify webhooks: orders/paid and refunds/create',
    description:
      'X-Shopify-Hmac-Sha256 (base64 HMAC-SHA256 of the raw body with the source secret), compared in constant time; ' +
      'X-Shopify-Webhook-Id de-duplicated. Ids keep every digit (read losslessly). Other topics answer 200 ignored.',
  })
  @ApiOkResponse({ description: 'The outcome for the order or refund' })
  shopifyWebhook(
    @Param('sourceId') sourceId: string,
    @Headers('x-shopify-hmac-sha256') hmac: string | undefined,
    @Headers('x-shopify-topic') topic: string | undefined,
    @Headers('x-shopify-webhook-id') webhookId: string | undefined,
    @Req() req: RawRequest,
  ): Promise<Record<string, unknown>> {
    return this.shopify.handle({
      sourceId,
      hmac,
      topic,
      webhookId,
      rawBody: req.rawBody,
      requestId: String(req.id),
    });
  }
}
