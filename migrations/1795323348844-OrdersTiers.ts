import { MigrationInterface, QueryRunner } from 'typeorm';

export class OrdersTiers1795323348844 implements MigrationInterface {
  name = 'OrdersTiers1795323348844';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tiers" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(40) NOT NULL, "rank" smallint NOT NULL, "threshold" bigint NOT NULL, "perks" jsonb NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "tiers_threshold" CHECK (threshold >= 0 AND (rank > 0 OR threshold = 0)), CONSTRAINT "tiers_rank" CHECK (rank >= 0), CONSTRAINT "PK_908405492b9b2c2ae1cea1e1cc0" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "tiers_name_key" ON "tiers" ("brand_id", "name") `);
    await queryRunner.query(`CREATE UNIQUE INDEX "tiers_rank_key" ON "tiers" ("brand_id", "rank") `);
    await queryRunner.query(
      `CREATE TABLE "tier_ladders" ("brand_id" uuid NOT NULL, "basis" character varying(16) NOT NULL DEFAULT 'paid_spend', "window_days" integer, "grace_days" integer NOT NULL DEFAULT '30', "reevaluation" character varying(8) NOT NULL DEFAULT 'monthly', "reevaluation_time" character varying(5) NOT NULL DEFAULT '03:00', "last_evaluated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "tier_ladders_reevaluation_time" CHECK (reevaluation_time ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'), CONSTRAINT "tier_ladders_reevaluation" CHECK (reevaluation IN ('daily', 'weekly', 'monthly')), CONSTRAINT "tier_ladders_grace" CHECK (grace_days >= 0), CONSTRAINT "tier_ladders_window" CHECK (window_days IS NULL OR window_days > 0), CONSTRAINT "tier_ladders_basis" CHECK (basis IN ('paid_spend', 'order_count')), CONSTRAINT "PK_6c125d4df31f758576c33b79dbe" PRIMARY KEY ("brand_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "member_tiers" ("member_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "tier_id" uuid NOT NULL, "since" TIMESTAMP WITH TIME ZONE NOT NULL, "below_since" TIMESTAMP WITH TIME ZONE, "evaluated_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_145128cfb4b0e2bcb9383dd0743" PRIMARY KEY ("member_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "member_tiers_brand_tier_idx" ON "member_tiers" ("brand_id", "tier_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "tier_changes" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "member_id" uuid NOT NULL, "from_tier_id" uuid, "to_tier_id" uuid NOT NULL, "reason" character varying(16) NOT NULL, "data" jsonb, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "tier_changes_reason" CHECK (reason IN ('order', 'reevaluation', 'ladder', 'merge', 'manual')), CONSTRAINT "PK_8a79bece075d2eb142670d93271" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "tier_changes_brand_at_idx" ON "tier_changes" ("brand_id", "at", "id") `,
    );
    await queryRunner.query(`CREATE INDEX "tier_changes_member_idx" ON "tier_changes" ("member_id", "at") `);
    await queryRunner.query(
      `CREATE TABLE "orders" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "member_id" uuid, "source" character varying(40) NOT NULL, "external_id" character varying(128) NOT NULL, "status" character varying(20) NOT NULL, "currency" character(3) NOT NULL, "amount_minor" bigint NOT NULL, "refunded_minor" bigint NOT NULL DEFAULT '0', "placed_at" TIMESTAMP WITH TIME ZONE NOT NULL, "is_repurchase" boolean NOT NULL DEFAULT false, "coupon_codes" text array NOT NULL DEFAULT '{}', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "orders_amounts" CHECK (amount_minor >= 0 AND refunded_minor >= 0 AND refunded_minor <= amount_minor), CONSTRAINT "orders_currency" CHECK (currency ~ '^[A-Z]{3}$'), CONSTRAINT "orders_source" CHECK (source ~ '^[a-z0-9][a-z0-9_.-]{0,39}$'), CONSTRAINT "orders_status" CHECK (status IN ('paid', 'partially_refunded', 'refunded', 'cancelled')), CONSTRAINT "PK_710e2d4957aa5878dfe94e4ac2f" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "orders_unmatched_idx" ON "orders" ("brand_id", "created_at") WHERE member_id IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "orders_brand_placed_idx" ON "orders" ("brand_id", "placed_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "orders_member_placed_idx" ON "orders" ("member_id", "placed_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "orders_source_key" ON "orders" ("brand_id", "source", "external_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "order_refunds" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "order_id" uuid NOT NULL, "external_id" character varying(128) NOT NULL, "amount_minor" bigint NOT NULL, "reason" character varying(200), "refunded_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "order_refunds_amount" CHECK (amount_minor > 0), CONSTRAINT "PK_f8c501d1232e93e00aac466a279" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "order_refunds_brand_idx" ON "order_refunds" ("brand_id", "refunded_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "order_refunds_external_key" ON "order_refunds" ("order_id", "external_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "order_items" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "order_id" uuid NOT NULL, "sku" character varying(64) NOT NULL, "name" character varying(200), "category" character varying(80), "quantity" integer NOT NULL, "unit_price_minor" bigint NOT NULL, CONSTRAINT "order_items_amounts" CHECK (quantity > 0 AND unit_price_minor >= 0), CONSTRAINT "PK_005269d8574e6fac0493715c308" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "order_items_brand_sku_idx" ON "order_items" ("brand_id", "sku") `);
    await queryRunner.query(`CREATE INDEX "order_items_order_idx" ON "order_items" ("order_id") `);
    await queryRunner.query(
      `CREATE TABLE "order_identity_claims" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "order_id" uuid NOT NULL, "kind" character varying(24) NOT NULL, "app_id" character varying(64) NOT NULL DEFAULT '', "value" character varying(128) NOT NULL, CONSTRAINT "PK_8955fa84e331abc8dfdcacc7f97" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "order_identity_claims_order_idx" ON "order_identity_claims" ("order_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "order_identity_claims_key" ON "order_identity_claims" ("brand_id", "kind", "app_id", "value") `,
    );
    await queryRunner.query(
      `ALTER TABLE "tiers" ADD CONSTRAINT "FK_22e6bd7c5f027ccf54d58f1f036" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tier_ladders" ADD CONSTRAINT "FK_6c125d4df31f758576c33b79dbe" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tiers" ADD CONSTRAINT "FK_145128cfb4b0e2bcb9383dd0743" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tiers" ADD CONSTRAINT "FK_d00b0a8fa47ec32ac9454cd1f75" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "member_tiers" ADD CONSTRAINT "FK_2630b439cc01f68f99ac7dd8664" FOREIGN KEY ("tier_id") REFERENCES "tiers"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tier_changes" ADD CONSTRAINT "FK_df53cf81536a781a0d3f2f9b76d" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tier_changes" ADD CONSTRAINT "FK_7a3fa03a62874698b4a7ef7a9a6" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "orders" ADD CONSTRAINT "FK_5c2d89d6aeb25ba9582ecfc6d1d" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "orders" ADD CONSTRAINT "FK_cec51276d127c44da30cd333a73" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "order_refunds" ADD CONSTRAINT "FK_91a69cafbe7711aaebd0e0ac4b6" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "order_items" ADD CONSTRAINT "FK_145532db85752b29c57d2b7b1f1" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "order_identity_claims" ADD CONSTRAINT "FK_08ee6038a457069ed0ef203f209" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "order_identity_claims" DROP CONSTRAINT "FK_08ee6038a457069ed0ef203f209"`,
    );
    await queryRunner.query(`ALTER TABLE "order_items" DROP CONSTRAINT "FK_145532db85752b29c57d2b7b1f1"`);
    await queryRunner.query(`ALTER TABLE "order_refunds" DROP CONSTRAINT "FK_91a69cafbe7711aaebd0e0ac4b6"`);
    await queryRunner.query(`ALTER TABLE "orders" DROP CONSTRAINT "FK_cec51276d127c44da30cd333a73"`);
    await queryRunner.query(`ALTER TABLE "orders" DROP CONSTRAINT "FK_5c2d89d6aeb25ba9582ecfc6d1d"`);
    await queryRunner.query(`ALTER TABLE "tier_changes" DROP CONSTRAINT "FK_7a3fa03a62874698b4a7ef7a9a6"`);
    await queryRunner.query(`ALTER TABLE "tier_changes" DROP CONSTRAINT "FK_df53cf81536a781a0d3f2f9b76d"`);
    await queryRunner.query(`ALTER TABLE "member_tiers" DROP CONSTRAINT "FK_2630b439cc01f68f99ac7dd8664"`);
    await queryRunner.query(`ALTER TABLE "member_tiers" DROP CONSTRAINT "FK_d00b0a8fa47ec32ac9454cd1f75"`);
    await queryRunner.query(`ALTER TABLE "member_tiers" DROP CONSTRAINT "FK_145128cfb4b0e2bcb9383dd0743"`);
    await queryRunner.query(`ALTER TABLE "tier_ladders" DROP CONSTRAINT "FK_6c125d4df31f758576c33b79dbe"`);
    await queryRunner.query(`ALTER TABLE "tiers" DROP CONSTRAINT "FK_22e6bd7c5f027ccf54d58f1f036"`);
    await queryRunner.query(`DROP INDEX "public"."order_identity_claims_key"`);
    await queryRunner.query(`DROP INDEX "public"."order_identity_claims_order_idx"`);
    await queryRunner.query(`DROP TABLE "order_identity_claims"`);
    await queryRunner.query(`DROP INDEX "public"."order_items_order_idx"`);
    await queryRunner.query(`DROP INDEX "public"."order_items_brand_sku_idx"`);
    await queryRunner.query(`DROP TABLE "order_items"`);
    await queryRunner.query(`DROP INDEX "public"."order_refunds_external_key"`);
    await queryRunner.query(`DROP INDEX "public"."order_refunds_brand_idx"`);
    await queryRunner.query(`DROP TABLE "order_refunds"`);
    await queryRunner.query(`DROP INDEX "public"."orders_source_key"`);
    await queryRunner.query(`DROP INDEX "public"."orders_member_placed_idx"`);
    await queryRunner.query(`DROP INDEX "public"."orders_brand_placed_idx"`);
    await queryRunner.query(`DROP INDEX "public"."orders_unmatched_idx"`);
    await queryRunner.query(`DROP TABLE "orders"`);
    await queryRunner.query(`DROP INDEX "public"."tier_changes_member_idx"`);
    await queryRunner.query(`DROP INDEX "public"."tier_changes_brand_at_idx"`);
    await queryRunner.query(`DROP TABLE "tier_changes"`);
    await queryRunner.query(`DROP INDEX "public"."member_tiers_brand_tier_idx"`);
    await queryRunner.query(`DROP TABLE "member_tiers"`);
    await queryRunner.query(`DROP TABLE "tier_ladders"`);
    await queryRunner.query(`DROP INDEX "public"."tiers_rank_key"`);
    await queryRunner.query(`DROP INDEX "public"."tiers_name_key"`);
    await queryRunner.query(`DROP TABLE "tiers"`);
  }
}
