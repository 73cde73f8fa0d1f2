import { Injectable, Logger } from '@nestjs/common';
import { ORDER_BATCH_MAX } from '@siyu/commerce';
import { Actor, FieldError } from '@siyu/platform';
import { OrderIntakeService } from '../order-intake.service';
import { IngestException } from '../ingest.errors';
import { OrderSourcesService } from '../sources/order-sources.service';
import { DeliveryResponse, WebhookDeliveriesService } from './webhook-deliveries.service';
import {
  genericSignature,
  parseGenericSignatureHeader,
  signaturesEqual,
  timestampFresh,
} from './webhook-signature';

/** What a generic delivery may carry at most: orders plus refunds. */
export const GENERIC_DELIVERY_MAX_ITEMS = ORDER_BATCH_MAX;

export interface GenericDelivery {
  sourceId: string;
  timestamp: string | undefined;
  signature: string | undefined;
  deliveryId: string | undefined;
  rawBody: string | undefined;
  body: unknown;
  requestId: string;
}

const DELIVERY_ID = /^[\x21-\x7e]{1,180}$/;

/**
 * The generic signed order webhook (format in the README, "Orders in"): verify, de-duplicate,
 * record the orders through commerce all-or-nothing, then the refunds (each idempotent on its id).
 */
@Injectable()
export class GenericWebhookService {
  private readonly logger = new Logger(GenericWebhookService.name);

  constructor(
    private readonly sources: OrderSourcesService,
    private readonly deliveries: WebhookDeliveriesService,
    private readonly intake: OrderIntakeService,
  ) {}

  async handle(d: GenericDelivery): Promise<DeliveryResponse> {
    const found = await this.sources.forWebhook(d.sourceId, 'generic');
    const refuse = (reason: string) => {
      this.logger.warn({ sourceId: d.sourceId, reason }, 'generic order webhook refused');
      return IngestException.unauthorized();
    };
    if (!found) throw refuse('unknown or disabled source');
    if (!timestampFresh(d.timestamp, Date.now())) throw refuse('timestamp missing or outside tolerance');
    const given = parseGenericSignatureHeader(d.signature);
    if (!given || d.rawBody === undefined) throw refuse('signature missing');
    const raw = d.rawBody;
    const ok = found.secrets.some((s) =>
      signaturesEqual(given, genericSignature(s, d.timestamp as string, raw)),
    );
    if (!ok) throw refuse('signature mismatch');

    const { source } = found;
    if (d.deliveryId !== undefined && !DELIVERY_ID.test(d.deliveryId))
      throw IngestException.payload([
        { field: 'X-Siyu-Delivery', message: 'must be 1–180 printable ASCII characters' },
      ]);
    const key = d.deliveryId ?? `sig:${given}`;
    const earlier = await this.deliveries.find(source.id, key);
    if (earlier) return { ...earlier, replayed: true };

    const { orders, refunds } = parseBody(d.body);
    const actor: Actor = {
      brandId: source.brandId,
      actorType: 'system',
      actorId: source.id,
      requestId: d.requestId,
    };
    // Validated before the transaction opens (and once, however often the transaction is retried).
    const prepared = orders.length
      ? this.intake.prepare(orders.map((o) => ({ ...o, source: source.slug })))
      : null;
    const recorded = prepared
      ? await this.intake.transaction((m) =>
          this.intake.recordAll(m, actor, prepared, (i, f) => (f ? `orders[${i}].${f}` : `orders[${i}]`)),
        )
      : [];
    const refunded = [];
    for (const [i, r] of refunds.entries()) {
      const at = `refunds[${i}]`;
      const { orderExternalId, ...refund } = r;
      const orderId =
        typeof orderExternalId === 'string'
          ? await this.intake.findOrderId(source.brandId, source.slug, orderExternalId)
          : null;
      if (!orderId)
        throw IngestException.payload(
          [
            {
              field: `${at}.orderExternalId`,
              message: 'no order with this externalId was recorded from this source',
            },
          ],
          'A refund names an order this source never sent',
        );
      const res = await this.intake.refund(actor, orderId, refund, at);
      refunded.push({
        index: i,
        outcome: res.created ? 'created' : 'existing',
        orderId,
        refundId: res.refund.id,
        status: res.order.status,
        refundedMinor: res.order.refundedMinor,
      });
    }
    const response: DeliveryResponse = {
      deliveryId: key,
      replayed: false,
      orders: recorded.map((r) => ({
        index: r.index,
        outcome: r.outcome,
        id: r.order.id,
        externalId: r.order.externalId,
        status: r.order.status,
        memberId: r.order.memberId,
      })),
      refunds: refunded,
    };
    return this.deliveries.remember(
      { brandId: source.brandId, sourceId: source.id, key, topic: null },
      response,
    );
  }
}

type Item = Record<string, unknown>;

/** `{ orders?: [...], refunds?: [...] }` with at least one item, at most GENERIC_DELIVERY_MAX_ITEMS. */
function parseBody(body: unknown): { orders: Item[]; refunds: Item[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw IngestException.payload([
      { field: 'body', message: 'must be a JSON object with orders and/or refunds' },
    ]);
  const errors: FieldError[] = [];
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b))
    if (k !== 'orders' && k !== 'refunds')
      errors.push({ field: k, message: 'unknown field; give orders and/or refunds' });
  const list = (k: 'orders' | 'refunds'): Item[] => {
    const v = b[k];
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      errors.push({ field: k, message: `${k} must be an array` });
      return [];
    }
    v.forEach((x, i) => {
      if (typeof x !== 'object' || x === null || Array.isArray(x))
        errors.push({ field: `${k}[${i}]`, message: 'must be an object' });
    });
    return v as Item[];
  };
  const orders = list('orders');
  const refunds = list('refunds');
  orders.forEach((o, i) => {
    if (o && typeof o === 'object' && 'source' in o)
      errors.push({
        field: `orders[${i}].source`,
        message: 'source is set by the order source; leave it out',
      });
  });
  const total = orders.length + refunds.length;
  if (errors.length === 0 && total === 0)
    errors.push({ field: 'orders', message: 'give at least one order or refund' });
  if (total > GENERIC_DELIVERY_MAX_ITEMS)
    errors.push({
      field: 'orders',
      message: `at most ${GENERIC_DELIVERY_MAX_ITEMS} orders and refunds per delivery`,
    });
  if (errors.length > 0) throw IngestException.payload(errors);
  return { orders, refunds };
}
