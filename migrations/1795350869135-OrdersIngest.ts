import { MigrationInterface, QueryRunner } from 'typeorm';

export class OrdersIngest1795350869135 implements MigrationInterface {
  name = 'OrdersIngest1795350869135';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "order_webhook_deliveries" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "source_id" uuid NOT NULL, "delivery_key" character varying(200) NOT NULL, "topic" character varying(64), "response" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_1e3bab94a2bbb8c49c530927d0d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "order_webhook_deliveries_brand_idx" ON "order_webhook_deliveries" ("brand_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "order_webhook_deliveries_key" ON "order_webhook_deliveries" ("source_id", "delivery_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "order_sources" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "name" character varying(100) NOT NULL, "slug" character varying(40) NOT NULL, "secret_sealed" text, "previous_secret_sealed" text, "previous_secret_expires_at" TIMESTAMP WITH TIME ZONE, "secret_rotated_at" TIMESTAMP WITH TIME ZONE, "disabled_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "order_sources_secret" CHECK ((kind = 'affiliate') = (secret_sealed IS NULL)), CONSTRAINT "order_sources_kind" CHECK (kind IN ('generic', 'shopify', 'affiliate')), CONSTRAINT "PK_82979bb991c0a2468b607143086" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "order_sources_brand_created_idx" ON "order_sources" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "order_sources_brand_slug_key" ON "order_sources" ("brand_id", "slug") `,
    );
    await queryRunner.query(
      `CREATE TABLE "affiliate_order_lines" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "source_id" uuid NOT NULL, "sub_order_id" character varying(64) NOT NULL, "parent_order_id" character varying(64) NOT NULL, "order_id" uuid NOT NULL, "status" character varying(40) NOT NULL, "paid_amount_minor" bigint NOT NULL, "currency" character(3) NOT NULL, "commission_rate_bp" integer NOT NULL, "estimated_commission_minor" bigint NOT NULL, "final_commission_minor" bigint, "tracking_id" character varying(64), "link_code" character varying(32), "paid_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, "status_history" jsonb NOT NULL DEFAULT '[]'::jsonb, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a9d9acaa45e7fcd790ef5fdb76a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "affiliate_order_lines_link_idx" ON "affiliate_order_lines" ("brand_id", "link_code") WHERE link_code IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "affiliate_order_lines_order_idx" ON "affiliate_order_lines" ("order_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "affiliate_order_lines_key" ON "affiliate_order_lines" ("brand_id", "source_id", "sub_order_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "affiliate_imports" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "source_id" uuid NOT NULL, "filename" character varying(255) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "byte_size" bigint NOT NULL DEFAULT '0', "total_rows" integer NOT NULL DEFAULT '0', "processed_rows" integer NOT NULL DEFAULT '0', "created_count" integer NOT NULL DEFAULT '0', "updated_count" integer NOT NULL DEFAULT '0', "unchanged_count" integer NOT NULL DEFAULT '0', "failed_count" integer NOT NULL DEFAULT '0', "error" text, "created_by_type" character varying(16) NOT NULL, "created_by_id" uuid, "work_item_id" bigint, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "affiliate_imports_status" CHECK (status IN ('pending', 'running', 'completed', 'failed')), CONSTRAINT "PK_20e6215b8e4b4e3a81fa90f4e6c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "affiliate_imports_source_idx" ON "affiliate_imports" ("brand_id", "source_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "affiliate_import_chunks" ("import_id" uuid NOT NULL, "seq" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_ab7a6af13249341574d243a22d5" PRIMARY KEY ("import_id", "seq"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "affiliate_import_errors" ("import_id" uuid NOT NULL, "line" integer NOT NULL, "field" character varying(64) NOT NULL, "reason" text NOT NULL, CONSTRAINT "PK_ae183e76e6bb775a090300df52b" PRIMARY KEY ("import_id", "line", "field"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "order_webhook_deliveries" ADD CONSTRAINT "FK_34f4a1f8743fdd8f7955091e257" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "order_webhook_deliveries" ADD CONSTRAINT "FK_1c5a92c732de156dc9908d625db" FOREIGN KEY ("source_id") REFERENCES "order_sources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "order_sources" ADD CONSTRAINT "FK_075f5b7337103e827f8ea268c91" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_order_lines" ADD CONSTRAINT "FK_6b9bf81349270a4e8748a034441" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_order_lines" ADD CONSTRAINT "FK_726aad04d1137c041bb9b81c1f1" FOREIGN KEY ("source_id") REFERENCES "order_sources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_imports" ADD CONSTRAINT "FK_463995a1232bcffbf3fc52ffda4" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_imports" ADD CONSTRAINT "FK_31d2b2b02120014e91c4a8c4b7e" FOREIGN KEY ("source_id") REFERENCES "order_sources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_import_chunks" ADD CONSTRAINT "FK_769f6c326ec8ed7c01cfb3c377e" FOREIGN KEY ("import_id") REFERENCES "affiliate_imports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_import_errors" ADD CONSTRAINT "FK_d8c29f7cd0e14d5b39a24225956" FOREIGN KEY ("import_id") REFERENCES "affiliate_imports"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "affiliate_import_errors" DROP CONSTRAINT "FK_d8c29f7cd0e14d5b39a24225956"`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_import_chunks" DROP CONSTRAINT "FK_769f6c326ec8ed7c01cfb3c377e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_imports" DROP CONSTRAINT "FK_31d2b2b02120014e91c4a8c4b7e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_imports" DROP CONSTRAINT "FK_463995a1232bcffbf3fc52ffda4"`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_order_lines" DROP CONSTRAINT "FK_726aad04d1137c041bb9b81c1f1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "affiliate_order_lines" DROP CONSTRAINT "FK_6b9bf81349270a4e8748a034441"`,
    );
    await queryRunner.query(`ALTER TABLE "order_sources" DROP CONSTRAINT "FK_075f5b7337103e827f8ea268c91"`);
    await queryRunner.query(
      `ALTER TABLE "order_webhook_deliveries" DROP CONSTRAINT "FK_1c5a92c732de156dc9908d625db"`,
    );
    await queryRunner.query(
      `ALTER TABLE "order_webhook_deliveries" DROP CONSTRAINT "FK_34f4a1f8743fdd8f7955091e257"`,
    );
    await queryRunner.query(`DROP TABLE "affiliate_import_errors"`);
    await queryRunner.query(`DROP TABLE "affiliate_import_chunks"`);
    await queryRunner.query(`DROP INDEX "public"."affiliate_imports_source_idx"`);
    await queryRunner.query(`DROP TABLE "affiliate_imports"`);
    await queryRunner.query(`DROP INDEX "public"."affiliate_order_lines_key"`);
    await queryRunner.query(`DROP INDEX "public"."affiliate_order_lines_order_idx"`);
    await queryRunner.query(`DROP INDEX "public"."affiliate_order_lines_link_idx"`);
    await queryRunner.query(`DROP TABLE "affiliate_order_lines"`);
    await queryRunner.query(`DROP INDEX "public"."order_sources_brand_slug_key"`);
    await queryRunner.query(`DROP INDEX "public"."order_sources_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "order_sources"`);
    await queryRunner.query(`DROP INDEX "public"."order_webhook_deliveries_key"`);
    await queryRunner.query(`DROP INDEX "public"."order_webhook_deliveries_brand_idx"`);
    await queryRunner.query(`DROP TABLE "order_webhook_deliveries"`);
  }
}
