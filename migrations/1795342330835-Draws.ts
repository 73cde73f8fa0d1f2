import { MigrationInterface, QueryRunner } from 'typeorm';

export class Draws1795342330835 implements MigrationInterface {
  name = 'Draws1795342330835';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "draws" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "rules" text NOT NULL DEFAULT '', "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'draft', "eligibility" jsonb NOT NULL DEFAULT '{}', "limit_total" integer, "limit_per_day" integer, "fallback_name" character varying(120) NOT NULL, "fallback_weight" integer NOT NULL DEFAULT '0', "seed" bytea, "commitment" character varying(64), "published_at" TIMESTAMP WITH TIME ZONE, "closed_at" TIMESTAMP WITH TIME ZONE, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "draws_committed" CHECK (status = 'draft' OR (seed IS NOT NULL AND commitment IS NOT NULL AND published_at IS NOT NULL)), CONSTRAINT "draws_fallback_weight" CHECK (fallback_weight >= 0), CONSTRAINT "draws_limits_positive" CHECK ((limit_total IS NULL OR limit_total > 0) AND (limit_per_day IS NULL OR limit_per_day > 0)), CONSTRAINT "draws_name_not_blank" CHECK (btrim(name) <> ''), CONSTRAINT "draws_window" CHECK (ends_at > starts_at), CONSTRAINT "draws_status" CHECK (status IN ('draft', 'published', 'closed')), CONSTRAINT "PK_abe4e6df5ea65731c53b968f8d1" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "draws_brand_created_idx" ON "draws" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "draw_prizes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "draw_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "position" smallint NOT NULL, "name" character varying(120) NOT NULL, "weight" integer NOT NULL, "kind" character varying(16) NOT NULL, "coupon_template_id" uuid, "note" text, "stock" integer, "remaining" integer, CONSTRAINT "draw_prizes_coupon" CHECK ((kind = 'coupon') = (coupon_template_id IS NOT NULL)), CONSTRAINT "draw_prizes_stock" CHECK ((stock IS NULL AND remaining IS NULL) OR (stock > 0 AND remaining >= 0 AND remaining <= stock)), CONSTRAINT "draw_prizes_weight" CHECK (weight > 0), CONSTRAINT "draw_prizes_kind" CHECK (kind IN ('coupon', 'physical')), CONSTRAINT "PK_4a7fedcc3ca0369f00cf7c35b1a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "draw_prizes_position_key" ON "draw_prizes" ("draw_id", "position") `,
    );
    await queryRunner.query(
      `CREATE TABLE "draw_member_counts" ("draw_id" uuid NOT NULL, "member_id" uuid NOT NULL, "period" character varying(10) NOT NULL, "brand_id" uuid NOT NULL, "n" integer NOT NULL, CONSTRAINT "draw_member_counts_period" CHECK (period = 'total' OR period ~ '^\\d{4}-\\d{2}-\\d{2}$'), CONSTRAINT "draw_member_counts_n" CHECK (n > 0), CONSTRAINT "PK_4aae791707087270de01f8c6611" PRIMARY KEY ("draw_id", "member_id", "period"))`,
    );
    await queryRunner.query(`CREATE TABLE "draw_entries" ("id" uuid NOT NULL, "draw_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "member_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "local_day" date NOT NULL, "slot" smallint, "outcome" character varying(16) NOT NULL, "prize_id" uuid, "fallback_reason" character varying(24), "coupon_id" uuid, "coupon_code" character varying(64), "detail" character varying(200), "actor_type" character varying(16) NOT NULL, "actor_id" uuid, CONSTRAINT "draw_entries_actor_type" CHECK (actor_type IN ('member', 'operator', 'api_key', 'system')), CONSTRAINT "draw_entries_outcome_shape" CHECK ((outcome = 'won' AND prize_id IS NOT NULL AND slot IS NOT NULL AND fallback_reason IS NULL)
   OR (outcome = 'fallback' AND prize_id IS NULL AND fallback_reason IS NOT NULL
       AND (fallback_reason = 'drawn') = (slot IS NULL))), CONSTRAINT "draw_entries_fallback_reason" CHECK (fallback_reason IS NULL OR fallback_reason IN ('drawn', 'out_of_stock', 'prize_unavailable')), CONSTRAINT "draw_entries_outcome" CHECK (outcome IN ('won', 'fallback')), CONSTRAINT "PK_f4d997d2edee22cbaa9e02733f9" PRIMARY KEY ("id"))`);
    await queryRunner.query(
      `CREATE INDEX "draw_entries_member_idx" ON "draw_entries" ("brand_id", "member_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "draw_entries_draw_member_idx" ON "draw_entries" ("draw_id", "member_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "draw_entries_draw_created_idx" ON "draw_entries" ("draw_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "draws" ADD CONSTRAINT "FK_f4846c6c1a9c127f038955f14a9" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "draw_prizes" ADD CONSTRAINT "FK_4cc4d743bf11e8da9d3e4c3b0ef" FOREIGN KEY ("draw_id") REFERENCES "draws"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "draw_prizes" ADD CONSTRAINT "FK_2db54d9c0555a620269bd3be5ab" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "draw_member_counts" ADD CONSTRAINT "FK_a36d09ea0c8558a7649daaa2cd1" FOREIGN KEY ("draw_id") REFERENCES "draws"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "draw_member_counts" ADD CONSTRAINT "FK_5a37d4060552a885df211eda4e1" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "draw_entries" ADD CONSTRAINT "FK_1edee0bfdfdf1ea89adf3b60805" FOREIGN KEY ("draw_id") REFERENCES "draws"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "draw_entries" ADD CONSTRAINT "FK_aec6deb572ffe2fbe7b0cf7f959" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "draw_entries" ADD CONSTRAINT "FK_2905c5143b94664309906d88e95" FOREIGN KEY ("prize_id") REFERENCES "draw_prizes"("id") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "draw_entries" DROP CONSTRAINT "FK_2905c5143b94664309906d88e95"`);
    await queryRunner.query(`ALTER TABLE "draw_entries" DROP CONSTRAINT "FK_aec6deb572ffe2fbe7b0cf7f959"`);
    await queryRunner.query(`ALTER TABLE "draw_entries" DROP CONSTRAINT "FK_1edee0bfdfdf1ea89adf3b60805"`);
    await queryRunner.query(
      `ALTER TABLE "draw_member_counts" DROP CONSTRAINT "FK_5a37d4060552a885df211eda4e1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "draw_member_counts" DROP CONSTRAINT "FK_a36d09ea0c8558a7649daaa2cd1"`,
    );
    await queryRunner.query(`ALTER TABLE "draw_prizes" DROP CONSTRAINT "FK_2db54d9c0555a620269bd3be5ab"`);
    await queryRunner.query(`ALTER TABLE "draw_prizes" DROP CONSTRAINT "FK_4cc4d743bf11e8da9d3e4c3b0ef"`);
    await queryRunner.query(`ALTER TABLE "draws" DROP CONSTRAINT "FK_f4846c6c1a9c127f038955f14a9"`);
    await queryRunner.query(`DROP INDEX "public"."draw_entries_draw_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."draw_entries_draw_member_idx"`);
    await queryRunner.query(`DROP INDEX "public"."draw_entries_member_idx"`);
    await queryRunner.query(`DROP TABLE "draw_entries"`);
    await queryRunner.query(`DROP TABLE "draw_member_counts"`);
    await queryRunner.query(`DROP INDEX "public"."draw_prizes_position_key"`);
    await queryRunner.query(`DROP TABLE "draw_prizes"`);
    await queryRunner.query(`DROP INDEX "public"."draws_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "draws"`);
  }
}
