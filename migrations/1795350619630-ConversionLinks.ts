import { MigrationInterface, QueryRunner } from 'typeorm';

export class ConversionLinks1795350619630 implements MigrationInterface {
  name = 'ConversionLinks1795350619630';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "tracked_links" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "code" character varying(16) NOT NULL, "name" character varying(120), "destination" text NOT NULL, "utm" jsonb NOT NULL DEFAULT '{}', "campaign_id" uuid, "campaign_variant" smallint, "group_id" uuid, "live_session_id" uuid, "partner_id" uuid, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_91722d835171d2822e4d33516fb" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "tracked_links_brand_created_idx" ON "tracked_links" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "tracked_links_code_key" ON "tracked_links" ("code") `);
    await queryRunner.query(
      `CREATE TABLE "order_attributions" ("order_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "rule" character varying(16) NOT NULL, "campaign_id" uuid, "campaign_variant" smallint, "link_id" uuid, "click_id" bigint, "coupon_id" uuid, "group_id" uuid, "live_session_id" uuid, "partner_id" uuid, "link_code" character varying(32), "first_click_id" bigint, "first_link_id" uuid, "first_campaign_id" uuid, "window_days" integer NOT NULL, "attributed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "order_attributions_rule" CHECK (rule IN ('coupon', 'link_code', 'last_click', 'none')), CONSTRAINT "PK_0f50234e320ab7776e674d14a7a" PRIMARY KEY ("order_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "order_attributions_brand_idx" ON "order_attributions" ("brand_id", "rule") `,
    );
    await queryRunner.query(
      `CREATE INDEX "order_attributions_partner_idx" ON "order_attributions" ("partner_id") WHERE partner_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "order_attributions_link_idx" ON "order_attributions" ("link_id") WHERE link_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "order_attributions_campaign_idx" ON "order_attributions" ("campaign_id") WHERE campaign_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "link_codes" ("code" character varying(16) NOT NULL, "brand_id" uuid NOT NULL, "link_id" uuid NOT NULL, "delivery_id" bigint, "campaign_id" uuid, "campaign_variant" smallint, "member_id" uuid, "group_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_6e5743f84fbf9e5e34ea56170fe" PRIMARY KEY ("code"))`,
    );
    await queryRunner.query(`CREATE INDEX "link_codes_link_idx" ON "link_codes" ("link_id") `);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "link_codes_delivery_key" ON "link_codes" ("link_id", "delivery_id") WHERE delivery_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE TABLE "link_clicks" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "link_id" uuid NOT NULL, "code" character varying(16) NOT NULL, "member_id" uuid, "campaign_id" uuid, "campaign_variant" smallint, "group_id" uuid, "live_session_id" uuid, "partner_id" uuid, "delivery_id" bigint, "ip_hash" character varying(64) NOT NULL, "clicked_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_19d536461401f505e14ddf46ae6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "link_clicks_dedupe_idx" ON "link_clicks" ("code", "ip_hash", "clicked_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "link_clicks_campaign_idx" ON "link_clicks" ("campaign_id", "clicked_at") WHERE campaign_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "link_clicks_member_idx" ON "link_clicks" ("member_id", "clicked_at") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "link_clicks_brand_clicked_idx" ON "link_clicks" ("brand_id", "clicked_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "link_clicks_link_idx" ON "link_clicks" ("link_id", "clicked_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "conversion_settings" ("brand_id" uuid NOT NULL, "allowed_domains" text array NOT NULL DEFAULT '{}', "attribution_window_days" integer NOT NULL DEFAULT '7', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "conversion_settings_window" CHECK (attribution_window_days BETWEEN 1 AND 90), CONSTRAINT "PK_414a5c1f7cce35116452c4d4861" PRIMARY KEY ("brand_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "tracked_links" ADD CONSTRAINT "FK_3125f66db933229d25c64fbe11d" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tracked_links" ADD CONSTRAINT "FK_2f07afad4139288c139a00ff822" FOREIGN KEY ("campaign_id") REFERENCES "campaigns"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "tracked_links" ADD CONSTRAINT "FK_4b60b079f15aa72a42bf3fadae0" FOREIGN KEY ("group_id") REFERENCES "community_groups"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "order_attributions" ADD CONSTRAINT "FK_0f50234e320ab7776e674d14a7a" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "link_codes" ADD CONSTRAINT "FK_9c776c29b5d26f9e8507fd7d669" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "link_codes" ADD CONSTRAINT "FK_4ba4bcb0e1be28c8706d4b01495" FOREIGN KEY ("link_id") REFERENCES "tracked_links"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "link_codes" ADD CONSTRAINT "FK_6b2c78052ca3b3ada3b4c09f698" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "link_clicks" ADD CONSTRAINT "FK_3505cbd732847a1d400304c5447" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "link_clicks" ADD CONSTRAINT "FK_a298f7ba758d106f2e257a089df" FOREIGN KEY ("link_id") REFERENCES "tracked_links"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "link_clicks" ADD CONSTRAINT "FK_a2287378b17f398c9204bfa8d09" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "conversion_settings" ADD CONSTRAINT "FK_414a5c1f7cce35116452c4d4861" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "conversion_settings" DROP CONSTRAINT "FK_414a5c1f7cce35116452c4d4861"`,
    );
    await queryRunner.query(`ALTER TABLE "link_clicks" DROP CONSTRAINT "FK_a2287378b17f398c9204bfa8d09"`);
    await queryRunner.query(`ALTER TABLE "link_clicks" DROP CONSTRAINT "FK_a298f7ba758d106f2e257a089df"`);
    await queryRunner.query(`ALTER TABLE "link_clicks" DROP CONSTRAINT "FK_3505cbd732847a1d400304c5447"`);
    await queryRunner.query(`ALTER TABLE "link_codes" DROP CONSTRAINT "FK_6b2c78052ca3b3ada3b4c09f698"`);
    await queryRunner.query(`ALTER TABLE "link_codes" DROP CONSTRAINT "FK_4ba4bcb0e1be28c8706d4b01495"`);
    await queryRunner.query(`ALTER TABLE "link_codes" DROP CONSTRAINT "FK_9c776c29b5d26f9e8507fd7d669"`);
    await queryRunner.query(
      `ALTER TABLE "order_attributions" DROP CONSTRAINT "FK_0f50234e320ab7776e674d14a7a"`,
    );
    await queryRunner.query(`ALTER TABLE "tracked_links" DROP CONSTRAINT "FK_4b60b079f15aa72a42bf3fadae0"`);
    await queryRunner.query(`ALTER TABLE "tracked_links" DROP CONSTRAINT "FK_2f07afad4139288c139a00ff822"`);
    await queryRunner.query(`ALTER TABLE "tracked_links" DROP CONSTRAINT "FK_3125f66db933229d25c64fbe11d"`);
    await queryRunner.query(`DROP TABLE "conversion_settings"`);
    await queryRunner.query(`DROP INDEX "public"."link_clicks_link_idx"`);
    await queryRunner.query(`DROP INDEX "public"."link_clicks_brand_clicked_idx"`);
    await queryRunner.query(`DROP INDEX "public"."link_clicks_member_idx"`);
    await queryRunner.query(`DROP INDEX "public"."link_clicks_campaign_idx"`);
    await queryRunner.query(`DROP INDEX "public"."link_clicks_dedupe_idx"`);
    await queryRunner.query(`DROP TABLE "link_clicks"`);
    await queryRunner.query(`DROP INDEX "public"."link_codes_delivery_key"`);
    await queryRunner.query(`DROP INDEX "public"."link_codes_link_idx"`);
    await queryRunner.query(`DROP TABLE "link_codes"`);
    await queryRunner.query(`DROP INDEX "public"."order_attributions_campaign_idx"`);
    await queryRunner.query(`DROP INDEX "public"."order_attributions_link_idx"`);
    await queryRunner.query(`DROP INDEX "public"."order_attributions_partner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."order_attributions_brand_idx"`);
    await queryRunner.query(`DROP TABLE "order_attributions"`);
    await queryRunner.query(`DROP INDEX "public"."tracked_links_code_key"`);
    await queryRunner.query(`DROP INDEX "public"."tracked_links_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "tracked_links"`);
  }
}
