import { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1795319958006 implements MigrationInterface {
  name = 'Foundation1795319958006';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "brands" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "name" character varying(120) NOT NULL, "time_zone" character varying(64) NOT NULL DEFAULT 'Asia/Shanghai', "currency" character(3) NOT NULL DEFAULT 'CNY', "quiet_hours_start" TIME, "quiet_hours_end" TIME, "frequency_cap_count" integer NOT NULL DEFAULT '3', "frequency_cap_window_hours" integer NOT NULL DEFAULT '24', "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "brands_frequency_cap_positive" CHECK (frequency_cap_count >= 0 AND frequency_cap_window_hours > 0), CONSTRAINT "brands_currency_iso" CHECK (currency ~ '^[A-Z]{3}$'), CONSTRAINT "PK_b0c437120b624da1034a81fc561" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "work_items" ("id" BIGSERIAL NOT NULL, "brand_id" uuid, "queue" character varying(64) NOT NULL, "name" character varying(64) NOT NULL, "payload" jsonb NOT NULL, "dedupe_key" character varying(200), "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "run_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "locked_until" TIMESTAMP WITH TIME ZONE, "last_error" text, "completed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "work_items_attempts" CHECK (attempts >= 0), CONSTRAINT "work_items_status" CHECK (status IN ('pending', 'running', 'done', 'failed')), CONSTRAINT "PK_afbfa01728533c866eafaf6f160" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "work_items_open_idx" ON "work_items" ("status", "run_at") WHERE status IN ('pending', 'running')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "work_items_dedupe_key" ON "work_items" ("queue", "dedupe_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "operators" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "email" character varying(254) NOT NULL, "name" character varying(120) NOT NULL, "password_hash" text NOT NULL, "role" character varying(32) NOT NULL, "disabled_at" TIMESTAMP WITH TIME ZONE, "last_login_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "operators_role" CHECK (role IN ('owner', 'operator', 'community_manager', 'marketer')), CONSTRAINT "PK_3d02b3692836893720335a79d1b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "operators_email_key" ON "operators" ("email") `);
    await queryRunner.query(`CREATE INDEX "operators_brand_idx" ON "operators" ("brand_id") `);
    await queryRunner.query(
      `CREATE TABLE "refresh_tokens" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "operator_id" uuid NOT NULL, "brand_id" uuid NOT NULL, "family_id" uuid NOT NULL, "token_hash" character(64) NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "revoked_at" TIMESTAMP WITH TIME ZONE, "rotated_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_7d8bee0204106019488c4c50ffa" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "refresh_tokens_hash_key" ON "refresh_tokens" ("token_hash") `,
    );
    await queryRunner.query(
      `CREATE INDEX "refresh_tokens_operator_idx" ON "refresh_tokens" ("operator_id") `,
    );
    await queryRunner.query(`CREATE INDEX "refresh_tokens_family_idx" ON "refresh_tokens" ("family_id") `);
    await queryRunner.query(
      `CREATE TABLE "api_keys" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(120) NOT NULL, "prefix" character varying(24) NOT NULL, "secret_hash" character(64) NOT NULL, "role" character varying(32) NOT NULL, "created_by" uuid, "last_used_at" TIMESTAMP WITH TIME ZONE, "revoked_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "api_keys_role" CHECK (role IN ('owner', 'operator', 'community_manager', 'marketer')), CONSTRAINT "PK_5c8a79801b44bd27b79228e1dad" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys" ("prefix") `);
    await queryRunner.query(`CREATE INDEX "api_keys_brand_idx" ON "api_keys" ("brand_id") `);
    await queryRunner.query(
      `CREATE TABLE "audit_log" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "actor_type" character varying(16) NOT NULL, "actor_id" uuid, "action" character varying(80) NOT NULL, "entity_type" character varying(60) NOT NULL, "entity_id" character varying(80) NOT NULL, "before" jsonb, "after" jsonb, "request_id" character varying(64), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "audit_log_actor_type" CHECK (actor_type IN ('operator', 'api_key', 'system')), CONSTRAINT "PK_07fefa57f7f5ab8fc3f52b3ed0b" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "audit_log_entity_idx" ON "audit_log" ("brand_id", "entity_type", "entity_id") `,
    );
    await queryRunner.query(`CREATE INDEX "audit_log_brand_id_idx" ON "audit_log" ("brand_id", "id") `);
    await queryRunner.query(
      `ALTER TABLE "work_items" ADD CONSTRAINT "FK_3d716009347d5ca03fcdabfb5fd" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "operators" ADD CONSTRAINT "FK_25c54cf228331464e73895d9e53" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_88cf6ae127b327bae5bf4f9b403" FOREIGN KEY ("operator_id") REFERENCES "operators"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "refresh_tokens" ADD CONSTRAINT "FK_9a94325b73c2a115fbc5899d1d4" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "api_keys" ADD CONSTRAINT "FK_b4695e047c9a63bce6842993d13" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "audit_log" ADD CONSTRAINT "FK_210d494857c0788750beb651166" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "audit_log" DROP CONSTRAINT "FK_210d494857c0788750beb651166"`);
    await queryRunner.query(`ALTER TABLE "api_keys" DROP CONSTRAINT "FK_b4695e047c9a63bce6842993d13"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_9a94325b73c2a115fbc5899d1d4"`);
    await queryRunner.query(`ALTER TABLE "refresh_tokens" DROP CONSTRAINT "FK_88cf6ae127b327bae5bf4f9b403"`);
    await queryRunner.query(`ALTER TABLE "operators" DROP CONSTRAINT "FK_25c54cf228331464e73895d9e53"`);
    await queryRunner.query(`ALTER TABLE "work_items" DROP CONSTRAINT "FK_3d716009347d5ca03fcdabfb5fd"`);
    await queryRunner.query(`DROP INDEX "public"."audit_log_brand_id_idx"`);
    await queryRunner.query(`DROP INDEX "public"."audit_log_entity_idx"`);
    await queryRunner.query(`DROP TABLE "audit_log"`);
    await queryRunner.query(`DROP INDEX "public"."api_keys_brand_idx"`);
    await queryRunner.query(`DROP INDEX "public"."api_keys_prefix_key"`);
    await queryRunner.query(`DROP TABLE "api_keys"`);
    await queryRunner.query(`DROP INDEX "public"."refresh_tokens_family_idx"`);
    await queryRunner.query(`DROP INDEX "public"."refresh_tokens_operator_idx"`);
    await queryRunner.query(`DROP INDEX "public"."refresh_tokens_hash_key"`);
    await queryRunner.query(`DROP TABLE "refresh_tokens"`);
    await queryRunner.query(`DROP INDEX "public"."operators_brand_idx"`);
    await queryRunner.query(`DROP INDEX "public"."operators_email_key"`);
    await queryRunner.query(`DROP TABLE "operators"`);
    await queryRunner.query(`DROP INDEX "public"."work_items_dedupe_key"`);
    await queryRunner.query(`DROP INDEX "public"."work_items_open_idx"`);
    await queryRunner.query(`DROP TABLE "work_items"`);
    await queryRunner.query(`DROP TABLE "brands"`);
  }
}
