import { Module } from '@nestjs/common';
import { AffiliateController } from './affiliate/affiliate.controller';
import { OrdersIngestModule } from './orders-ingest.module';
import { OrderSourcesController } from './sources/order-sources.controller';
import { OrderWebhooksController } from './webhooks/order-webhooks.controller';

/** /v1/order-sources (and their affiliate orders and imports), /v1/webhooks/orders, /v1/webhooks/shopify. */
@Module({
  imports: [OrdersIngestModule],
  controllers: [OrderSourcesController, OrderWebhooksController, AffiliateController],
})
export class OrdersIngestHttpModule {}
