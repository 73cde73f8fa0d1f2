import { MigrationInterface, QueryRunner } from 'typeorm';

export class PartnersSettlements1795359240877 implements MigrationInterface {
  name = 'PartnersSettlements1795359240877';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE "partner_uplifts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "partner_id" uuid, "tier" character varying(16), "rate_bp" integer NOT NULL, "starts_at" TIMESTAMP WITH TIME ZONE NOT NULL, "ends_at" TIMESTAMP WITH TIME ZONE NOT NULL, "skus" text array NOT NULL DEFAULT '{}', "categories" text array NOT NULL DEFAULT '{}', "min_orders" integer, "min_gmv_minor" bigint, "min_new_buyer_share_bp" integer, "closed_at" TIMESTAMP WITH TIME ZONE, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "partner_uplifts_values" CHECK (rate_bp BETWEEN 1 AND 10000 AND ends_at > starts_at AND (min_orders IS NULL OR min_orders >= 0)
   AND (min_gmv_minor IS NULL OR min_gmv_minor >= 0) AND (min_new_buyer_share_bp IS NULL OR min_new_buyer_share_bp BETWEEN 0 AND 10000)), CONSTRAINT "partner_uplifts_tier" CHECK (tier IS NULL OR tier IN ('pilot', 'standard', 'preferred')), CONSTRAINT "partner_uplifts_target" CHECK ((partner_id IS NULL) <> (tier IS NULL)), CONSTRAINT "PK_fb7481006269101d5dff9666f3b" PRIMARY KEY ("id"))`);
    await queryRunner.query(
      `CREATE INDEX "partner_uplifts_open_idx" ON "partner_uplifts" ("ends_at") WHERE closed_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_uplifts_brand_idx" ON "partner_uplifts" ("brand_id", "starts_at") `,
    );
    await queryRunner.query(`CREATE TABLE "partner_tier_configs" ("brand_id" uuid NOT NULL, "tier" character varying(16) NOT NULL, "base_rate_bp" integer NOT NULL, "holding_days" integer NOT NULL, "cap_minor" bigint, "min_payout_minor" bigint NOT NULL, "link_limit" integer, "promote_min_orders" integer, "promote_min_gmv_minor" bigint, "promote_window_days" integer NOT NULL, "promote_max_fraud_score" smallint NOT NULL, "demote_min_orders" integer, "demote_min_gmv_minor" bigint, "demote_window_days" integer NOT NULL, "demote_fraud_score" smallint, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "partner_tier_configs_values" CHECK (base_rate_bp BETWEEN 0 AND 10000 AND holding_days BETWEEN 0 AND 365 AND (cap_minor IS NULL OR cap_minor >= 0)
   AND min_payout_minor >= 0 AND (link_limit IS NULL OR link_limit >= 0)
   AND promote_window_days BETWEEN 1 AND 366 AND demote_window_days BETWEEN 1 AND 366
   AND promote_max_fraud_score BETWEEN 0 AND 101 AND (demote_fraud_score IS NULL OR demote_fraud_score BETWEEN 0 AND 100)), CONSTRAINT "partner_tier_configs_tier" CHECK (tier IN ('pilot', 'standard', 'preferred')), CONSTRAINT "PK_f9099abbbf2e199002187cd8de5" PRIMARY KEY ("brand_id", "tier"))`);
    await queryRunner.query(
      `CREATE TABLE "partner_tier_changes" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "partner_id" uuid NOT NULL, "from_status" character varying(16) NOT NULL, "to_status" character varying(16) NOT NULL, "from_tier" character varying(16), "to_tier" character varying(16), "reason" character varying(24) NOT NULL, "evidence" jsonb, "actor_id" uuid, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_2c2a7fbb1d65552f18d8be6cd66" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_tier_changes_partner_idx" ON "partner_tier_changes" ("partner_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_settlements" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "partner_id" uuid NOT NULL, "period_from" TIMESTAMP WITH TIME ZONE NOT NULL, "period_to" TIMESTAMP WITH TIME ZONE NOT NULL, "currency" character(3) NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'draft', "commissions_minor" bigint NOT NULL, "adjustments_minor" bigint NOT NULL, "total_minor" bigint NOT NULL, "min_payout_minor" bigint NOT NULL, "line_count" integer NOT NULL, "confirmed_at" TIMESTAMP WITH TIME ZONE, "paid_at" TIMESTAMP WITH TIME ZONE, "payout_reference" character varying(120), "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "partner_settlements_total" CHECK (total_minor = commissions_minor + adjustments_minor AND line_count >= 0), CONSTRAINT "partner_settlements_period" CHECK (period_to > period_from), CONSTRAINT "partner_settlements_status" CHECK (status IN ('draft', 'confirmed', 'paid', 'carried')), CONSTRAINT "PK_c38a7525d86e87170978ebabf1d" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "partner_settlements_period_key" ON "partner_settlements" ("partner_id", "period_from", "period_to") WHERE status <> 'carried'`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_settlements_brand_idx" ON "partner_settlements" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_settlements_partner_idx" ON "partner_settlements" ("partner_id", "period_to") `,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_settlement_lines" ("id" BIGSERIAL NOT NULL, "settlement_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "kind" character varying(12) NOT NULL, "commission_id" uuid NOT NULL, "adjustment_id" uuid, "order_id" uuid NOT NULL, "order_source" character varying(40) NOT NULL, "order_external_id" character varying(128) NOT NULL, "order_paid_at" TIMESTAMP WITH TIME ZONE NOT NULL, "commissionable_minor" bigint NOT NULL, "base_rate_bp" integer NOT NULL, "base_minor" bigint NOT NULL, "uplift_rate_bp" integer NOT NULL, "uplift_minor" bigint NOT NULL, "uplift_state" character varying(12) NOT NULL, "capped_minor" bigint NOT NULL, "amount_minor" bigint NOT NULL, "reason" character varying(48), CONSTRAINT "partner_settlement_lines_ref" CHECK ((kind = 'commission') = (adjustment_id IS NULL) AND commission_id IS NOT NULL), CONSTRAINT "partner_settlement_lines_kind" CHECK (kind IN ('commission', 'adjustment')), CONSTRAINT "PK_68c6d4cce7390bf236fec2aa600" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_settlement_lines_settlement_idx" ON "partner_settlement_lines" ("settlement_id", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_codes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "partner_id" uuid NOT NULL, "coupon_id" uuid NOT NULL, "template_id" uuid NOT NULL, "code" character varying(40) NOT NULL, "max_redemptions" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0ffd43cc8e2d0f7add570ccd3cf" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "partner_codes_coupon_key" ON "partner_codes" ("coupon_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_codes_partner_idx" ON "partner_codes" ("partner_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_adjustments" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "partner_id" uuid NOT NULL, "commission_id" uuid NOT NULL, "order_id" uuid NOT NULL, "currency" character(3) NOT NULL, "amount_minor" bigint NOT NULL, "reason" character varying(48) NOT NULL, "settlement_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "partner_adjustments_amount" CHECK (amount_minor <> 0), CONSTRAINT "PK_57473949fe4d48a9d5232c35921" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_adjustments_commission_idx" ON "partner_adjustments" ("commission_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_adjustments_open_idx" ON "partner_adjustments" ("partner_id", "created_at") WHERE settlement_id IS NULL`,
    );
    await queryRunner.query(`ALTER TABLE "partners" ADD "dedicated_template_id" uuid`);
    await queryRunner.query(
      `ALTER TABLE "partner_commissions" ADD "uplift_base_minor" bigint NOT NULL DEFAULT '0'`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_uplifts" ADD CONSTRAINT "FK_3ff9572138b65bcb4955210e2f1" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_uplifts" ADD CONSTRAINT "FK_803879e4aff9343f561de865571" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_tier_configs" ADD CONSTRAINT "FK_1de268de0e27feb068d201e5021" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_tier_changes" ADD CONSTRAINT "FK_551354d64288a44c7af4af262dc" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_tier_changes" ADD CONSTRAINT "FK_fc657a82e36ca5b147721dcc375" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_settlements" ADD CONSTRAINT "FK_3072c15e092ba6f502e970d2555" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_settlements" ADD CONSTRAINT "FK_0dfc3de44fba91299a2f403ae11" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_settlement_lines" ADD CONSTRAINT "FK_04cf60f5cb092705dbd6c15c0a7" FOREIGN KEY ("settlement_id") REFERENCES "partner_settlements"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_codes" ADD CONSTRAINT "FK_ea67385c12723d90c35dcdc746c" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_codes" ADD CONSTRAINT "FK_4e65298ca3aa8f836bdc49adc50" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_adjustments" ADD CONSTRAINT "FK_cbaf6152820fa92e740b2850e20" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_adjustments" ADD CONSTRAINT "FK_86d39cde6e9725bd67524fc61bd" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_adjustments" ADD CONSTRAINT "FK_9da34d26ce8fde4a9c7f9623cdc" FOREIGN KEY ("commission_id") REFERENCES "partner_commissions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    // Settlement immutability in the database (not only in code): once a batch is confirmed its
    // figures, its lines and its commissions' amounts never change; a paid batch stays paid.
    await queryRunner.query(`CREATE FUNCTION partner_settlement_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status IN ('confirmed', 'paid') THEN
      RAISE EXCEPTION 'settlement % is confirmed: it cannot be deleted', OLD.id
        USING ERRCODE = 'check_violation', CONSTRAINT = 'partner_settlements_immutable';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.status IN ('confirmed', 'paid') AND (
       NEW.partner_id, NEW.period_from, NEW.period_to, NEW.currency, NEW.commissions_minor, NEW.adjustments_minor,
       NEW.total_minor, NEW.min_payout_minor, NEW.line_count, NEW.confirmed_at)
       IS DISTINCT FROM (
       OLD.partner_id, OLD.period_from, OLD.period_to, OLD.currency, OLD.commissions_minor, OLD.adjustments_minor,
       OLD.total_minor, OLD.min_payout_minor, OLD.line_count, OLD.confirmed_at)
     OR (OLD.status = 'confirmed' AND NEW.status NOT IN ('confirmed', 'paid'))
     OR (OLD.status = 'paid' AND (NEW.status <> 'paid' OR NEW.paid_at IS DISTINCT FROM OLD.paid_at
                                  OR NEW.payout_reference IS DISTINCT FROM OLD.payout_reference)) THEN
    RAISE EXCEPTION 'settlement % is %: its figures cannot change', OLD.id, OLD.status
      USING ERRCODE = 'check_violation', CONSTRAINT = 'partner_settlements_immutable';
  END IF;
  RETURN NEW;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER partner_settlements_immutable BEFORE UPDATE OR DELETE ON partner_settlements
       FOR EACH ROW EXECUTE FUNCTION partner_settlement_guard()`,
    );
    await queryRunner.query(`CREATE FUNCTION partner_settlement_line_guard() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE s text;
BEGIN
  SELECT status INTO s FROM partner_settlements
   WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.settlement_id ELSE OLD.settlement_id END;
  IF (TG_OP = 'INSERT' AND s IS DISTINCT FROM 'draft') OR (TG_OP <> 'INSERT' AND s IN ('confirmed', 'paid')) THEN
    RAISE EXCEPTION 'the lines of a % settlement cannot change', coalesce(s, 'missing')
      USING ERRCODE = 'check_violation', CONSTRAINT = 'partner_settlements_immutable';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER partner_settlement_lines_immutable BEFORE INSERT OR UPDATE OR DELETE ON partner_settlement_lines
       FOR EACH ROW EXECUTE FUNCTION partner_settlement_line_guard()`,
    );
    await queryRunner.query(`CREATE FUNCTION partner_settled_row_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.settlement_id IS NOT NULL
     AND (to_jsonb(NEW) - ARRAY['status', 'paid_at', 'reason', 'uplift_state', 'updated_at']) IS DISTINCT FROM
         (to_jsonb(OLD) - ARRAY['status', 'paid_at', 'reason', 'uplift_state', 'updated_at'])
     AND EXISTS (SELECT 1 FROM partner_settlements WHERE id = OLD.settlement_id AND status IN ('confirmed', 'paid')) THEN
    RAISE EXCEPTION 'row % belongs to a confirmed settlement: its figures cannot change', OLD.id
      USING ERRCODE = 'check_violation', CONSTRAINT = 'partner_settlements_immutable';
  END IF;
  RETURN NEW;
END $$`);
    await queryRunner.query(
      `CREATE TRIGGER partner_commissions_settled BEFORE UPDATE ON partner_commissions
       FOR EACH ROW EXECUTE FUNCTION partner_settled_row_guard()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER partner_adjustments_settled BEFORE UPDATE ON partner_adjustments
       FOR EACH ROW EXECUTE FUNCTION partner_settled_row_guard()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER partner_adjustments_settled ON partner_adjustments`);
    await queryRunner.query(`DROP TRIGGER partner_commissions_settled ON partner_commissions`);
    await queryRunner.query(`DROP FUNCTION partner_settled_row_guard()`);
    await queryRunner.query(`DROP TRIGGER partner_settlement_lines_immutable ON partner_settlement_lines`);
    await queryRunner.query(`DROP FUNCTION partner_settlement_line_guard()`);
    await queryRunner.query(`DROP TRIGGER partner_settlements_immutable ON partner_settlements`);
    await queryRunner.query(`DROP FUNCTION partner_settlement_guard()`);
    await queryRunner.query(
      `ALTER TABLE "partner_adjustments" DROP CONSTRAINT "FK_9da34d26ce8fde4a9c7f9623cdc"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_adjustments" DROP CONSTRAINT "FK_86d39cde6e9725bd67524fc61bd"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_adjustments" DROP CONSTRAINT "FK_cbaf6152820fa92e740b2850e20"`,
    );
    await queryRunner.query(`ALTER TABLE "partner_codes" DROP CONSTRAINT "FK_4e65298ca3aa8f836bdc49adc50"`);
    await queryRunner.query(`ALTER TABLE "partner_codes" DROP CONSTRAINT "FK_ea67385c12723d90c35dcdc746c"`);
    await queryRunner.query(
      `ALTER TABLE "partner_settlement_lines" DROP CONSTRAINT "FK_04cf60f5cb092705dbd6c15c0a7"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_settlements" DROP CONSTRAINT "FK_0dfc3de44fba91299a2f403ae11"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_settlements" DROP CONSTRAINT "FK_3072c15e092ba6f502e970d2555"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_tier_changes" DROP CONSTRAINT "FK_fc657a82e36ca5b147721dcc375"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_tier_changes" DROP CONSTRAINT "FK_551354d64288a44c7af4af262dc"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_tier_configs" DROP CONSTRAINT "FK_1de268de0e27feb068d201e5021"`,
    );
    await queryRunner.query(`ALTER TABLE "partner_uplifts" DROP CONSTRAINT "FK_803879e4aff9343f561de865571"`);
    await queryRunner.query(`ALTER TABLE "partner_uplifts" DROP CONSTRAINT "FK_3ff9572138b65bcb4955210e2f1"`);
    await queryRunner.query(`ALTER TABLE "partner_commissions" DROP COLUMN "uplift_base_minor"`);
    await queryRunner.query(`ALTER TABLE "partners" DROP COLUMN "dedicated_template_id"`);
    await queryRunner.query(`DROP INDEX "public"."partner_adjustments_open_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_adjustments_commission_idx"`);
    await queryRunner.query(`DROP TABLE "partner_adjustments"`);
    await queryRunner.query(`DROP INDEX "public"."partner_codes_partner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_codes_coupon_key"`);
    await queryRunner.query(`DROP TABLE "partner_codes"`);
    await queryRunner.query(`DROP INDEX "public"."partner_settlement_lines_settlement_idx"`);
    await queryRunner.query(`DROP TABLE "partner_settlement_lines"`);
    await queryRunner.query(`DROP INDEX "public"."partner_settlements_partner_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_settlements_brand_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_settlements_period_key"`);
    await queryRunner.query(`DROP TABLE "partner_settlements"`);
    await queryRunner.query(`DROP INDEX "public"."partner_tier_changes_partner_idx"`);
    await queryRunner.query(`DROP TABLE "partner_tier_changes"`);
    await queryRunner.query(`DROP TABLE "partner_tier_configs"`);
    await queryRunner.query(`DROP INDEX "public"."partner_uplifts_brand_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_uplifts_open_idx"`);
    await queryRunner.query(`DROP TABLE "partner_uplifts"`);
  }
}
