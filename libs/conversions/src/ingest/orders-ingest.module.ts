import { Module } from '@nestjs/common';
import { CommerceModule } from '@siyu/commerce';
import { PlatformQueueModule } from '@siyu/platform';
import { AffiliateImportsService } from './affiliate/affiliate-imports.service';
import { AffiliateOrdersService } from './affiliate/affiliate-orders.service';
import { AffiliateImportQueue } from './jobs/ingest.queue';
import { OrderIntakeService } from './order-intake.service';
import { ShopifyWebhookService } from './shopify/shopify-webhook.service';
import { OrderSourcesService } from './sources/order-sources.service';
import { OrderSourceSecrets } from './sources/source-secrets';
import { GenericWebhookService } from './webhooks/generic-webhook.service';
import { WebhookDeliveriesService } from './webhooks/webhook-deliveries.service';

const exported = [
  OrderSourcesService,
  OrderIntakeService,
  GenericWebhookService,
  ShopifyWebhookService,
  AffiliateOrdersService,
  AffiliateImportsService,
];

/**
 * Orders in: order sources and their secrets, the signed generic and Shopify webhooks, affiliate
 * order reports (API and CSV imports). Every order goes through commerce's OrdersService.
 */
@Module({
  imports: [CommerceModule, PlatformQueueModule.register(AffiliateImportQueue)],
  providers: [OrderSourceSecrets, WebhookDeliveriesService, ...exported],
  exports: exported,
})
export class OrdersIngestModule {}
