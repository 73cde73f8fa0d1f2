import { MigrationInterface, QueryRunner } from 'typeorm';

export class CouponPartialRefundsStacking1795351449594 implements MigrationInterface {
  name = 'CouponPartialRefundsStacking1795351449594';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "coupon_redemptions" ADD "refunded_through_minor" bigint`);
    // Hand-written: the ledger takes partial refunds (TypeORM does not diff a check's expression).
    await queryRunner.query(`ALTER TABLE "coupon_redemptions" DROP CONSTRAINT "coupon_redemptions_kind"`);
    await queryRunner.query(`ALTER TABLE "coupon_redemptions" DROP CONSTRAINT "coupon_redemptions_shape"`);
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_kind" CHECK (kind IN ('redemption', 'partial_refund', 'rollback'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_shape" CHECK ((kind = 'redemption' AND reverses_id IS NULL AND refunded_through_minor IS NULL)
   OR (kind = 'partial_refund' AND reverses_id IS NOT NULL AND refunded_through_minor > 0)
   OR (kind = 'rollback' AND reverses_id IS NOT NULL AND refunded_through_minor IS NULL))`,
    );
    await queryRunner.query(
      `CREATE INDEX "coupon_redemptions_order_ref_idx" ON "coupon_redemptions" ("brand_id", "order_ref") WHERE kind = 'redemption'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "coupon_redemptions_partial_refund_key" ON "coupon_redemptions" ("reverses_id", "refunded_through_minor") WHERE kind = 'partial_refund'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."coupon_redemptions_partial_refund_key"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_redemptions_order_ref_idx"`);
    await queryRunner.query(`DELETE FROM "coupon_redemptions" WHERE kind = 'partial_refund'`);
    await queryRunner.query(`ALTER TABLE "coupon_redemptions" DROP CONSTRAINT "coupon_redemptions_shape"`);
    await queryRunner.query(`ALTER TABLE "coupon_redemptions" DROP CONSTRAINT "coupon_redemptions_kind"`);
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_kind" CHECK (kind IN ('redemption', 'rollback'))`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "coupon_redemptions_shape" CHECK ((kind = 'redemption' AND reverses_id IS NULL) OR (kind = 'rollback' AND reverses_id IS NOT NULL))`,
    );
    await queryRunner.query(`ALTER TABLE "coupon_redemptions" DROP COLUMN "refunded_through_minor"`);
  }
}
