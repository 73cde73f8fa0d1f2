import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `order_items_brand_sku_idx` (brand_id, sku) serves no query: order lines are read by their order
 * (`order_items_order_idx`: the order view, partners' commission base, coupons' minimum spend,
 * fraud checks). Dropping it removes one index entry from every line written (issue 6,
 * `orders-ingest`: a quarter of the line insert's WAL records).
 */
export class OrderItemsNoSkuIndex1795380475252 implements MigrationInterface {
  name = 'OrderItemsNoSkuIndex1795380475252';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."order_items_brand_sku_idx"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX "order_items_brand_sku_idx" ON "order_items" ("brand_id", "sku") `);
  }
}
