import { MigrationInterface, QueryRunner } from 'typeorm';

export class MemberTimeZone1795339548570 implements MigrationInterface {
  name = 'MemberTimeZone1795339548570';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "members" ADD "time_zone" character varying(64)`);
    await queryRunner.query(`ALTER TABLE "campaigns" ADD "member_time_zone" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`ALTER TABLE "campaign_deliveries" ADD "not_before" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(`ALTER TABLE "campaign_deliveries" ADD "time_zone" character varying(64)`);
    await queryRunner.query(`ALTER TABLE "campaign_chunks" ADD "not_before" TIMESTAMP WITH TIME ZONE`);
    await queryRunner.query(
      `CREATE INDEX "members_brand_time_zone_idx" ON "members" ("brand_id", "time_zone") WHERE time_zone IS NOT NULL`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "public"."members_brand_time_zone_idx"`);
    await queryRunner.query(`ALTER TABLE "campaign_chunks" DROP COLUMN "not_before"`);
    await queryRunner.query(`ALTER TABLE "campaign_deliveries" DROP COLUMN "time_zone"`);
    await queryRunner.query(`ALTER TABLE "campaign_deliveries" DROP COLUMN "not_before"`);
    await queryRunner.query(`ALTER TABLE "campaigns" DROP COLUMN "member_time_zone"`);
    await queryRunner.query(`ALTER TABLE "members" DROP COLUMN "time_zone"`);
  }
}
