import { MigrationInterface, QueryRunner } from 'typeorm';

export class PartnersRisk1795363656573 implements MigrationInterface {
  name = 'PartnersRisk1795363656573';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "partner_reconciliations" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "source_id" uuid NOT NULL, "period_from" TIMESTAMP WITH TIME ZONE NOT NULL, "period_to" TIMESTAMP WITH TIME ZONE NOT NULL, "filename" character varying(255) NOT NULL, "sha256" character(64) NOT NULL, "byte_size" bigint NOT NULL, "report_rows" integer NOT NULL, "matched_count" integer NOT NULL DEFAULT '0', "amount_mismatch_count" integer NOT NULL DEFAULT '0', "status_mismatch_count" integer NOT NULL DEFAULT '0', "missing_in_siyu_count" integer NOT NULL DEFAULT '0', "missing_in_report_count" integer NOT NULL DEFAULT '0', "invalid_count" integer NOT NULL DEFAULT '0', "report_commission_minor" bigint NOT NULL DEFAULT '0', "siyu_commission_minor" bigint NOT NULL DEFAULT '0', "currency" character(3) NOT NULL, "created_by_type" character varying(16) NOT NULL, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "partner_reconciliations_period" CHECK (period_from < period_to), CONSTRAINT "PK_00bbc24d1ea30127683352cd356" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_reconciliations_brand_created_idx" ON "partner_reconciliations" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_reconciliation_chunks" ("reconciliation_id" uuid NOT NULL, "seq" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "PK_70c20d2be8c72a983d5fdbdc61a" PRIMARY KEY ("reconciliation_id", "seq"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "partner_reconciliation_lines" ("id" BIGSERIAL NOT NULL, "reconciliation_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "kind" character varying(20) NOT NULL, "report_line" integer, "sub_order_id" character varying(64), "parent_order_id" character varying(64), "order_id" uuid, "report_status" character varying(40), "report_order_status" character varying(20), "report_paid_minor" bigint, "report_commission_minor" bigint, "siyu_order_status" character varying(20), "siyu_paid_minor" bigint, "siyu_commission_minor" bigint, "difference_minor" bigint, "errors" jsonb, "resolution" character varying(16), "agreed_commission_minor" bigint, "resolution_note" character varying(500), "resolved_at" TIMESTAMP WITH TIME ZONE, "resolved_by_type" character varying(16), "resolved_by_id" uuid, CONSTRAINT "partner_reconciliation_lines_resolution" CHECK (resolution IS NULL OR (resolution IN ('accept_report', 'accept_siyu', 'note') AND kind NOT IN ('matched', 'invalid'))), CONSTRAINT "partner_reconciliation_lines_kind" CHECK (kind IN ('matched', 'amount_mismatch', 'status_mismatch', 'missing_in_siyu', 'missing_in_report', 'invalid')), CONSTRAINT "PK_7899ba21dee39ec3a550f4311fc" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_reconciliation_lines_run_sub_order_idx" ON "partner_reconciliation_lines" ("reconciliation_id", "sub_order_id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_reconciliation_lines_run_kind_idx" ON "partner_reconciliation_lines" ("reconciliation_id", "kind", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_reconciliation_lines_run_idx" ON "partner_reconciliation_lines" ("reconciliation_id", "id") `,
    );
    await queryRunner.query(`CREATE TABLE "partner_fraud_settings" ("brand_id" uuid NOT NULL, "click_flood_max_clicks" integer NOT NULL DEFAULT '20', "click_flood_window_minutes" integer NOT NULL DEFAULT '60', "duplicate_window_minutes" integer NOT NULL DEFAULT '30', "conversion_window_days" integer NOT NULL DEFAULT '30', "conversion_min_clicks" integer NOT NULL DEFAULT '20', "conversion_multiplier_pct" integer NOT NULL DEFAULT '300', "conversion_default_norm_bp" integer NOT NULL DEFAULT '500', "quick_refund_hours" integer NOT NULL DEFAULT '24', "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "partner_fraud_settings_positive" CHECK (click_flood_window_minutes > 0 AND click_flood_max_clicks > 0 AND duplicate_window_minutes > 0
   AND conversion_window_days > 0 AND conversion_min_clicks > 0 AND conversion_multiplier_pct >= 100
   AND conversion_default_norm_bp BETWEEN 1 AND 10000 AND quick_refund_hours > 0), CONSTRAINT "PK_44bb7f1c9bf734a9c891229b6f0" PRIMARY KEY ("brand_id"))`);
    await queryRunner.query(
      `CREATE TABLE "partner_fraud_flags" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "partner_id" uuid NOT NULL, "commission_id" uuid NOT NULL, "order_id" uuid NOT NULL, "kind" character varying(24) NOT NULL, "evidence" jsonb NOT NULL, "held_from" character varying(12), "held" boolean NOT NULL, "status" character varying(12) NOT NULL DEFAULT 'open', "reviewed_at" TIMESTAMP WITH TIME ZONE, "reviewed_by_type" character varying(16), "reviewed_by_id" uuid, "review_note" character varying(500), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "partner_fraud_flags_reviewed" CHECK ((status = 'open') = (reviewed_at IS NULL)), CONSTRAINT "partner_fraud_flags_status" CHECK (status IN ('open', 'approved', 'rejected')), CONSTRAINT "partner_fraud_flags_kind" CHECK (kind IN ('self_purchase', 'click_flood', 'duplicate_order', 'conversion_rate', 'quick_refund')), CONSTRAINT "PK_55d3906cfee3f56631626db5b97" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_fraud_flags_partner_idx" ON "partner_fraud_flags" ("partner_id", "created_at") `,
    );
    await queryRunner.query(
      `CREATE INDEX "partner_fraud_flags_brand_created_idx" ON "partner_fraud_flags" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "partner_fraud_flags_commission_key" ON "partner_fraud_flags" ("commission_id", "kind") `,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_reconciliations" ADD CONSTRAINT "FK_7402eefa186488500c288324d77" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_reconciliations" ADD CONSTRAINT "FK_4867d8811e8a782ccc10f579ff3" FOREIGN KEY ("source_id") REFERENCES "order_sources"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_reconciliation_chunks" ADD CONSTRAINT "FK_13bf261bff2b1029f0ff5a3486d" FOREIGN KEY ("reconciliation_id") REFERENCES "partner_reconciliations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_reconciliation_lines" ADD CONSTRAINT "FK_9018b80a7504082cd43a08004c7" FOREIGN KEY ("reconciliation_id") REFERENCES "partner_reconciliations"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_fraud_settings" ADD CONSTRAINT "FK_44bb7f1c9bf734a9c891229b6f0" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_fraud_flags" ADD CONSTRAINT "FK_e1a79886d5e118fdd18d366c793" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_fraud_flags" ADD CONSTRAINT "FK_b9809209311e3a77e80da0a2a9e" FOREIGN KEY ("partner_id") REFERENCES "partners"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_fraud_flags" ADD CONSTRAINT "FK_76ce9b9fae8519f994eeb33c436" FOREIGN KEY ("commission_id") REFERENCES "partner_commissions"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "partner_fraud_flags" DROP CONSTRAINT "FK_76ce9b9fae8519f994eeb33c436"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_fraud_flags" DROP CONSTRAINT "FK_b9809209311e3a77e80da0a2a9e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_fraud_flags" DROP CONSTRAINT "FK_e1a79886d5e118fdd18d366c793"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_fraud_settings" DROP CONSTRAINT "FK_44bb7f1c9bf734a9c891229b6f0"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_reconciliation_lines" DROP CONSTRAINT "FK_9018b80a7504082cd43a08004c7"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_reconciliation_chunks" DROP CONSTRAINT "FK_13bf261bff2b1029f0ff5a3486d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_reconciliations" DROP CONSTRAINT "FK_4867d8811e8a782ccc10f579ff3"`,
    );
    await queryRunner.query(
      `ALTER TABLE "partner_reconciliations" DROP CONSTRAINT "FK_7402eefa186488500c288324d77"`,
    );
    await queryRunner.query(`DROP INDEX "public"."partner_fraud_flags_commission_key"`);
    await queryRunner.query(`DROP INDEX "public"."partner_fraud_flags_brand_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_fraud_flags_partner_idx"`);
    await queryRunner.query(`DROP TABLE "partner_fraud_flags"`);
    await queryRunner.query(`DROP TABLE "partner_fraud_settings"`);
    await queryRunner.query(`DROP INDEX "public"."partner_reconciliation_lines_run_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_reconciliation_lines_run_kind_idx"`);
    await queryRunner.query(`DROP INDEX "public"."partner_reconciliation_lines_run_sub_order_idx"`);
    await queryRunner.query(`DROP TABLE "partner_reconciliation_lines"`);
    await queryRunner.query(`DROP TABLE "partner_reconciliation_chunks"`);
    await queryRunner.query(`DROP INDEX "public"."partner_reconciliations_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "partner_reconciliations"`);
  }
}
