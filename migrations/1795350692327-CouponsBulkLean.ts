import { MigrationInterface, QueryRunner } from 'typeorm';

export class CouponsBulkLean1795350692327 implements MigrationInterface {
  name = 'CouponsBulkLean1795350692327';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "coupons" DROP CONSTRAINT "FK_8b01c80f944fef4d4553784977b"`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "coupons" ADD CONSTRAINT "FK_8b01c80f944fef4d4553784977b" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}
