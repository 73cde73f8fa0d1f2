import { MigrationInterface, QueryRunner } from 'typeorm';

export class Acquisition1795361278087 implements MigrationInterface {
  name = 'Acquisition1795361278087';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "acquisition_welcomes" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "contact_id" bigint NOT NULL, "welcome_code" character varying(256) NOT NULL, "message" jsonb NOT NULL, "status" character varying(16) NOT NULL DEFAULT 'pending', "attempts" integer NOT NULL DEFAULT '0', "reason" character varying(500), "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL, "locked_until" TIMESTAMP WITH TIME ZONE, "claimed_at" TIMESTAMP WITH TIME ZONE, "sent_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "acquisition_welcomes_status" CHECK (status IN ('pending', 'sending', 'sent', 'expired', 'already_chatted', 'failed')), CONSTRAINT "PK_20966bc7c455f4bc323e14fb7c4" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_welcomes_open_idx" ON "acquisition_welcomes" ("expires_at") WHERE status IN ('pending', 'sending')`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_welcomes_contact_key" ON "acquisition_welcomes" ("contact_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_channel_codes" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "brand_id" uuid NOT NULL, "name" character varying(100) NOT NULL, "state" character varying(30) NOT NULL, "type" character varying(8) NOT NULL, "skip_verify" boolean NOT NULL DEFAULT true, "source_channel" character varying(24), "utm" jsonb NOT NULL DEFAULT '{}', "tag_ids" uuid array NOT NULL DEFAULT '{}', "welcome" jsonb, "routing_rule" character varying(16) NOT NULL DEFAULT 'round_robin', "daily_cap" integer, "schedule" jsonb NOT NULL DEFAULT '[]', "staff" text array NOT NULL, "active_staff" text array NOT NULL DEFAULT '{}', "config_id" character varying(64), "qr_code" character varying(500), "status" character varying(8) NOT NULL DEFAULT 'active', "routed_at" TIMESTAMP WITH TIME ZONE, "created_by_id" uuid, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "acquisition_channel_codes_staff" CHECK (cardinality(staff) >= 1), CONSTRAINT "acquisition_channel_codes_cap" CHECK (daily_cap IS NULL OR daily_cap > 0), CONSTRAINT "acquisition_channel_codes_state_len" CHECK (char_length(state) BETWEEN 1 AND 30), CONSTRAINT "acquisition_channel_codes_rule" CHECK (routing_rule IN ('round_robin', 'least_loaded', 'schedule')), CONSTRAINT "acquisition_channel_codes_status" CHECK (status IN ('active', 'paused', 'deleted')), CONSTRAINT "acquisition_channel_codes_type" CHECK (type IN ('single', 'multi')), CONSTRAINT "PK_5e9cafe60b1a6bef9fccd951d23" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_channel_codes_brand_created_idx" ON "acquisition_channel_codes" ("brand_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_channel_codes_state_key" ON "acquisition_channel_codes" ("brand_id", "state") `,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_code_staff_days" ("code_id" uuid NOT NULL, "staff_userid" character varying(64) NOT NULL, "day" date NOT NULL, "brand_id" uuid NOT NULL, "adds" integer NOT NULL DEFAULT '0', CONSTRAINT "acquisition_code_staff_days_adds" CHECK (adds >= 0), CONSTRAINT "PK_99df6b050359693eda4daa4cae7" PRIMARY KEY ("code_id", "staff_userid", "day"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "acquisition_contacts" ("id" BIGSERIAL NOT NULL, "brand_id" uuid NOT NULL, "code_id" uuid, "kind" character varying(32) NOT NULL, "ref_id" character varying(64), "state" character varying(64) NOT NULL, "staff_userid" character varying(64) NOT NULL, "external_userid" character varying(64) NOT NULL, "member_id" uuid, "source_channel" character varying(24), "added_at" TIMESTAMP WITH TIME ZONE NOT NULL, "event_id" bigint, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_115cb6074797c8bbb94155980cd" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_contacts_member_idx" ON "acquisition_contacts" ("member_id") WHERE member_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_contacts_code_idx" ON "acquisition_contacts" ("code_id", "added_at") WHERE code_id IS NOT NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX "acquisition_contacts_brand_added_idx" ON "acquisition_contacts" ("brand_id", "added_at") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "acquisition_contacts_event_key" ON "acquisition_contacts" ("brand_id", "staff_userid", "external_userid", "added_at") `,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_welcomes" ADD CONSTRAINT "FK_edd6fc07fcc67d53ada0daabdb9" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_welcomes" ADD CONSTRAINT "FK_1376c61baa2b56c8a7e075b7dbc" FOREIGN KEY ("contact_id") REFERENCES "acquisition_contacts"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_channel_codes" ADD CONSTRAINT "FK_ec4f9c5f54e8896255fcf54a448" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_code_staff_days" ADD CONSTRAINT "FK_9b1ed71ba4f2b05b63d8f46bc71" FOREIGN KEY ("code_id") REFERENCES "acquisition_channel_codes"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_contacts" ADD CONSTRAINT "FK_46a30c1e8701e632c89bc0087a9" FOREIGN KEY ("brand_id") REFERENCES "brands"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_contacts" ADD CONSTRAINT "FK_508ba5a34dcfb1c48719573f0fb" FOREIGN KEY ("code_id") REFERENCES "acquisition_channel_codes"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_contacts" ADD CONSTRAINT "FK_10360f2cd03f4144a1d233e3e2b" FOREIGN KEY ("member_id") REFERENCES "members"("id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE "acquisition_contacts" DROP CONSTRAINT "FK_10360f2cd03f4144a1d233e3e2b"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_contacts" DROP CONSTRAINT "FK_508ba5a34dcfb1c48719573f0fb"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_contacts" DROP CONSTRAINT "FK_46a30c1e8701e632c89bc0087a9"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_code_staff_days" DROP CONSTRAINT "FK_9b1ed71ba4f2b05b63d8f46bc71"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_channel_codes" DROP CONSTRAINT "FK_ec4f9c5f54e8896255fcf54a448"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_welcomes" DROP CONSTRAINT "FK_1376c61baa2b56c8a7e075b7dbc"`,
    );
    await queryRunner.query(
      `ALTER TABLE "acquisition_welcomes" DROP CONSTRAINT "FK_edd6fc07fcc67d53ada0daabdb9"`,
    );
    await queryRunner.query(`DROP INDEX "public"."acquisition_contacts_event_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_contacts_brand_added_idx"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_contacts_code_idx"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_contacts_member_idx"`);
    await queryRunner.query(`DROP TABLE "acquisition_contacts"`);
    await queryRunner.query(`DROP TABLE "acquisition_code_staff_days"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_channel_codes_state_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_channel_codes_brand_created_idx"`);
    await queryRunner.query(`DROP TABLE "acquisition_channel_codes"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_welcomes_contact_key"`);
    await queryRunner.query(`DROP INDEX "public"."acquisition_welcomes_open_idx"`);
    await queryRunner.query(`DROP TABLE "acquisition_welcomes"`);
  }
}
