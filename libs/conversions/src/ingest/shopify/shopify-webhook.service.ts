import { Injectable, Logger } from '@nestjs/common';
import { OrdersService } from '@siyu/commerce';
import { Actor, DomainException } from '@siyu/platform';
import { parse } from 'lossless-json';
import { IngestException } from '../ingest.errors';
import { OrderIntakeService } from '../order-intake.service';
import { OrderSourcesService } from '../sources/order-sources.service';
import { DeliveryResponse, WebhookDeliveriesService } from '../webhooks/webhook-deliveries.service';
import { shopifySignature, signaturesEqual } from '../webhooks/webhook-signature';
import { mapShopifyOrder, mapShopifyRefund, refundOrderId, shopifyField } from './shopify-order.mapper';

export const SHOPIFY_TOPICS = ['orders/paid', 'refunds/create'] as const;

export interface ShopifyDelivery {
  sourceId: string;
  hmac: string | undefined;
  topic: string | undefined;
  webhookId: string | undefined;
  rawBody: string | undefined;
  requestId: string;
}

const WEBHOOK_ID = /^[\x21-\x7e]{1,180}$/;

/**
 * Shopify's `orders/paid` and `refunds/create`. The body is read from its raw bytes with a lossless
 * JSON parser, so order, customer and refund ids (above 2^53) keep every digit.
 */
@Injectable()
export class ShopifyWebhookService {
  private readonly logger = new Logger(ShopifyWebhookService.name);

  constructor(
    private readonly sources: OrderSourcesService,
    private readonly deliveries: WebhookDeliveriesService,
    private readonly intake: OrderIntakeService,
    private readonly orders: OrdersService,
  ) {}

  async handle(d: ShopifyDelivery): Promise<DeliveryResponse> {
    const found = await this.sources.forWebhook(d.sourceId, 'shopify');
    const refuse = (reason: string) => {
      this.logger.warn({ sourceId: d.sourceId, reason }, 'shopify webhook refused');
      return IngestException.unauthorized();
    };
    if (!found) throw refuse('unknown or disabled source');
    if (!d.hmac || d.rawBody === undefined) throw refuse('signature missing');
    const raw = d.rawBody;
    const given = d.hmac.trim();
    if (!found.secrets.some((s) => signaturesEqual(given, shopifySignature(s, raw))))
      throw refuse('signature mismatch');

    const { source } = found;
    if (d.webhookId !== undefined && !WEBHOOK_ID.test(d.webhookId))
      throw IngestException.payload([
        { field: 'X-Shopify-Webhook-Id', message: 'must be 1–180 printable ASCII characters' },
      ]);
    const key = d.webhookId ?? `hmac:${given}`;
    const earlier = await this.deliveries.find(source.id, key);
    if (earlier) return { ...earlier, replayed: true };
    // Other topics are acknowledged (so Shopify does not retry them) and not kept.
    if (!SHOPIFY_TOPICS.includes(d.topic as (typeof SHOPIFY_TOPICS)[number]))
      return { webhookId: key, topic: d.topic ?? null, outcome: 'ignored', replayed: false };

    let body: unknown;
    try {
      body = parse(raw);
    } catch {
      throw IngestException.malformedJson();
    }
    const actor: Actor = {
      brandId: source.brandId,
      actorType: 'system',
      actorId: source.id,
      requestId: d.requestId,
    };
    const response =
      d.topic === 'orders/paid'
        ? await this.orderPaid(actor, source.slug, body, key)
        : await this.refundCreated(actor, source.slug, body, key);
    return this.deliveries.remember(
      { brandId: source.brandId, sourceId: source.id, key, topic: d.topic ?? null },
      response,
    );
  }

  private async orderPaid(actor: Actor, slug: string, body: unknown, key: string): Promise<DeliveryResponse> {
    const mapped = mapShopifyOrder(body, slug);
    if ('errors' in mapped)
      throw IngestException.payload(mapped.errors, 'The Shopify order has invalid fields');
    const prepared = this.intake.prepare([{ ...mapped.order, source: slug }]);
    const [r] = await this.intake.transaction((m) =>
      this.intake.recordAll(m, actor, prepared, (_i, f) => shopifyField(f) || 'body'),
    );
    return {
      webhookId: key,
      topic: 'orders/paid',
      replayed: false,
      outcome: r.outcome,
      order: {
        id: r.order.id,
        externalId: r.order.externalId,
        status: r.order.status,
        memberId: r.order.memberId,
      },
    };
  }

  private async refundCreated(
    actor: Actor,
    slug: string,
    body: unknown,
    key: string,
  ): Promise<DeliveryResponse> {
    const orderRef = refundOrderId(body);
    if (!orderRef)
      throw IngestException.payload(
        [{ field: 'order_id', message: 'must be the order id (an integer)' }],
        'The Shopify refund has invalid fields',
      );
    const orderId = await this.intake.findOrderId(actor.brandId, slug, orderRef);
    if (!orderId) {
      // Not recorded yet (orders/paid may come later): a 4xx makes Shopify deliver it again.
      throw new DomainException(
        'WEBHOOK_ORDER_UNKNOWN',
        422,
        `Order ${orderRef} has not been received from this store yet`,
        [
          {
            field: 'order_id',
            message: 'no orders/paid was received for this order yet; Shopify will retry',
          },
        ],
      );
    }
    const order = await this.orders.get(actor.brandId, orderId);
    const mapped = mapShopifyRefund(body, order.currency);
    if ('errors' in mapped)
      throw IngestException.payload(mapped.errors, 'The Shopify refund has invalid fields');
    const { refund } = mapped;
    if (refund.amountMinor === null)
      return {
        webhookId: key,
        topic: 'refunds/create',
        replayed: false,
        outcome: 'ignored',
        reason: 'no money was refunded',
      };
    const res = await this.intake.refund(
      actor,
      orderId,
      {
        externalId: `shopify-refund-${refund.id}`,
        amountMinor: refund.amountMinor,
        ...(refund.createdAt ? { refundedAt: refund.createdAt } : {}),
        ...(refund.note ? { reason: refund.note } : {}),
      },
      'body',
    );
    return {
      webhookId: key,
      topic: 'refunds/create',
      replayed: false,
      outcome: res.created ? 'created' : 'existing',
      refund: { id: res.refund.id, externalId: res.refund.externalId, amountMinor: res.refund.amountMinor },
      order: { id: orderId, status: res.order.status, refundedMinor: res.order.refundedMinor },
    };
  }
}
