import { MigrationInterface, QueryRunner } from 'typeorm';

export class TierEvaluations1795324220901 implements MigrationInterface {
  name = 'TierEvaluations1795324220901';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tier_evaluations" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "trigger" character varying(16) NOT NULL, "work_item_id" bigint, "at" TIMESTAMP WITH TIME ZONE NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT clock_timestamp(), "finished_at" TIMESTAMP WITH TIME ZONE, "assigned" integer NOT NULL DEFAULT '0', "upgraded" integer NOT NULL DEFAULT '0', "downgraded" integer NOT NULL DEFAULT '0', "remapped" integer NOT NULL DEFAULT '0', "grace_started" integer NOT NULL DEFAULT '0', "grace_cleared" integer NOT NULL DEFAULT '0', "first_change_id" bigint, "last_change_id" bigint, CONSTRAINT "tier_evaluations_trigger" CHECK (trigger IN ('scheduled', 'catch_up', 'manual', 'ladder')), CONSTRAINT "PK_19d59f07867fd7d7b00cd84882b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "tier_evaluations_brand_idx" ON "tier_evaluations" ("brand_id", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "tier_evaluations" ADD CONSTRAINT "FK_258b2e879add5951d3f065c08f6" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "tier_evaluations" DROP CONSTRAINT "FK_258b2e879add5951d3f065c08f6"`,
    );
    await queryRunner.query(`DROP INDEX "public"."tier_evaluations_brand_idx"`);
    await queryRunner.query(`DROP TABLE "tier_evaluations"`);
  }
}
