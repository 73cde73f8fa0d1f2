import { MigrationInterface, QueryRunner } from 'typeorm';

export class PartnersCore1795359026949 implements MigrationInterface {
  name = 'PartnersCore1795359026949';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "partners" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "kind" character varying(20) NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'applied', "tier" character varying(16), "contact_email" character varying(254), "contact_phone" character varying(20), "member_id" uuid, "social_handles" jsonb NOT NULL DEFAULT '{}', "payout_sealed" text, "payout_hint" character varying(40), "activated_at" TIMESTAMP WITH TIME ZONE, "first_sale_at" TIMESTAMP WITH TIME ZONE, "fraud_score" smallint NOT NULL DEFAULT '0', "tier_changed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "partners_fraud_score" CHECK (fraud_score BETWEEN 0 AND 100), CONSTRAINT "partners_name_not_blank" CHECK (btrim(name) <> ''), CONSTRAINT "partners_tier_status" CHECK ((status = 'applied') = (tier IS NULL) AND (status NOT IN ('pilot', 'standard', 'preferred') OR tier = status)), CONSTRAINT "partners_tier" CHECK (tier IS NULL OR tier IN ('pilot', 'standard', 'preferred')), CONSTRAINT "partners_status" CHECK (status IN ('applied', 'pilot', 'standard', 'preferred', 'suspended', 'banned')), CONSTRAINT "partners_kind" CHECK (kind IN ('creator', 'koc', 'publisher', 'niche_network')), CONSTRAINT "PK_998645b20820e4ab99aeae03b41" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "partners_brand_phone_idx" ON "partners" ("brand_id", "contact_phone") WHERE contact_phone IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "partners_member_idx" ON "partners" ("member_id") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX "partners_brand_tier_idx" ON "partners" ("brand_id", "tier") `);
    await queryRunner.query(
      `CREATE INDEX "partners_brand_created_idx" ON "partners" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(`CREATE TABLE "partner_commissions" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "partner_id" uuid NOT NULL, "order_id" uuid NOT NULL, "attributed_by" character varying(16) NOT NULL, "tier" character varying(16) NOT NULL, "currency" character(3) NOT NULL, "commissionable_minor" bigint NOT NULL, "base_rate_bp" integer NOT NULL, "base_minor" bigint NOT NULL, "uplift_id" uuid, "uplift_rate_bp" integer NOT NULL DEFAULT '0', "uplift_minor" bigint NOT NULL DEFAULT '0', "uplift_state" character varying(12) NOT NULL DEFAULT 'none', "capped_minor" bigint NOT NULL DEFAULT '0', "amount_minor" bigint NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'pending', "order_paid_at" TIMESTAMP WITH TIME ZONE NOT NULL, "hold_until" TIMESTAMP WITH TIME ZONE NOT NULL, "approved_at" TIMESTAMP WITH TIME ZONE, "paid_at" TIMESTAMP WITH TIME ZONE, "reversed_at" TIMESTAMP WITH TIME ZONE, "reason" character varying(64), "settlement_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "partner_commissions_currency" CHECK (currency ~ '^[A-Z]{3}$'), CONSTRAINT "partner_commissions_uplift" CHECK ((uplift_state = 'none') = (uplift_id IS NULL)), CONSTRAINT "partner_commissions_amounts" CHECK (commissionable_minor >= 0 AND base_rate_bp BETWEEN 0 AND 10000 AND uplift_rate_bp BETWEEN 0 AND 10000
   AND base_minor >= 0 AND uplift_minor >= 0 AND capped_minor >= 0 AND amount_minor >= 0), CONSTRAINT "partner_commissions_uplift_state" CHECK (uplift_state IN ('none', 'gated', 'released', 'forfeited')), CONSTRAINT "partner_commissions_tier" CHECK (tier IN ('pilot', 'standard', 'preferred')), CONSTRAINT "partner_commissions_status" CHECK (status IN ('pending', 'approved', 'paid', 'reversed', 'held', 'rejected')), CONSTRAINT "PK_85ed05b111630f525888efb5680" PRIMARY KEY ("id"))`);
    await queryRunner.query(
      `CREATE INDEX "partner_commissions_settlement_idx" ON "partner_commissions" ("settlement_id") WHERE settlement_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_commissions_due_idx" ON "partner_commissions" ("brand_id", "hold_until") WHERE status = 'pending'`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_commissions_partner_idx" ON "partner_commissions" ("partner_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "partner_commissions_order_key" ON "partner_commissions" ("brand_id", "order_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "partners" ADD CONSTRAINT "FK_49b9141df65d2553a05d01ad620" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partners" ADD CONSTRAINT "FK_baa44bc978c8c4cddf6567b7d0b" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_commissions" ADD CONSTRAINT "FK_d365a1590c93462ddec8662e8a6" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_commissions" ADD CONSTRAINT "FK_febfa51b00d84a4286b72792792" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_commissions" ADD CONSTRAINT "FK_dcc60d204e1fda929cb75300fc2" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "partner_commissions" DROP CONSTRAINT "FK_dcc60d204e1fda929cb75300fc2"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_commissions" DROP CONSTRAINT "FK_febfa51b00d84a4286b72792792"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_commissions" DROP CONSTRAINT "FK_d365a1590c93462ddec8662e8a6"`,
    );
    await queryRunner.query(`ALTER TABLE "partners" DROP CONSTRAINT "FK_baa44bc978c8c4cddf6567b7d0b"`);
    await queryRunner.query(`ALTER TABLE "partners" DROP CONSTRAINT "FK_49b9141df65d2553a05d01ad620"`);
    await queryRunner.query(`DROP INDEX "public"."partner_commissions_order_key"`);
    await queryRunner.query(`DROP INDEX "public"."partner_commissions_partner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_commissions_due_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_commissions_settlement_idx"`);
    await queryRunner.query(`DROP TABLE "partner_commissions"`);
    await queryRunner.query(`DROP INDEX "public"."partners_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partners_brand_tier_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partners_member_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partners_brand_phone_idx"`);
    await queryRunner.query(`DROP TABLE "partners"`);
  }
}
