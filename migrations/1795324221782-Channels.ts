import { MigrationInterface, QueryRunner } from 'typeorm';

export class Channels1795324221782 implements MigrationInterface {
  name = 'Channels1795324221782';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "channel_wecom_events" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "dedupe_key" character varying(64) NOT NULL, "event" character varying(64) NOT NULL, "change_type" character varying(64), "payload" jsonb NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "last_error" text, "locked_until" TIMESTAMP WITH TIME ZONE, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "processed_at" TIMESTAMP WITH TIME ZONE, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "channel_wecom_events_attempts" CHECK (attempts >= 0), CONSTRAINT "channel_wecom_events_status" CHECK (status IN ('pending', 'processing', 'done', 'failed', 'ignored')), CONSTRAINT "PK_eff1bf46d3a68572d84a424ce9a" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "channel_wecom_events_brand_idx" ON "channel_wecom_events" ("brand_id", "id") `,
    );
    await queryRunner.query(
      `CREATE INDEX "channel_wecom_events_open_idx" ON "channel_wecom_events" ("status", "id") WHERE status IN ('pending', 'processing', 'failed')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "channel_wecom_events_dedupe_key" ON "channel_wecom_events" ("brand_id", "dedupe_key") `,
    );
    await queryRunner.query(
      `CREATE TABLE "channel_wecom_accounts" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "corp_id" character varying(64) NOT NULL, "agent_id" character varying(32), "contact_secret_sealed" text NOT NULL, "callback_token_sealed" text NOT NULL, "encoding_aes_key_sealed" text NOT NULL, "sends_per_second" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "channel_wecom_accounts_rate" CHECK (sends_per_second IS NULL OR sends_per_second > 0), CONSTRAINT "channel_wecom_accounts_corp_id" CHECK (corp_id ~ '^[A-Za-z0-9_-]{1,64}$'), CONSTRAINT "PK_8bcc4d4ddf20d8938e6e62bdb5e" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "channel_wecom_accounts_brand_key" ON "channel_wecom_accounts" ("brand_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "channel_oa_apps" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(60) NOT NULL, "app_id" character varying(64) NOT NULL, "secret_sealed" text NOT NULL, "template_ids" jsonb NOT NULL DEFAULT '[]', "sends_per_second" integer, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "channel_oa_apps_rate" CHECK (sends_per_second IS NULL OR sends_per_second > 0), CONSTRAINT "channel_oa_apps_name_not_blank" CHECK (btrim(name) <> ''), CONSTRAINT "channel_oa_apps_app_id" CHECK (app_id ~ '^[A-Za-z0-9_-]{1,64}$'), CONSTRAINT "PK_75d9f8213bc8b7e099413e82249" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "channel_oa_apps_brand_app_key" ON "channel_oa_apps" ("brand_id", "app_id") `,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_wecom_events" ADD CONSTRAINT "FK_458e9653fdbb4b853152de39d1f" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_wecom_accounts" ADD CONSTRAINT "FK_2dfda95aad7a2a60b36e333249d" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_oa_apps" ADD CONSTRAINT "FK_ff397df4c2ca1ef2f39be7507e4" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "channel_oa_apps" DROP CONSTRAINT "FK_ff397df4c2ca1ef2f39be7507e4"`);
    await queryRunner.query(
      `ALTER TABLE "channel_wecom_accounts" DROP CONSTRAINT "FK_2dfda95aad7a2a60b36e333249d"`,
    );
    await queryRunner.query(
      `ALTER TABLE "channel_wecom_events" DROP CONSTRAINT "FK_458e9653fdbb4b853152de39d1f"`,
    );
    await queryRunner.query(`DROP INDEX "public"."channel_oa_apps_brand_app_key"`);
    await queryRunner.query(`DROP TABLE "channel_oa_apps"`);
    await queryRunner.query(`DROP INDEX "public"."channel_wecom_accounts_brand_key"`);
    await queryRunner.query(`DROP TABLE "channel_wecom_accounts"`);
    await queryRunner.query(`DROP INDEX "public"."channel_wecom_events_dedupe_key"`);
    await queryRunner.query(`DROP INDEX "public"."channel_wecom_events_open_idx"`);
    await queryRunner.query(`DROP INDEX "public"."channel_wecom_events_brand_idx"`);
    await queryRunner.query(`DROP TABLE "channel_wecom_events"`);
  }
}
