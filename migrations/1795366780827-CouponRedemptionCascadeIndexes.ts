import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes for the coupon ledger's cascades (deleting a template's million codes scanned
 * coupon_redemptions once per code). They were first added by editing the landed migration
 * CouponPartialRefundsStacking, which is restored; databases migrated while it carried them
 * already have them, hence IF NOT EXISTS.
 */
export class CouponRedemptionCascadeIndexes1795366780827 implements MigrationInterface {
  name = 'CouponRedemptionCascadeIndexes1795366780827';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "coupon_redemptions_coupon_idx" ON "coupon_redemptions" ("coupon_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX IF NOT EXISTS "coupon_redemptions_reverses_idx" ON "coupon_redemptions" ("reverses_id") WHERE reverses_id IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."coupon_redemptions_reverses_idx"`);
    await queryRunner.query(`DROP INDEX IF EXISTS "public"."coupon_redemptions_coupon_idx"`);
  }
}
