import { MigrationInterface, QueryRunner } from 'typeorm';

export class Coupons1795343279928 implements MigrationInterface {
  name = 'Coupons1795343279928';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "coupons" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "template_id" uuid NOT NULL, "code" character varying(40) NOT NULL, "kind" character varying(16) NOT NULL, "member_id" uuid, "max_redemptions" integer NOT NULL DEFAULT '1', "redemptions" integer NOT NULL DEFAULT '0', "status" character varying(16) NOT NULL DEFAULT 'available', "source" character varying(16) NOT NULL, "source_ref" character varying(200) NOT NULL, "batch_id" uuid, "valid_from" TIMESTAMP WITH TIME ZONE, "valid_until" TIMESTAMP WITH TIME ZONE, "issued_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "coupons_holder" CHECK ((kind = 'personal' AND member_id IS NOT NULL AND max_redemptions = 1)
   OR (kind = 'bearer' AND max_redemptions = 1) OR (kind = 'shared' AND member_id IS NULL AND max_redemptions >= 1)), CONSTRAINT "coupons_redemptions" CHECK (redemptions >= 0 AND redemptions <= max_redemptions), CONSTRAINT "coupons_source" CHECK (source IN ('manual', 'segment', 'campaign', 'tier_perk', 'draw', 'partner', 'live', 'bulk')), CONSTRAINT "coupons_status" CHECK (status IN ('available', 'expired', 'void')), CONSTRAINT "coupons_kind" CHECK (kind IN ('personal', 'bearer', 'shared')), CONSTRAINT "PK_d7ea8864a0150183770f3e9a8cb" PRIMARY KEY ("id"))`);
    await queryRunner.query(
      `CREATE INDEX "coupons_expiry_idx" ON "coupons" ("valid_until") WHERE status = 'available' AND valid_until IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "coupons_template_idx" ON "coupons" ("template_id") `);
    await queryRunner.query(
      `CREATE INDEX "coupons_member_idx" ON "coupons" ("member_id", "issued_at") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "coupons_issue_key" ON "coupons" ("template_id", "source", "source_ref", "member_id") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "coupons_code_key" ON "coupons" ("brand_id", "code") `);
    await queryRunner.query(
      `CREATE TABLE "coupon_tier_perks" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "tier_id" uuid NOT NULL, "template_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6d28264564caf827eb1b4c81c8b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "coupon_tier_perks_brand_idx" ON "coupon_tier_perks" ("brand_id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "coupon_tier_perks_key" ON "coupon_tier_perks" ("tier_id", "template_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "coupon_tier_cursors" ("brand_id" uuid NOT NULL, "last_change_id" bigint NOT NULL DEFAULT '0', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_fb6e5ad7c41beb0a6be38a1263d" PRIMARY KEY ("brand_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "coupon_tier_perk_changes" ("change_id" bigint NOT NULL, "brand_id" uuid NOT NULL, "outcome" jsonb NOT NULL DEFAULT '[]', "processed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2e2d08ec1874a1c91c0dc3af137" PRIMARY KEY ("change_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "coupon_tier_perk_changes_brand_idx" ON "coupon_tier_perk_changes" ("brand_id", "change_id") `,
    );
    await queryRunner.query(`CREATE TABLE "coupon_templates" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "description" character varying(500), "kind" character varying(16) NOT NULL, "amount_off_minor" bigint, "percent_off" smallint, "max_discount_minor" bigint, "min_spend_minor" bigint NOT NULL DEFAULT '0', "valid_from" TIMESTAMP WITH TIME ZONE, "valid_until" TIMESTAMP WITH TIME ZONE, "valid_days" integer, "channels" text array NOT NULL DEFAULT '{}', "stacking" character varying(16) NOT NULL DEFAULT 'exclusive', "budget_count" integer, "budget_money_minor" bigint, "per_member_limit" integer, "code_prefix" character varying(8) NOT NULL DEFAULT '', "code_length" smallint NOT NULL DEFAULT '10', "status" character varying(16) NOT NULL DEFAULT 'draft', "issued_count" integer NOT NULL DEFAULT '0', "redeemed_count" integer NOT NULL DEFAULT '0', "discount_minor" bigint NOT NULL DEFAULT '0', "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "coupon_templates_code_shape" CHECK (code_length BETWEEN 4 AND 24 AND code_prefix ~ '^[A-Z0-9]{0,8}$'), CONSTRAINT "coupon_templates_within_budget" CHECK (issued_count >= 0 AND redeemed_count >= 0 AND discount_minor >= 0
   AND (budget_count IS NULL OR issued_count <= budget_count)
   AND (budget_money_minor IS NULL OR discount_minor <= budget_money_minor)), CONSTRAINT "coupon_templates_budgets" CHECK ((budget_count IS NULL OR budget_count > 0) AND (budget_money_minor IS NULL OR budget_money_minor > 0)
   AND (per_member_limit IS NULL OR per_member_limit > 0)), CONSTRAINT "coupon_templates_validity" CHECK ((valid_days IS NULL OR valid_days > 0) AND (valid_from IS NULL OR valid_until IS NULL OR valid_until > valid_from)), CONSTRAINT "coupon_templates_min_spend" CHECK (min_spend_minor >= 0), CONSTRAINT "coupon_templates_terms" CHECK ((kind = 'fixed_amount' AND amount_off_minor > 0 AND percent_off IS NULL AND max_discount_minor IS NULL)
   OR (kind = 'percentage' AND amount_off_minor IS NULL AND percent_off BETWEEN 1 AND 100 AND (max_discount_minor IS NULL OR max_discount_minor > 0))
   OR (kind = 'free_shipping' AND amount_off_minor IS NULL AND percent_off IS NULL AND (max_discount_minor IS NULL OR max_discount_minor > 0))), CONSTRAINT "coupon_templates_name_not_blank" CHECK (btrim(name) <> ''), CONSTRAINT "coupon_templates_stacking" CHECK (stacking IN ('exclusive', 'stackable')), CONSTRAINT "coupon_templates_status" CHECK (status IN ('draft', 'active', 'paused', 'ended')), CONSTRAINT "coupon_templates_kind" CHECK (kind IN ('fixed_amount', 'percentage', 'free_shipping')), CONSTRAINT "PK_2120afd8225fb545c4a957d51e2" PRIMARY KEY ("id"))`);
    await queryRunner.query(
      `CREATE INDEX "coupon_templates_brand_created_idx" ON "coupon_templates" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "coupon_redemptions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "coupon_id" uuid NOT NULL, "template_id" uuid NOT NULL, "member_id" uuid, "order_id" uuid, "order_ref" character varying(128) NOT NULL, "reverses_id" uuid, "cart_amount_minor" bigint NOT NULL, "order_amount_minor" bigint NOT NULL, "discount_minor" bigint NOT NULL, "channel" character varying(40), "note" character varying(200), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "coupon_redemptions_amounts" CHECK (discount_minor >= 0 AND cart_amount_minor >= 0 AND order_amount_minor >= 0), CONSTRAINT "coupon_redemptions_shape" CHECK ((kind = 'redemption' AND reverses_id IS NULL) OR (kind = 'rollback' AND reverses_id IS NOT NULL)), CONSTRAINT "coupon_redemptions_kind" CHECK (kind IN ('redemption', 'rollback')), CONSTRAINT "PK_5086813ea980d21dbeb190ed0a7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "coupon_redemptions_member_idx" ON "coupon_redemptions" ("member_id") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "coupon_redemptions_order_idx" ON "coupon_redemptions" ("order_id") WHERE order_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "coupon_redemptions_template_idx" ON "coupon_redemptions" ("template_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "coupon_redemptions_rollback_key" ON "coupon_redemptions" ("reverses_id") WHERE kind = 'rollback'`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "coupon_redemptions_order_key" ON "coupon_redemptions" ("coupon_id", "order_ref") WHERE kind = 'redemption'`,
    );
    await queryRunner.query(
      `CREATE TABLE "coupon_member_counts" ("template_id" uuid NOT NULL, "member_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "issued" integer NOT NULL DEFAULT '0', "shared_uses" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_66b3604df62c89c1023173d8d4b" PRIMARY KEY ("template_id", "member_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "coupon_batches" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "template_id" uuid NOT NULL, "kind" character varying(16) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "requested" integer NOT NULL, "done" integer NOT NULL DEFAULT '0', "skipped" integer NOT NULL DEFAULT '0', "segment_id" uuid, "snapshot_id" uuid, "label" character varying(200), "source" character varying(16) NOT NULL DEFAULT 'bulk', "cursor" uuid, "error" text, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "completed_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "coupon_batches_progress" CHECK (requested >= 0 AND done >= 0 AND done <= requested), CONSTRAINT "coupon_batches_status" CHECK (status IN ('pending', 'running', 'done', 'failed')), CONSTRAINT "coupon_batches_kind" CHECK (kind IN ('codes', 'segment')), CONSTRAINT "PK_f5fb1d49809880f4cd887990484" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "coupon_batches_open_idx" ON "coupon_batches" ("id") WHERE status IN ('pending', 'running')`,
    );
    await queryRunner.query(
      `CREATE INDEX "coupon_batches_template_idx" ON "coupon_batches" ("template_id", "created_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "coupons" ADD CONSTRAINT "FK_8b01c80f944fef4d4553784977b" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupons" ADD CONSTRAINT "FK_150eaf542ff18f6b591c0d24a99" FOREIGN KEY ("template_id") REFERENCES "coupon_templates"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupons" ADD CONSTRAINT "FK_d694d2224149466cb4ea2f40a2a" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_perks" ADD CONSTRAINT "FK_617df729b55178775827554915b" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_perks" ADD CONSTRAINT "FK_f0b6c85d2f023b024d731f8536a" FOREIGN KEY ("tier_id") REFERENCES "tiers"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_perks" ADD CONSTRAINT "FK_62d129d31de61afecf9686c351b" FOREIGN KEY ("template_id") REFERENCES "coupon_templates"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_cursors" ADD CONSTRAINT "FK_fb6e5ad7c41beb0a6be38a1263d" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_perk_changes" ADD CONSTRAINT "FK_a364844765f79167e0618d40183" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_templates" ADD CONSTRAINT "FK_8cebf5932b83484a5326dc3a5e3" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "FK_65b0f55f9a0327917626795a380" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "FK_9df1b9bc48e3eea5da3762f8e56" FOREIGN KEY ("coupon_id") REFERENCES "coupons"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "FK_9a1610c9472d1ac3c00782a2b0c" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "FK_adb70aa4959d5b2676fa4fde836" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" ADD CONSTRAINT "FK_7e4d3c002519c8fc3a592add467" FOREIGN KEY ("reverses_id") REFERENCES "coupon_redemptions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_member_counts" ADD CONSTRAINT "FK_9fa067d4b402fc546fae12d3236" FOREIGN KEY ("template_id") REFERENCES "coupon_templates"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_member_counts" ADD CONSTRAINT "FK_2ff759ae9dc06019a99342f3bdb" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_batches" ADD CONSTRAINT "FK_a84b3e7622a9a6316ae348b1033" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_batches" ADD CONSTRAINT "FK_7aeaa068bfda025c889383e1047" FOREIGN KEY ("template_id") REFERENCES "coupon_templates"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "coupon_batches" DROP CONSTRAINT "FK_7aeaa068bfda025c889383e1047"`);
    await queryRunner.query(`ALTER TABLE "coupon_batches" DROP CONSTRAINT "FK_a84b3e7622a9a6316ae348b1033"`);
    await queryRunner.query(
      `ALTER TABLE "coupon_member_counts" DROP CONSTRAINT "FK_2ff759ae9dc06019a99342f3bdb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_member_counts" DROP CONSTRAINT "FK_9fa067d4b402fc546fae12d3236"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" DROP CONSTRAINT "FK_7e4d3c002519c8fc3a592add467"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" DROP CONSTRAINT "FK_adb70aa4959d5b2676fa4fde836"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" DROP CONSTRAINT "FK_9a1610c9472d1ac3c00782a2b0c"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" DROP CONSTRAINT "FK_9df1b9bc48e3eea5da3762f8e56"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_redemptions" DROP CONSTRAINT "FK_65b0f55f9a0327917626795a380"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_templates" DROP CONSTRAINT "FK_8cebf5932b83484a5326dc3a5e3"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_perk_changes" DROP CONSTRAINT "FK_a364844765f79167e0618d40183"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_cursors" DROP CONSTRAINT "FK_fb6e5ad7c41beb0a6be38a1263d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_perks" DROP CONSTRAINT "FK_62d129d31de61afecf9686c351b"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_perks" DROP CONSTRAINT "FK_f0b6c85d2f023b024d731f8536a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "coupon_tier_perks" DROP CONSTRAINT "FK_617df729b55178775827554915b"`,
    );
    await queryRunner.query(`ALTER TABLE "coupons" DROP CONSTRAINT "FK_d694d2224149466cb4ea2f40a2a"`);
    await queryRunner.query(`ALTER TABLE "coupons" DROP CONSTRAINT "FK_150eaf542ff18f6b591c0d24a99"`);
    await queryRunner.query(`ALTER TABLE "coupons" DROP CONSTRAINT "FK_8b01c80f944fef4d4553784977b"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_batches_template_idx"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_batches_open_idx"`);
    await queryRunner.query(`DROP TABLE "coupon_batches"`);
    await queryRunner.query(`DROP TABLE "coupon_member_counts"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_redemptions_order_key"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_redemptions_rollback_key"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_redemptions_template_idx"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_redemptions_order_idx"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_redemptions_member_idx"`);
    await queryRunner.query(`DROP TABLE "coupon_redemptions"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_templates_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "coupon_templates"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_tier_perk_changes_brand_idx"`);
    await queryRunner.query(`DROP TABLE "coupon_tier_perk_changes"`);
    await queryRunner.query(`DROP TABLE "coupon_tier_cursors"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_tier_perks_key"`);
    await queryRunner.query(`DROP INDEX "public"."coupon_tier_perks_brand_idx"`);
    await queryRunner.query(`DROP TABLE "coupon_tier_perks"`);
    await queryRunner.query(`DROP INDEX "public"."coupons_code_key"`);
    await queryRunner.query(`DROP INDEX "public"."coupons_issue_key"`);
    await queryRunner.query(`DROP INDEX "public"."coupons_member_idx"`);
    await queryRunner.query(`DROP INDEX "public"."coupons_template_idx"`);
    await queryRunner.query(`DROP INDEX "public"."coupons_expiry_idx"`);
    await queryRunner.query(`DROP TABLE "coupons"`);
  }
}
