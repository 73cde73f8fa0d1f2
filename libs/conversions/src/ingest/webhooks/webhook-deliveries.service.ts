import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** The stored answer of an applied delivery. */
export type DeliveryResponse = Record<string, unknown>;

/**
 * De-duplication of webhook deliveries: a unique (source, delivery key) row holding the answer
 * given. Commerce is idempotent on its own keys, so a delivery racing its replay records nothing
 * twice; this table lets the replay answer the original outcome without doing the work again.
 */
@Injectable()
export class WebhookDeliveriesService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  async find(sourceId: string, key: string): Promise<DeliveryResponse | null> {
    const [row]: Array<{ response: DeliveryResponse }> = await this.ds.query(
      `SELECT response FROM order_webhook_deliveries WHERE source_id = $1 AND delivery_key = $2`,
      [sourceId, key],
    );
    return row?.response ?? null;
  }

  /** Keeps the answer; when a concurrent copy stored one first, that one is the answer. */
  async remember(
    d: { brandId: string; sourceId: string; key: string; topic: string | null },
    response: DeliveryResponse,
  ): Promise<DeliveryResponse> {
    const inserted: unknown[] = await this.ds.query(
      `INSERT INTO order_webhook_deliveries (brand_id, source_id, delivery_key, topic, response)
       VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source_id, delivery_key) DO NOTHING RETURNING id`,
      [d.brandId, d.sourceId, d.key, d.topic, JSON.stringify(response)],
    );
    if (inserted.length > 0) return response;
    return (await this.find(d.sourceId, d.key)) ?? response;
  }
}
